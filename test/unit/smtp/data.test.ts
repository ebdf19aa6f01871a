import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataPayload, hasEightBit, longestLine, normalizeCrlf } from '../../../src/smtp/data.js';

const b = (s: string) => Buffer.from(s, 'utf8');
/** What a receiver does (RFC 5321 §4.5.2): stop at the terminator, remove one leading dot per line. */
function unstuff(payload: Buffer): string {
  const s = payload.toString('utf8');
  expect(s === '.\r\n' || s.endsWith('\r\n.\r\n')).toBe(true);
  return s
    .slice(0, -3)
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? l.slice(1) : l))
    .join('\r\n');
}

describe('DATA payload (RFC 5321 §4.5.2 transparency, §2.3.8 line ends)', () => {
  it('dot-stuffs lines that start with a dot, including the first', () => {
    expect(dataPayload(b('.first\r\nmid.dle\r\n.\r\n..two\r\n')).toString()).toBe(
      '..first\r\nmid.dle\r\n..\r\n...two\r\n.\r\n',
    );
  });

  it('turns bare LF and bare CR into CRLF before stuffing', () => {
    expect(normalizeCrlf(b('a\nb\rc\r\nd')).toString()).toBe('a\r\nb\r\nc\r\nd');
    expect(dataPayload(b('a\n.b\n')).toString()).toBe('a\r\n..b\r\n.\r\n');
  });

  it('adds the missing final CRLF before the terminating dot', () => {
    expect(dataPayload(b('no newline')).toString()).toBe('no newline\r\n.\r\n');
    expect(dataPayload(b('')).toString()).toBe('.\r\n');
  });

  it('never lets the message end the DATA early, and round-trips through a receiver (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('.', 'a', '\r\n', '\n', '\r', 'é', ' '), { maxLength: 60 }), (parts) => {
        const msg = parts.join('');
        const payload = dataPayload(b(msg));
        const s = payload.toString('utf8');
        // The only CRLF.CRLF is the terminator at the very end.
        const idx = s.indexOf('\r\n.\r\n');
        expect(idx === -1 ? s === '.\r\n' : idx === s.length - 5).toBe(true);
        const normalized = normalizeCrlf(b(msg)).toString('utf8');
        expect(unstuff(payload)).toBe(
          normalized === '' || normalized.endsWith('\r\n') ? normalized : `${normalized}\r\n`,
        );
      }),
    );
  });

  it('detects 8-bit content and long lines', () => {
    expect(hasEightBit(b('plain'))).toBe(false);
    expect(hasEightBit(b('Grüße'))).toBe(true);
    expect(longestLine(b(`a\r\n${'x'.repeat(1000)}\r\nb`))).toBe(1000);
    expect(longestLine(b('abc'))).toBe(3);
  });
});
