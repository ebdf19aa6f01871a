// RFC 5322 format, as Gmail and Yahoo ask of every sender: exactly one From: and one Date:, a Message-ID:,
// CR and LF only together, lines of at most 998 octets, valid address syntax, no singleton field twice. Pure.
import { detached } from '../../core/text.js';
import { valueCache } from '../../core/value-cache.js';
import { decodeHeaderText } from '../address.js';
import { fieldValue, MAX_LINE, scanLines, SCAN_MAX, type HeaderField, type ParsedMessage } from '../message.js';
import { checkAddressSyntax, type AddressCheck } from './address-syntax.js';
import type { FormatProblem } from './types.js';

const CR = 13;
const LF = 10;
export { MAX_LINE };
/** Problems of one kind listed before "and N more". */
const MAX_PER_KIND = 3;

// RFC 5322 §3.6: the fields that may appear at most once (Date: and From: exactly once).
const SINGLETONS = [
  'date',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
];

const SINGLETON_AT = new Map(SINGLETONS.map((key, i) => [key, i]));

// Objects and indexed loops here: short verify runs go without V8's optimizing compiler, where destructuring
// walks the iterator protocol.
type AddressKind = 'mailbox' | 'mailbox-list' | 'address-list';
const ADDRESS_FIELDS: readonly { key: string; kind: AddressKind }[] = [
  { key: 'from', kind: 'mailbox-list' },
  { key: 'sender', kind: 'mailbox' },
  { key: 'reply-to', kind: 'address-list' },
  { key: 'to', kind: 'address-list' },
  { key: 'cc', kind: 'address-list' },
  { key: 'bcc', kind: 'address-list' },
];

/**
 * Every departure from RFC 5322 in `msg`. `raw` is the message as it arrived (before bare LFs were turned into
 * CRLF): a file whose every line ends in a bare LF was saved on Unix and is judged as CRLF; a mix, or a bare CR,
 * is what the sender wrote.
 */
export function formatProblems(msg: ParsedMessage, raw: Buffer): FormatProblem[] {
  const out: FormatProblem[] = [];
  // The fields of interest, by their index in SINGLETONS (every address field is one too); the others are skipped.
  const fields: (HeaderField[] | undefined)[] = [];
  let repeated = false;
  for (let i = 0; i < msg.headers.length; i++) {
    const h = msg.headers[i]!;
    const at = SINGLETON_AT.get(h.key);
    if (at === undefined) continue;
    const list = fields[at];
    if (list) {
      list.push(h);
      repeated = true;
    } else fields[at] = [h];
  }
  const n = (key: string) => fields[SINGLETON_AT.get(key)!]?.length ?? 0;

  if (n('from') === 0) out.push(problem('format.from.missing', 'there is no From: field (RFC 5322 §3.6)'));
  if (n('date') === 0) out.push(problem('format.date.missing', 'there is no Date: field (RFC 5322 §3.6)'));
  if (n('message-id') === 0)
    out.push(problem('format.message-id.missing', 'there is no Message-ID: field (RFC 5322 §3.6.4)'));
  // Most messages repeat none of them: the duplicate walk only when one is repeated.
  for (let i = 0; repeated && i < SINGLETONS.length; i++) {
    const list = fields[i];
    if (list && list.length > 1)
      out.push(
        problem(
          'format.field.duplicate',
          `${displayName(list[0]!)}: appears ${list.length} times, at most once is allowed (RFC 5322 §3.6)`,
        ),
      );
  }

  const date = fields[SINGLETON_AT.get('date')!]?.[0];
  if (date && !isDateTime(fieldValue(date)))
    out.push(problem('format.date.syntax', `Date: '${preview(fieldValue(date))}' is not an RFC 5322 date-time (§3.3)`));
  const messageId = fields[SINGLETON_AT.get('message-id')!]?.[0];
  if (messageId && !isMsgId(fieldValue(messageId)))
    out.push(
      problem(
        'format.message-id.syntax',
        `Message-ID: '${preview(fieldValue(messageId))}' is not of the form <left@right> (RFC 5322 §3.6.4)`,
      ),
    );

  let syntax = 0;
  let authors = 0;
  for (let a = 0; a < ADDRESS_FIELDS.length; a++) {
    const { key, kind } = ADDRESS_FIELDS[a]!;
    const list = fields[SINGLETON_AT.get(key)!];
    for (let k = 0; list && k < list.length; k++) {
      const check = addressChecks[kind](fieldValue(list[k]!));
      if (key === 'from') authors += check.mailboxes;
      if (check.problem && ++syntax <= MAX_PER_KIND)
        out.push(problem('format.address.syntax', `${displayName(list[k]!)}: ${check.problem} (RFC 5322 §3.4)`));
    }
  }
  // §3.6.2: several authors need a Sender: naming the one who sent it.
  if (n('from') === 1 && n('sender') === 0 && authors > 1)
    out.push(
      problem('format.sender.missing', 'From: names several mailboxes but there is no Sender: field (RFC 5322 §3.6.2)'),
    );

  // The parse scanned these very bytes already, in the common case.
  const fine = msg.lineCheck?.of === raw ? msg.lineCheck.fine : linesLookFine(raw);
  if (!fine) lineProblems(raw, out);
  return out;
}

/** Address checks by field value (valueCache); a problem text quotes the value, so it is detached too. */
const addressChecks: Record<AddressKind, (value: string) => AddressCheck> = {
  mailbox: checksOf('mailbox'),
  'mailbox-list': checksOf('mailbox-list'),
  'address-list': checksOf('address-list'),
};

function checksOf(kind: AddressKind): (value: string) => AddressCheck {
  return valueCache(
    (value) => checkAddressSyntax(decodeHeaderText(value), kind),
    (c) => (c.problem ? { ...c, problem: detached(c.problem) } : c),
  );
}

/** No bare CR, no bare LF among CRLF lines, no line over 998 octets (message.ts's scanLines, for any buffer). */
export function linesLookFine(raw: Buffer): boolean {
  return raw.length <= SCAN_MAX && scanLines(raw.toString('latin1')).fine;
}

/** Bare CR, bare LF (unless every line ends in one) and lines over 998 octets, in one pass over the bytes. */
export function lineProblems(raw: Buffer, out: FormatProblem[]): void {
  let crlf = 0;
  let bareLf = 0;
  let bareCr = 0;
  let long: { line: number; length: number; header: boolean } | undefined;
  let longCount = 0;
  let line = 1;
  let start = 0;
  let inHeader = true;
  let cr = raw.indexOf(CR);
  for (let lf = raw.indexOf(LF); ; lf = raw.indexOf(LF, lf + 1)) {
    const end = lf === -1 ? raw.length : lf;
    const crlfEnd = lf !== -1 && end > start && raw[end - 1] === CR;
    if (lf !== -1) {
      if (crlfEnd) crlf++;
      else bareLf++;
    }
    // Every CR on this line but the one right before its LF is a bare CR (RFC 5322 §2.3).
    for (; cr !== -1 && cr < end; cr = raw.indexOf(CR, cr + 1)) if (!(crlfEnd && cr === end - 1)) bareCr++;
    const length = (crlfEnd ? end - 1 : end) - start;
    if (length > MAX_LINE) {
      longCount++;
      long ??= { line, length, header: inHeader };
    }
    if (inHeader && length === 0) inHeader = false;
    if (lf === -1) break;
    start = lf + 1;
    line++;
  }
  if (bareCr)
    out.push(
      problem(
        'format.line-ending.bare-cr',
        `${bareCr} bare CR${bareCr > 1 ? 's' : ''} (a CR not followed by LF: RFC 5322 §2.3)`,
      ),
    );
  // All lines ending in LF alone: a file saved on Unix (Maildir, mbox), not what was on the wire.
  if (bareLf && crlf)
    out.push(
      problem(
        'format.line-ending.bare-lf',
        `${bareLf} line${bareLf > 1 ? 's end' : ' ends'} in a bare LF among CRLF lines (RFC 5322 §2.3)`,
      ),
    );
  if (long)
    out.push(
      problem(
        'format.line-length',
        `${longCount} line${longCount > 1 ? 's' : ''} longer than ${MAX_LINE} octets; the first is ${long.header ? 'header' : 'body'} line ${long.line} (${long.length} octets; RFC 5322 §2.1.1)`,
      ),
    );
}

// RFC 5322 §3.3 date-time, with the obsolete forms receivers accept (§4.3: two-digit years, named zones, no seconds).
const DATE_TIME =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s*,\s*)?(\d{1,2})\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{2,4}\s+(\d{2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s+(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Za-ik-z])(?:\s*\([^()]*\))*\s*$/i;

function isDateTime(v: string): boolean {
  // Comments elsewhere (CFWS may go anywhere) are taken out only when the common form did not match.
  let m = DATE_TIME.exec(v);
  if (!m && v.includes('(')) m = DATE_TIME.exec(v.replace(/\([^()]*\)/g, ' ').trim());
  if (!m) return false;
  const day = Number(m[1]);
  // A leap second is 60 (§3.3).
  return (
    day >= 1 && day <= 31 && Number(m[2]) <= 23 && Number(m[3]) <= 59 && (m[4] === undefined || Number(m[4]) <= 60)
  );
}

/** "<" id-left "@" id-right ">" (RFC 5322 §3.6.4), comments and folding around it allowed. */
function isMsgId(v: string): boolean {
  return /^(?:\([^()]*\)\s*)?<[^<>@\s"]+@[^<>@\s]+>(?:\s*\([^()]*\))?$/.test(v.trim());
}

function displayName(f: HeaderField): string {
  const name = f.raw.slice(0, f.raw.indexOf(':')).trim();
  return name.replace(/[^\x21-\x7e]/g, '?');
}

function preview(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function problem(id: string, message: string): FormatProblem {
  return { id, message };
}
