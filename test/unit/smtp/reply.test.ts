import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyParser, makeReply, replyText, replyToLines, type Reply } from '../../../src/smtp/reply.js';

const EHLO = '250-mx.example.test Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n';

function feedInChunks(text: string | Buffer, sizes: number[]): Reply[] {
  const p = new ReplyParser();
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const out: Reply[] = [];
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(...p.feed(bytes.subarray(i, i + n)));
    i += n;
  }
  return out;
}

describe('ReplyParser (RFC 5321 §4.2)', () => {
  it('joins a multi-line EHLO reply into one reply', () => {
    const [r, ...rest] = new ReplyParser().feed(EHLO);
    expect(rest).toEqual([]);
    expect(r).toEqual({
      code: 250,
      lines: ['mx.example.test Hello', 'PIPELINING', 'SIZE 10240000', 'STARTTLS', '8BITMIME'],
    });
  });

  it('gives the same replies whatever the chunk sizes (one byte at a time, odd sizes)', () => {
    const text = `220 mx ESMTP\r\n${EHLO}250 2.1.0 Ok\r\n550-5.1.1 no\r\n550 5.1.1 such user\r\n`;
    const whole = new ReplyParser().feed(text);
    expect(whole).toHaveLength(4);
    for (const sizes of [[1], [2], [3, 7], [5, 1, 13], [64]]) expect(feedInChunks(text, sizes)).toEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(feedInChunks(text, sizes)).toEqual(whole);
      }),
    );
  });

  it('does not split a UTF-8 character cut across two chunks', () => {
    const text = Buffer.from('250 2.0.0 Grüße 🎉\r\n');
    expect(feedInChunks(text, [12, 1, 1, 1])).toEqual([{ code: 250, enhanced: '2.0.0', lines: ['2.0.0 Grüße 🎉'] }]);
  });

  it('reads enhanced status codes only when their class matches the reply code (RFC 3463 §2)', () => {
    expect(makeReply(550, ['5.7.1 Relay access denied']).enhanced).toBe('5.7.1');
    expect(makeReply(451, ['4.3.0 Try again']).enhanced).toBe('4.3.0');
    expect(makeReply(250, ['5.0.0 mismatched']).enhanced).toBeUndefined();
    expect(makeReply(250, ['2.1.0Ok']).enhanced).toBeUndefined();
    expect(makeReply(250, ['2.01.005 padded']).enhanced).toBe('2.1.5');
  });

  it('accepts a code with no text, and bare LF line ends', () => {
    expect(new ReplyParser().feed('250\n354 go\n')).toEqual([
      { code: 250, lines: [''] },
      { code: 354, lines: ['go'] },
    ]);
  });

  it('reports a line without a reply code as malformed, not a throw', () => {
    const [r] = new ReplyParser().feed('hello there\r\n');
    expect(r).toMatchObject({ code: 0, failure: { kind: 'malformed' }, lines: ['hello there'] });
  });

  it('reports a continuation line with another code as malformed (RFC 5321 §4.2.1)', () => {
    const [r] = new ReplyParser().feed('250-first\r\n251 second\r\n');
    expect(r).toMatchObject({ code: 0, failure: { kind: 'malformed', message: expect.stringContaining('251') } });
  });

  it('bounds the line length: an endless line is one too-long failure, then parsing resumes', () => {
    const p = new ReplyParser(100);
    const out: Reply[] = [];
    for (let i = 0; i < 50; i++) out.push(...p.feed('x'.repeat(37)));
    expect(out).toEqual([
      { code: 0, lines: [], failure: { kind: 'too-long', message: expect.stringContaining('100') } },
    ]);
    expect(p.partial).toBeLessThanOrEqual(100);
    expect(p.feed('xxx\r\n250 ok\r\n')).toEqual([{ code: 250, lines: ['ok'] }]);
  });

  it('bounds the number of lines in one reply', () => {
    const p = new ReplyParser(4096, 10);
    const out = p.feed('250-x\r\n'.repeat(20));
    expect(out[0]).toMatchObject({ code: 0, failure: { kind: 'too-long' } });
  });

  it('reset() drops buffered bytes (plaintext after STARTTLS must not be used)', () => {
    const p = new ReplyParser();
    p.feed('250-partial\r\n250 inj');
    expect(p.inReply).toBe(true);
    expect(p.reset()).toBeGreaterThan(0);
    expect(p.feed('220 fresh\r\n')).toEqual([{ code: 220, lines: ['fresh'] }]);
  });

  it('formats replies for transcripts and reports', () => {
    const r = new ReplyParser().feed(EHLO)[0]!;
    expect(replyToLines(r)).toEqual(EHLO.trimEnd().split('\r\n'));
    expect(replyText(makeReply(550, ['5.1.1 no', 'such user']))).toBe('550 5.1.1 no such user');
    expect(replyText({ code: 0, lines: [], failure: { kind: 'timeout', message: 'no reply within 5 ms' } })).toBe(
      'timeout: no reply within 5 ms',
    );
  });
});
