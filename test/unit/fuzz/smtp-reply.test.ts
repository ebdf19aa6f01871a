// Property tests for the SMTP reply parser (RFC 5321 §4.2): the same bytes split anywhere give the same replies,
// generated replies come back as sent, and garbage is a failure value (malformed / too-long), never a throw,
// with the buffer bounded whatever the server sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REPLY_LINE, ReplyParser, type Reply } from '../../../src/smtp/reply.js';
import { FUZZ_TIMEOUT, fuzz } from './settings.js';

const code = fc.integer({ min: 200, max: 599 });
const text = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const reply = fc.tuple(code, fc.array(text, { minLength: 1, maxLength: 6 }));
const wire = ([c, lines]: [number, string[]]) =>
  lines.map((l, i) => `${c}${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join('');

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

const feedAll = (parts: Buffer[], p = new ReplyParser()) => parts.flatMap((c) => p.feed(c));
const strip = (r: Reply) => ({ code: r.code, lines: r.lines, kind: r.failure?.kind });

describe('SMTP reply parser (fuzz)', () => {
  it(
    'generated replies, split anywhere, come back as sent',
    () => {
      fc.assert(
        fc.property(
          fc.array(reply, { minLength: 1, maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 30 }),
          (replies, cuts) => {
            const bytes = Buffer.from(replies.map(wire).join(''));
            const got = feedAll(chunks(bytes, cuts));
            expect(got.map((r) => [r.code, r.lines])).toEqual(replies);
            expect(got.every((r) => !r.failure)).toBe(true);
          },
        ),
        fuzz(1500),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'arbitrary bytes: the same replies whichever way they are split; each a reply or a failure value',
    () => {
      const piece = fc.oneof(
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
        reply.map((r) => Buffer.from(wire(r))),
        fc
          .constantFrom('\r\n', '\n', '\r', '250-', '250 ', '550-', '220', '\x1b[31m', '\xff\xfe', '2500 x\r\n')
          .map((s) => Buffer.from(s, 'latin1')),
        // Lines right at the length limit (64 below), with their CRLF: the split between CR and LF matters.
        fc.integer({ min: 62, max: 66 }).map((n) => Buffer.from(`250 ${'x'.repeat(n - 4)}\r\n`)),
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 20 }), (pieces, cuts) => {
          const bytes = Buffer.concat(pieces);
          // Small limits so that long lines and long replies happen too.
          const whole = new ReplyParser(64, 4).feed(bytes);
          const split = feedAll(chunks(bytes, cuts), new ReplyParser(64, 4));
          expect(split.map(strip)).toEqual(whole.map(strip));
          for (const r of whole) {
            if (r.code === 0) expect(['malformed', 'too-long']).toContain(r.failure?.kind);
            else expect(r.code >= 200 && r.code <= 599 && !r.failure).toBe(true);
          }
        }),
        fuzz(1500),
      );
    },
    FUZZ_TIMEOUT,
  );

  it('a line of exactly the limit whose CR and LF arrive in different chunks is a reply, not too long', () => {
    const line = `250 ${'x'.repeat(60)}`;
    const p = new ReplyParser(64, 4);
    expect([...p.feed(`${line}\r`), ...p.feed('\n')]).toEqual(new ReplyParser(64, 4).feed(`${line}\r\n`));
  });

  it(
    'garbage lines (no reply code) are malformed failures',
    () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[^\r\n]{0,80}$/).filter((s) => !/^[2-5]\d\d([ -]|$)/.test(s)),
          (line) => {
            const out = new ReplyParser().feed(`${line}\r\n`);
            expect(out).toHaveLength(1);
            expect(out[0]).toMatchObject({ code: 0, failure: { kind: 'malformed' } });
          },
        ),
        fuzz(1000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'bounded: however many bytes without a line end arrive, at most one line is buffered',
    () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
          const p = new ReplyParser();
          let failures = 0;
          for (const n of sizes) {
            failures += p.feed(Buffer.alloc(n, 0x78)).length;
            expect(p.partial).toBeLessThanOrEqual(MAX_REPLY_LINE + 20_000);
          }
          const total = sizes.reduce((a, b) => a + b, 0);
          expect(failures).toBe(total > MAX_REPLY_LINE ? 1 : 0);
          // After the endless line finally ends, parsing resumes.
          expect(p.feed('\r\n250 ok\r\n').filter((r) => r.code === 250)).toHaveLength(1);
        }),
        fuzz(300),
      );
    },
    FUZZ_TIMEOUT,
  );
});
