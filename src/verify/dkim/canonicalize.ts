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

/**
 * §3.4.3 simple: trailing empty lines removed, a body ends in exactly one CRLF (an empty body is CRLF).
 * §3.4.4 relaxed: trailing WSP on each line dropped, WSP runs → one SP, trailing empty lines removed;
 * an empty body stays empty (and, per erratum 1384, a last line without CRLF gets one).
 */
export function canonicalizeBody(body: Buffer, canon: Canon): Buffer {
  if (canon === 'simple') {
    let end = body.length;
    while (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    return end === 0 ? CRLF : Buffer.concat([body.subarray(0, end), CRLF]);
  }
  let s = body.toString('latin1');
  if (/[ \t]/.test(s)) s = s.replace(/[ \t]+(?=\r\n|$)/g, '').replace(/[ \t]+/g, ' ');
  let end = s.length;
  while (end >= 2 && s.charCodeAt(end - 2) === 13 && s.charCodeAt(end - 1) === 10) end -= 2;
  return end === 0 ? Buffer.alloc(0) : Buffer.from(`${s.slice(0, end)}\r\n`, 'latin1');
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
