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
/** Relaxed canonicalization works on slices of about this size, cut after a CRLF: a 100 MB body is never copied whole. */
const SLICE = 1 << 20;

/**
 * §3.4.3 simple: trailing empty lines removed, a body ends in exactly one CRLF (an empty body is CRLF).
 * §3.4.4 relaxed: trailing WSP on each line dropped, WSP runs → one SP, trailing empty lines removed;
 * an empty body stays empty (and, per erratum 1384, a last line without CRLF gets one).
 * The canonical body goes to `emit` piece by piece; returns its length.
 */
export function canonicalBody(body: Buffer, canon: Canon, emit: (piece: Buffer) => void, slice = SLICE): number {
  if (canon === 'simple') {
    let end = body.length;
    while (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    if (end > 0) emit(body.subarray(0, end));
    emit(CRLF);
    return end + 2;
  }
  // The tail of trailing WSP and CRLFs canonicalizes to nothing (WSP before a line end goes, then the empty
  // lines at the end): canonicalize up to it and close with one CRLF. A bare CR is content, not a line end.
  let end = body.length;
  for (;;) {
    while (end > 0 && (body[end - 1] === 32 || body[end - 1] === 9)) end--;
    if (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    else break;
  }
  if (end === 0) return 0;
  let length = 0;
  for (let from = 0; from < end;) {
    // Cut right after a CRLF so no run of WSP and no line end is split between two slices.
    let to = Math.min(end, from + slice);
    if (to < end) {
      // (A negative offset would make lastIndexOf count from the end of the buffer.)
      const crlf = to - 2 >= from ? body.lastIndexOf('\r\n', to - 2) : -1;
      if (crlf >= from) to = crlf + 2;
      else {
        // A line longer than a slice: it goes whole.
        const next = body.indexOf('\r\n', to);
        to = next === -1 ? end : Math.min(end, next + 2);
      }
    }
    let piece = body.subarray(from, to);
    if (piece.includes(32) || piece.includes(9)) {
      const s = piece
        .toString('latin1')
        .replace(/[ \t]+(?=\r\n|$)/g, '')
        .replace(/[ \t]+/g, ' ');
      piece = Buffer.from(s, 'latin1');
    }
    emit(piece);
    length += piece.length;
    from = to;
  }
  emit(CRLF);
  return length + 2;
}

/**
 * The header fields h= names, in order (§5.4.2): each name takes the last not yet used instance of that field,
 * bottom up; a name listed more often than the field occurs stands for nothing (signers use this to
 * forbid additions).
 */
export function selectSignedFields(headers: readonly HeaderField[], names: readonly string[]): HeaderField[] {
  const used = new Set<number>();
  const out: HeaderField[] = [];
  for (const name of names) {
    const key = name.trim().toLowerCase();
    for (let i = headers.length - 1; i >= 0; i--) {
      if (headers[i]!.key === key && !used.has(i)) {
        used.add(i);
        out.push(headers[i]!);
        break;
      }
    }
  }
  return out;
}

/** The signature field itself with the b= value emptied (§3.7), everything else byte for byte. */
export function withoutSignatureValue(field: HeaderField): HeaderField {
  const colon = field.raw.indexOf(':');
  const value = field.raw.slice(colon + 1).replace(/(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1$2');
  return { key: field.key, raw: field.raw.slice(0, colon + 1) + value };
}
