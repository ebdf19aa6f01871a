// An RFC 5322 message as DKIM sees it: header fields kept byte for byte (latin1 strings, folding included)
// and the body as bytes. Bare LF line ends (files saved on Unix) become CRLF first (RFC 5322 §2.1).

export interface HeaderField {
  /** Lowercase field name without surrounding whitespace: 'dkim-signature'. */
  key: string;
  /** The whole field as received, folding CRLFs included, without the final CRLF (latin1: one char per byte). */
  raw: string;
}

export interface ParsedMessage {
  headers: HeaderField[];
  /** Everything after the empty line that ends the header section (CRLF line ends). */
  body: Buffer;
  /** The message with CRLF line ends (the input itself when it already had them). */
  bytes: Buffer;
  /**
   * Names of the header fields that hold a bare CR (a CR not followed by LF: RFC 5322 §2.2 allows CR only in CRLF),
   * top to bottom. A parser that ends lines at a bare CR reads other header fields there than this one does.
   */
  bareCr: string[];
  /**
   * Whether the lines of the bytes parseMessage was given (`of`, before bare LFs became CRLF) look as RFC 5322 asks
   * (see scanLines); absent for messages too big to scan as one string. The format rule reads it instead of
   * copying and scanning the message again.
   */
  lineCheck?: { of: Buffer; fine: boolean };
}

/** Not an RFC 5322 message: reported per file as bad input (exit 2), never thrown past the file. */
export class MessageFormatError extends Error {
  override readonly name = 'MessageFormatError';
}

const CR = 13;
const LF = 10;
// RFC 5322 §2.2: a field name is printable US-ASCII except ':'; §4.5.3 (obsolete syntax) allows WSP before the colon.
const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
const BARE_CR = /\r(?!\n)/;
/** RFC 5322 §2.1.1: 998 characters, excluding the CRLF. */
export const MAX_LINE = 998;
/** Messages up to this size are scanned as one latin1 string (string scans are native and cheap). */
export const SCAN_MAX = 1 << 20;

export interface LineScan {
  /** No bare CR, no bare LF among CRLF lines, no line over 998 octets (false may only mean "look closer"). */
  fine: boolean;
  /** Every line end is a CRLF (false also when the scan stopped early). */
  crlfOnly: boolean;
}

/**
 * The common case, fast: only String.indexOf per line end (Buffer.indexOf costs ~6× more in V8's interpreter, and
 * short runs go without the optimizing compiler; regular expressions with look-around for bare CR and LF cost 3×
 * this whole walk). A CR is bare exactly when there are more CRs than CRLF pairs. Saying what is wrong is
 * format.ts's lineProblems, run only when this is not fine.
 */
export function scanLines(s: string): LineScan {
  let crlf = 0;
  let bareLf = 0;
  let start = 0;
  for (let lf = s.indexOf('\n'); lf !== -1; lf = s.indexOf('\n', lf + 1)) {
    // maybe long (a CRLF line of 998 is not: lineProblems says)
    if (lf - start > MAX_LINE) return { fine: false, crlfOnly: false };
    if (lf > 0 && s.charCodeAt(lf - 1) === CR) crlf++;
    else bareLf++;
    start = lf + 1;
  }
  const crlfOnly = bareLf === 0;
  if (s.length - start > MAX_LINE || (crlf && bareLf)) return { fine: false, crlfOnly };
  let crs = 0;
  for (let cr = s.indexOf('\r'); cr !== -1; cr = s.indexOf('\r', cr + 1))
    if (++crs > crlf) return { fine: false, crlfOnly };
  return { fine: true, crlfOnly };
}

/** Converts bare LF to CRLF; returns the same buffer when there is nothing to convert. */
export function toCrlf(input: Buffer): Buffer {
  let bare = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) if (i === 0 || input[i - 1] !== CR) bare++;
  if (bare === 0) return input;
  const out = Buffer.allocUnsafe(input.length + bare);
  let o = 0;
  let from = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    if (i > 0 && input[i - 1] === CR) continue;
    o += input.copy(out, o, from, i);
    out[o++] = CR;
    out[o++] = LF;
    from = i + 1;
  }
  o += input.copy(out, o, from);
  return out.subarray(0, o);
}

export function parseMessage(input: Buffer): ParsedMessage {
  if (input.length === 0) throw new MessageFormatError('the file is empty');
  let bytes = input;
  let split: number;
  let lineCheck: ParsedMessage['lineCheck'];
  if (input.length <= SCAN_MAX) {
    // One latin1 copy serves the line-end scan (the format rule's) and the search for the end of the header.
    const s = input.toString('latin1');
    const scan = scanLines(s);
    lineCheck = { of: input, fine: scan.fine };
    if (!scan.crlfOnly) bytes = toCrlf(input);
    split = bytes === input ? s.indexOf('\r\n\r\n') : bytes.indexOf('\r\n\r\n');
  } else {
    bytes = toCrlf(input);
    split = bytes.indexOf('\r\n\r\n');
  }
  if (bytes[0] === CR) throw new MessageFormatError('the message has no header fields (it starts with an empty line)');
  const headEnd = split === -1 ? bytes.length : split;
  const head = bytes.toString('latin1', 0, headEnd);
  if (head.includes('\0')) throw new MessageFormatError('the header section contains NUL bytes: not a text message');
  const headers: HeaderField[] = [];
  const lines = head.split('\r\n');
  // A message that ends right after its last header line may lack the final CRLF.
  if (split === -1 && lines[lines.length - 1] === '') lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length) {
      headers[headers.length - 1]!.raw += `\r\n${line}`;
      continue;
    }
    const m = FIELD_START.exec(line);
    if (!m) {
      const what = n === 0 ? 'the first line' : `line ${n + 1}`;
      throw new MessageFormatError(`${what} of the header section is not a header field ('${preview(line)}')`);
    }
    headers.push({ key: line.slice(0, line.indexOf(':')).trim().toLowerCase(), raw: line });
  }
  const body = split === -1 ? Buffer.alloc(0) : bytes.subarray(split + 4);
  const bareCr = BARE_CR.test(head) ? headers.filter((h) => BARE_CR.test(h.raw)).map((h) => h.key) : [];
  const msg: ParsedMessage = { headers, body, bytes, bareCr };
  if (lineCheck) msg.lineCheck = lineCheck;
  return msg;
}

/** The value part of a field: everything after the first colon, unfolded and trimmed. */
export function fieldValue(f: HeaderField): string {
  const value = f.raw.slice(f.raw.indexOf(':') + 1);
  // Most fields are one line: no folding to take out (a regular expression run per field otherwise).
  return (value.includes('\r') ? value.replace(/\r\n(?=[ \t])/g, '') : value).trim();
}

/** Values of every field with this (lowercase) name, top to bottom. */
export function headerValues(m: ParsedMessage, key: string): string[] {
  return m.headers.filter((h) => h.key === key).map(fieldValue);
}

function preview(line: string): string {
  const s = line.length > 40 ? `${line.slice(0, 40)}…` : line;
  return s.replace(/[^\x20-\x7e]/g, '?');
}
