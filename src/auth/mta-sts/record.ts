// The _mta-sts TXT record of RFC 8461 §3.1 ("v=STSv1; id=20240101T000000;"): selection and parsing. Pure.
import { parseFieldList, type TagField } from '../shared/field-list.js';

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
// sts-ext-value: any visible character but ";" and "=", no spaces.
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

export function parseMtaStsRecord(raw: string): MtaStsRecord {
  const { fields, errors, count } = parseFieldList(raw, 'v=STSv1', ({ name, value }) => {
    if (name === 'id') return ID.test(value) ? undefined : `id "${value}" must be 1 to 32 letters and digits`;
    return EXT_VALUE.test(value) ? undefined : `the value of ${name} has characters not allowed in an extension value`;
  });
  if (!count) errors.push('the record has no fields after the version');
  const ids = fields.filter((f) => f.name === 'id');
  if (!ids.length) errors.push('the record has no id= field');
  else if (ids.length > 1) errors.push('the record has more than one id= field');
  const id = ids.length === 1 && ID.test(ids[0]!.value) ? ids[0]!.value : null;
  return { raw, id, fields, errors };
}
