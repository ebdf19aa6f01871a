// Builds a proper RFC 5322 message: Date, From, To, Subject, Message-ID, MIME-Version, and a text/plain body
// that is 7-bit clean (quoted-printable for non-ASCII or long lines, RFC 2045), CRLF throughout. Pure.
import { UsageError } from '../core/errors.js';
import type { Mailbox } from './address.js';
import { encodeHeaderText, encodePhrase, foldHeader, quotedPrintable } from './mime.js';

export interface HeaderField {
  name: string;
  value: string;
}

export interface ComposeInput {
  from: Mailbox;
  to: Mailbox[];
  subject?: string;
  body?: string;
  /** Extra header fields (--header); one with the name of a field we write replaces ours. */
  headers?: HeaderField[];
}

export interface Composed {
  message: Buffer;
  messageId: string;
  date: string;
  /** Raw UTF-8 in header fields (an EAI address, RFC 6532): the envelope needs SMTPUTF8. */
  utf8Headers: boolean;
}

export const DEFAULT_BODY = 'This is a test message sent by mailcheck.\n';
/** Fields that appear once (RFC 5322 §3.6): a --header with one of these names replaces ours. */
const SINGLE = new Set([
  'date',
  'from',
  'to',
  'subject',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'sender',
  'reply-to',
  'cc',
]);

export function composeMessage(input: ComposeInput, o: { now: Date; random: () => string }): Composed {
  const date = formatDate(o.now);
  const messageId = `<${o.now.getTime().toString(36)}.${o.random()}@${input.from.domain}>`;
  const body = input.body ?? DEFAULT_BODY;
  const needsQp =
    /[^\x00-\x7f]/.test(body) ||
    body.split(/\r\n|\r|\n/).some((l) => Buffer.byteLength(l) > 998) ||
    /[\x00\x0b\x0c\x0e-\x1f\x7f]/.test(body);
  const ours: HeaderField[] = [
    { name: 'Date', value: date },
    { name: 'From', value: formatMailbox(input.from) },
    { name: 'To', value: input.to.map(formatMailbox).join(', ') },
    { name: 'Subject', value: encodeHeaderText(input.subject ?? 'mailcheck test message') },
    { name: 'Message-ID', value: messageId },
    { name: 'MIME-Version', value: '1.0' },
    { name: 'Content-Type', value: `text/plain; charset=${needsQp ? 'utf-8' : 'us-ascii'}` },
    { name: 'Content-Transfer-Encoding', value: needsQp ? 'quoted-printable' : '7bit' },
  ];
  const extra = (input.headers ?? []).map((h) => ({ name: h.name, value: encodeHeaderText(h.value) }));
  const replaced = new Set(extra.filter((h) => SINGLE.has(h.name.toLowerCase())).map((h) => h.name.toLowerCase()));
  const fields = [...ours.filter((h) => !replaced.has(h.name.toLowerCase())), ...extra];
  const finalId = extra.find((h) => h.name.toLowerCase() === 'message-id')?.value ?? messageId;
  const head = fields.map((h) => foldHeader(h.name, h.value)).join('\r\n');
  const text = needsQp ? quotedPrintable(body) : body.replace(/\r\n|\r|\n/g, '\r\n');
  const message = Buffer.from(`${head}\r\n\r\n${text.endsWith('\r\n') || text === '' ? text : `${text}\r\n`}`, 'utf8');
  return { message, messageId: finalId, date, utf8Headers: /[^\x00-\x7f]/.test(head) };
}

/** "Name <local@domain>" or "local@domain", the name as an RFC 5322 phrase. */
export function formatMailbox(m: Mailbox): string {
  return m.name ? `${encodePhrase(m.name)} <${m.address}>` : m.address;
}

/** RFC 5322 §3.3 date-time in UTC: "Sun, 29 Nov 2026 05:15:13 +0000". */
export function formatDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** --header "Name: value": a field name of printable ASCII without ":" (RFC 5322 §3.6.8), one line. */
export function parseHeaderOption(s: string): HeaderField {
  const i = s.indexOf(':');
  const name = i > 0 ? s.slice(0, i).trim() : '';
  const value = i > 0 ? s.slice(i + 1).trim() : '';
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
    throw new UsageError(`--header '${s.replace(/[\x00-\x1f]/g, '?')}' is not "Name: value"`);
  if (/[\r\n]/.test(value)) throw new UsageError(`--header '${name}' has a line break in its value`);
  return { name, value };
}
