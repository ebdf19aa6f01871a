// A received message's bytes (message-bytes.ts), which messages go to a verify thread (verify-threads.ts), and
// the Maildir writing shared blocks as they are.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMaildir } from '../../../src/receive/maildir.js';
import { MessageBytes, SHARE_FROM, messageBytes } from '../../../src/receive/message-bytes.js';
import { INLINE_MAX, needsThread } from '../../../src/receive/verify-threads.js';

const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 10)) & 0xff));
const fed = (raw: Buffer, chunk: number) => {
  const m = new MessageBytes();
  for (let off = 0; off < raw.length; off += chunk) m.push(raw.subarray(off, off + chunk));
  return m;
};

describe('MessageBytes', () => {
  it('a small message stays ordinary memory, joined once', () => {
    const raw = pattern(SHARE_FROM);
    const m = fed(raw, 1000);
    expect(m.shared).toBe(false);
    expect(m.length).toBe(raw.length);
    expect(m.parts()).toHaveLength(1);
    expect(m.whole().equals(raw)).toBe(true);
    expect(m.whole()).toBe(m.whole());
  });

  it('past SHARE_FROM the bytes are copied as they come into 1 MiB blocks of shared memory, in order', () => {
    const raw = pattern(2.5 * 1024 * 1024 + 17);
    const m = fed(raw, 65_537);
    expect(m.shared).toBe(true);
    const parts = m.parts();
    expect(parts.map((p) => p.length)).toEqual([1 << 20, 1 << 20, raw.length - (2 << 20)]);
    expect(parts.every((p) => p.buffer instanceof SharedArrayBuffer)).toBe(true);
    expect(Buffer.concat(parts).equals(raw)).toBe(true);
    expect(m.whole().equals(raw)).toBe(true);
  });

  it('the chunk that crosses SHARE_FROM moves what came before it into the blocks too', () => {
    const raw = pattern(SHARE_FROM + 1);
    const m = fed(raw, SHARE_FROM - 10);
    expect(m.shared).toBe(true);
    expect(Buffer.concat(m.parts()).equals(raw)).toBe(true);
  });
});

describe('which messages are verified on a thread', () => {
  const msg = (s: string) => messageBytes(Buffer.from(s, 'latin1'));

  it('unsigned and small: here (a parse and a DMARC lookup)', () => {
    expect(needsThread(msg('From: a@example.test\r\nSubject: hi\r\n\r\nhello\r\n'))).toBe(false);
    // A signature named in the body is not a signature.
    expect(needsThread(msg('From: a@example.test\r\n\r\nDKIM-Signature: v=1\r\nARC-Seal: i=1\r\n'))).toBe(false);
    expect(needsThread(msg('From: a@example.test\n\nDKIM-Signature: v=1\n'))).toBe(false);
  });

  it('any DKIM-Signature or ARC set, whatever the case or line ends; anything over INLINE_MAX', () => {
    expect(needsThread(msg('DKIM-Signature: v=1; d=a.test\r\nFrom: a@a.test\r\n\r\nx\r\n'))).toBe(true);
    expect(needsThread(msg('From: a@a.test\ndkim-signature : v=1\n\nx\n'))).toBe(true);
    expect(needsThread(msg('From: a@a.test\r\narc-seal: i=1\r\n\r\nx\r\n'))).toBe(true);
    expect(needsThread(msg('From: a@a.test\r\nARC-Message-Signature: i=1\r\n\r\nx\r\n'))).toBe(true);
    expect(needsThread(msg('From: a@a.test\r\nDKIM-Signature: v=1'))).toBe(true); // no body at all
    expect(needsThread(msg(`From: a@a.test\r\n\r\n${'x'.repeat(INLINE_MAX)}`))).toBe(true);
  });
});

describe('Maildir delivery of shared blocks', () => {
  it('writes the header copy and then the shared blocks, byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-shared-'));
    try {
      const md = await openMaildir(dir);
      const raw = pattern(3 * 1024 * 1024 + 5);
      const m = fed(raw, 60_000);
      const stored = await md.deliver([Buffer.from('Received: x\r\n'), ...m.parts()]);
      await md.close();
      const file = await readFile(stored.path);
      expect(file.equals(Buffer.concat([Buffer.from('Received: x\r\n'), raw]))).toBe(true);
      // The blocks were read where they are, not moved: still usable here.
      expect(m.whole().equals(raw)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
