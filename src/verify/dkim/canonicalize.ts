// DKIM canonicalization (RFC 6376 §3.4): "simple" and "relaxed" for header fields and for the body.
// Header fields are latin1 strings (one char per byte) so the bytes hashed are exactly the bytes received.
import type { HeaderField } from '../message.js';

export type Canon = 'simple' | 'relaxed';

/** §3.4.1 simple: the field unchanged; §3.4.2 relaxed: lowercase name, unfolded, WSP runs → one SP, trimmed. */
export function canonicalizeHeader(field: HeaderField, canon: Canon): string {
  if (canon === 'simple') return `${field.raw}\r\n`;
  const colon = field.raw.indexOf(':');
  const value = field.raw
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
  return `${field.key}:${value}\r\n`;
}

const CRLF = Buffer.from('\r\n');
const SP = Buffer.from(' ');
/** The body is canonicalized in slices of about this size: a 100 MB body, or a 24 MB line, is never copied whole. */
const SLICE = 1 << 20;

const isWsp = (c: number | undefined) => c === 32 || c === 9;

/**
 * §3.4.3 simple: trailing empty lines removed, a body ends in exactly one CRLF (an empty body is CRLF).
 * §3.4.4 relaxed: trailing WSP on each line dropped, WSP runs → one SP, trailing empty lines removed;
 * an empty body stays empty (and, per erratum 1384, a last line without CRLF gets one).
 * The canonical body comes out piece by piece, each piece at most about `slice` bytes whatever the line length, so
 * a consumer can stop early (l=) and memory does not grow with the body or with its longest line.
 */
export function* canonicalPieces(body: Buffer, canon: Canon, slice = SLICE): Generator<Buffer, void, undefined> {
  if (canon === 'simple') {
    let end = body.length;
    while (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    for (let from = 0; from < end; from += slice) yield body.subarray(from, Math.min(end, from + slice));
    yield CRLF;
    return;
  }
  // The tail of trailing WSP and CRLFs canonicalizes to nothing (WSP before a line end goes, then the empty
  // lines at the end): canonicalize up to it and close with one CRLF. A bare CR is content, not a line end.
  let end = body.length;
  for (;;) {
    while (end > 0 && isWsp(body[end - 1])) end--;
    if (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    else break;
  }
  if (end === 0) return;
  // A WSP run may cross a slice edge: the part at the end of a slice is held back (`pending`) until the next
  // slice shows whether it ends at a CRLF (dropped) or before other text (one SP). A cut never falls between
  // CR and LF, so "WSP before CRLF" is always seen whole.
  let pending = false;
  for (let from = 0; from < end;) {
    let to = Math.min(end, from + slice);
    if (to < end && body[to - 1] === 13 && body[to] === 10) to++;
    let a = from;
    let lead = false;
    if (pending) {
      while (a < to && isWsp(body[a])) a++;
      if (a === to) {
        from = to;
        continue;
      }
      pending = false;
      lead = !(body[a] === 13 && body[a + 1] === 10);
    }
    let b = to;
    if (to < end) {
      while (b > a && isWsp(body[b - 1])) b--;
      pending = b < to;
    }
    if (lead) yield SP;
    if (b > a) yield relaxedPiece(body.subarray(a, b));
    from = to;
  }
  yield CRLF;
}

/** A piece that neither starts nor ends inside a WSP run that continues past it. */
function relaxedPiece(piece: Buffer): Buffer {
  if (!piece.includes(32) && !piece.includes(9)) return piece;
  const s = piece
    .toString('latin1')
    .replace(/[ \t]+(?=\r\n)/g, '')
    .replace(/[ \t]+/g, ' ');
  return Buffer.from(s, 'latin1');
}

/** The canonical body handed to `emit` piece by piece (canonicalPieces); returns its length. */
export function canonicalBody(body: Buffer, canon: Canon, emit: (piece: Buffer) => void, slice = SLICE): number {
  let length = 0;
  for (const piece of canonicalPieces(body, canon, slice)) {
    emit(piece);
    length += piece.length;
  }
  return length;
}

/** The header fields of each (lowercase) name, top to bottom: built once per message, read by every signature. */
export type FieldIndex = Map<string, HeaderField[]>;

export function indexFields(headers: readonly HeaderField[]): FieldIndex {
  const index: FieldIndex = new Map();
  for (const h of headers) {
    const list = index.get(h.key);
    if (list) list.push(h);
    else index.set(h.key, [h]);
  }
  return index;
}

/**
 * The header fields h= names, in order (§5.4.2): each name takes the last not yet used instance of that field,
 * bottom up; a name listed more often than the field occurs stands for nothing (signers use this to
 * forbid additions). Linear in names + fields (an index by name, not a scan of the fields per name).
 */
export function selectSignedFields(
  headers: readonly HeaderField[] | FieldIndex,
  names: readonly string[],
): HeaderField[] {
  const index = headers instanceof Map ? headers : indexFields(headers);
  const used = new Map<string, number>();
  const out: HeaderField[] = [];
  for (const name of names) {
    const key = name.trim().toLowerCase();
    const fields = index.get(key);
    if (!fields) continue;
    const n = used.get(key) ?? 0;
    if (n >= fields.length) continue;
    used.set(key, n + 1);
    out.push(fields[fields.length - 1 - n]!);
  }
  return out;
}

/** The signature field itself with the b= value emptied (§3.7), everything else byte for byte. */
export function withoutSignatureValue(field: HeaderField): HeaderField {
  const colon = field.raw.indexOf(':');
  const value = field.raw.slice(colon + 1).replace(/(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1$2');
  return { key: field.key, raw: field.raw.slice(0, colon + 1) + value };
}
