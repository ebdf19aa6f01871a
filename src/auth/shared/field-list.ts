// The TXT record grammar MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) share: a version, then
// `name=value` fields split at ";" with optional spaces or tabs around it, and an optional trailing ";". Pure.

export interface TagField {
  name: string;
  value: string;
}

export interface FieldList {
  /** Every field after the version, in order, including extensions. */
  fields: TagField[];
  /** Syntax problems, in the order they occur. */
  errors: string[];
  /** How many fields (well-formed or not) follow the version. */
  count: number;
}

// sts-ext-name / tlsrpt-ext-name: a letter or digit, then up to 31 letters, digits, "_", "." or "-".
const FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/**
 * Splits `raw` into its fields. `version` is the exact first field ("v=STSv1"); `check` may say what is wrong
 * with a well-named field's value (it runs in order, so errors read left to right).
 */
export function parseFieldList(
  raw: string,
  version: string,
  check?: (field: TagField) => string | undefined,
): FieldList {
  const errors: string[] = [];
  const fields: TagField[] = [];
  const parts = raw.split(';').map((p) => p.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (parts[0] !== version) errors.push(`the record must start with "${version}"`);
  // A trailing ";" leaves one empty part, which the ABNF allows; any other empty part is a stray ";".
  const rest = parts.slice(1);
  if (rest.length && rest[rest.length - 1] === '') rest.pop();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) {
      errors.push(p === '' ? 'empty field (two ";" in a row)' : `"${p}" is not a name=value field`);
      continue;
    }
    const field = { name: p.slice(0, eq), value: p.slice(eq + 1) };
    fields.push(field);
    const problem = FIELD_NAME.test(field.name) ? check?.(field) : `"${field.name}" is not a valid field name`;
    if (problem) errors.push(problem);
  }
  return { fields, errors, count: rest.length };
}
