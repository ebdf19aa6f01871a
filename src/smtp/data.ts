// The DATA payload (RFC 5321 §4.1.1.4, §4.5.2): every line ends in CRLF, a line starting with "." gets
// another "." (transparency), and the message ends with CRLF.CRLF. Pure.

/** Bare LF and bare CR become CRLF (RFC 5321 §2.3.8: only CRLF ends a line). */
export function normalizeCrlf(message: Buffer): Buffer {
  let needs = false;
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (c === 0x0a && (i === 0 || message[i - 1] !== 0x0d)) {
      needs = true;
      break;
    }
    if (c === 0x0d && message[i + 1] !== 0x0a) {
      needs = true;
      break;
    }
  }
  if (!needs) return message;
  const out: number[] = [];
  for (let i = 0; i < message.length; i++) {
    const c = message[i]!;
    if (c === 0x0d) {
      out.push(0x0d, 0x0a);
      if (message[i + 1] === 0x0a) i++;
    } else if (c === 0x0a) {
      out.push(0x0d, 0x0a);
    } else {
      out.push(c);
    }
  }
  return Buffer.from(out);
}

/** The bytes to send after a 354: normalised, dot-stuffed, terminated by ".\r\n" on a line of its own. */
export function dataPayload(message: Buffer): Buffer {
  const body = normalizeCrlf(message);
  const parts: Buffer[] = [];
  let start = 0;
  // Walk line starts: the first byte, and every byte after a CRLF.
  for (let i = 0; i <= body.length; i++) {
    const atLineStart = i === 0 || (body[i - 1] === 0x0a && body[i - 2] === 0x0d);
    if (atLineStart && i < body.length && body[i] === 0x2e) {
      parts.push(body.subarray(start, i), Buffer.from('.'));
      start = i;
    }
  }
  parts.push(body.subarray(start));
  const ends = body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a;
  parts.push(Buffer.from(ends || body.length === 0 ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

/** True when any byte is ≥ 0x80: such a message needs 8BITMIME (RFC 6152) or SMTPUTF8 (RFC 6531). */
export function hasEightBit(message: Buffer): boolean {
  for (const b of message) if (b >= 0x80) return true;
  return false;
}

/** RFC 5322 §2.1.1: no line longer than 998 characters (excluding CRLF). */
export function longestLine(message: Buffer): number {
  let max = 0;
  let start = 0;
  for (let i = 0; i < message.length; i++) {
    if (message[i] === 0x0a) {
      const len = i - start - (i > 0 && message[i - 1] === 0x0d ? 1 : 0);
      if (len > max) max = len;
      start = i + 1;
    }
  }
  return Math.max(max, message.length - start);
}
