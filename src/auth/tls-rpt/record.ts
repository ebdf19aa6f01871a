// The _smtp._tls TXT record of RFC 8460 §3 ("v=TLSRPTv1; rua=mailto:tls@example.com"): selection and parsing. Pure.
import { parseFieldList, type TagField } from '../shared/field-list.js';

export interface TlsRptUri {
  raw: string;
  scheme: string;
  /** The mailbox of a mailto: URI, or the URL of an https: one. */
  target: string | null;
  /** Why receivers cannot use it. */
  problem?: string;
}

export interface TlsRptRecord {
  raw: string;
  rua: TlsRptUri[];
  fields: TagField[];
  errors: string[];
}

/** RFC 8460 §3: of several TXT records, only those beginning with "v=TLSRPTv1" count (case-sensitive). */
export function isTlsRptTxt(text: string): boolean {
  return /^v=TLSRPTv1[ \t]*(;|$)/.test(text);
}

const MAILBOX =
  /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function parseTlsRptRecord(raw: string): TlsRptRecord {
  const { fields, errors } = parseFieldList(raw, 'v=TLSRPTv1');
  const ruaFields = fields.filter((f) => f.name === 'rua');
  if (ruaFields.length > 1) errors.push('the record has more than one rua= field');
  const rua = ruaFields.length ? parseRua(ruaFields[0]!.value) : [];
  return { raw, rua, fields, errors };
}

/** rua= is a comma-separated URI list; commas and "!" inside a URI must be %-encoded (§3). */
export function parseRua(value: string): TlsRptUri[] {
  return value
    .split(',')
    .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((s) => s !== '')
    .map(parseUri);
}

function parseUri(raw: string): TlsRptUri {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/.exec(raw);
  if (!m) return { raw, scheme: '', target: null, problem: 'not a URI (no scheme such as mailto: or https:)' };
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'mailto') {
    const mailbox = decodeURIComponentSafe(m[2]!.split('?')[0]!);
    return MAILBOX.test(mailbox ?? '')
      ? { raw, scheme, target: mailbox }
      : { raw, scheme, target: mailbox, problem: 'not a valid email address' };
  }
  if (scheme === 'https') {
    try {
      const u = new URL(raw);
      return { raw, scheme, target: u.toString() };
    } catch {
      return { raw, scheme, target: null, problem: 'not a valid https URL' };
    }
  }
  return { raw, scheme, target: null, problem: `${scheme}: is not a report scheme (only mailto: and https:)` };
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
