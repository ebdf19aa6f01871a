// The _mta-sts TXT record of RFC 8461 §3.1 ("v=STSv1; id=20240101T000000;"): selection and parsing. Pure.

export interface TagField {
  name: string;
  value: string;
}

export interface MtaStsRecord {
  raw: string;
  /** The policy id (1–32 letters and digits); null when missing or invalid. */
  id: string | null;
  /** Every field after the version, in order, including extensions. */
  fields: TagField[];
  /** What makes the record syntactically invalid (senders then assume no MTA-STS, §3.1). */
  errors: string[];
}

/** RFC 8461 §3.1: of several TXT records, those not beginning with "v=STSv1;" are discarded (the version is case-sensitive). */
export function isMtaStsTxt(text: string): boolean {
  return /^v=STSv1[ \t]*;/.test(text) || text === 'v=STSv1';
}

const ID = /^[A-Za-z0-9]{1,32}$/;
const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
// sts-ext-value: any visible character but ";" and "=", no spaces.
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

export function parseMtaStsRecord(raw: string): MtaStsRecord {
  const errors: string[] = [];
  const fields: TagField[] = [];
  const parts = raw.split(';').map((p) => p.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (parts[0] !== 'v=STSv1') errors.push('the record must start with "v=STSv1"');
  // A trailing ";" leaves one empty part, which the ABNF allows; any other empty part is a stray ";".
  const rest = parts.slice(1);
  if (rest.length && rest[rest.length - 1] === '') rest.pop();
  if (!rest.length) errors.push('the record has no fields after the version');
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) {
      errors.push(p === '' ? 'empty field (two ";" in a row)' : `"${p}" is not a name=value field`);
      continue;
    }
    const name = p.slice(0, eq);
    const value = p.slice(eq + 1);
    fields.push({ name, value });
    if (name === 'id') {
      if (!ID.test(value)) errors.push(`id "${value}" must be 1 to 32 letters and digits`);
    } else if (!EXT_NAME.test(name)) {
      errors.push(`"${name}" is not a valid field name`);
    } else if (!EXT_VALUE.test(value)) {
      errors.push(`the value of ${name} has characters not allowed in an extension value`);
    }
  }
  const ids = fields.filter((f) => f.name === 'id');
  if (!ids.length) errors.push('the record has no id= field');
  else if (ids.length > 1) errors.push('the record has more than one id= field');
  const id = ids.length === 1 && ID.test(ids[0]!.value) ? ids[0]!.value : null;
  return { raw, id, fields, errors };
}
