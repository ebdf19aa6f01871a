// The main thread's side of the verify threads (verify-threads.ts), with stand-in thread scripts: the message
// reaches the thread (shared or moved), DNS is answered by the main thread's resolver, a verdict comes back, and
// a thread that never answers fails its message within the deadline and is replaced, one that crashes at once.
// (The real thread script runs from the build: test/e2e/receive*.test.ts.)
import type { ConnectionFacts } from '../../../src/verify/requirements/types.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageVerdict } from '../../../src/verify/types.js';
import { messageBytes } from '../../../src/receive/message-bytes.js';
import { startVerifier } from '../../../src/receive/verify-threads.js';
import type { SpfVerdict } from '../../../src/verify/spf.js';
import { fakeResolver } from '../../helpers/fake-resolver.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'verify-threads-'));
  // Asks the main thread for a TXT record, then answers with what it read: the message's length and first line,
  // whether it came in shared memory, and the record.
  await writeFile(
    join(dir, 'echo.mjs'),
    `import { parentPort } from 'node:worker_threads';
const asked = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'dns') return asked.get(m.id)(m.answer);
  new Promise((r) => { asked.set(m.id, r); parentPort.postMessage({ type: 'dns', id: m.id, name: 'key.test', rrtype: 'TXT' }); })
    .then((answer) => {
      const raw = Buffer.concat(m.raw.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
      parentPort.postMessage({ type: 'verdict', id: m.id, verdict: {
        from: raw.toString('latin1').split('\\r\\n')[0], subject: String(raw.length),
        messageId: m.raw[0].buffer instanceof SharedArrayBuffer ? 'shared' : 'moved',
        authenticationResults: m.input.authservId + ' ' + answer.records.join(''), findings: [] } });
    });
});`,
  );
  // Dies on a message that says CRASH (an uncaught exception, or exit for EXIT); answers any other at once. The crash
  // comes 50 ms after the message: a verdict posted just before it is answered, not racing the thread's end (which
  // the parent may see first, and then fails that message too — a 451, the client retries).
  await writeFile(
    join(dir, 'crash.mjs'),
    `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.type !== 'verify') return;
  const raw = Buffer.concat(m.raw.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))).toString('latin1');
  if (raw.includes('CRASH')) setTimeout(() => { throw new Error('boom'); }, 50);
  else if (raw.includes('EXIT')) process.exit(7);
  else parentPort.postMessage({ type: 'verdict', id: m.id, verdict: { from: 'ok', findings: [] } });
});`,
  );
  await writeFile(
    join(dir, 'stuck.mjs'),
    `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const spf = { result: 'none', domain: '', identity: 'mailfrom', sender: '', ip: '192.0.2.1' } as unknown as SpfVerdict;
const connection: ConnectionFacts = {
  source: 'smtp',
  ip: '192.0.2.1',
  tls: false,
  client: { name: null, ptr: [], iprev: 'fail' },
};
const ctx = { resolver: fakeResolver({ 'key.test TXT': ['v=DKIM1; p=abc'] }), now: () => new Date() };
const signed = (size: number) =>
  Buffer.from(`DKIM-Signature: v=1\r\nFrom: a@mail.test\r\n\r\n${'x'.repeat(Math.max(0, size - 40))}`, 'latin1');

describe('verify threads', () => {
  it('a signed message goes to a thread (moved when small, shared when big); DNS is answered from here', async () => {
    const v = startVerifier(2, ctx, { script: pathToFileURL(join(dir, 'echo.mjs')) });
    try {
      for (const [size, how] of [
        [2000, 'moved'],
        [3 << 20, 'shared'],
      ] as const) {
        const bytes = messageBytes(signed(size));
        const verdict = (await v.verdict({ authservId: 'mx.test', spf, connection }, bytes)) as MessageVerdict;
        expect(verdict).toMatchObject({
          from: 'DKIM-Signature: v=1',
          subject: String(bytes.length),
          messageId: how,
          authenticationResults: 'mx.test v=DKIM1; p=abc',
        });
      }
      expect(v.threads).toBe(1); // one at a time: the first thread was idle again
    } finally {
      await v.close();
    }
  });

  it('an unsigned small message is verified here, without a thread', async () => {
    const v = startVerifier(2, ctx, { script: pathToFileURL(join(dir, 'stuck.mjs')) });
    try {
      const verdict = await v.verdict(
        { authservId: 'mx.test', spf, connection },
        messageBytes(Buffer.from('From: a@mail.test\r\n\r\nhi\r\n')),
      );
      expect(verdict.from).toBe('a@mail.test');
      expect(v.threads).toBe(0);
    } finally {
      await v.close();
    }
  });

  it('a thread that never answers: the message fails within the deadline, and the thread is replaced', async () => {
    const v = startVerifier(1, ctx, { script: pathToFileURL(join(dir, 'stuck.mjs')), deadlineMs: 300 });
    try {
      const t0 = performance.now();
      await expect(v.verdict({ authservId: 'mx.test', spf, connection }, messageBytes(signed(2000)))).rejects.toThrow(
        /did not finish within/,
      );
      expect(performance.now() - t0).toBeLessThan(3000);
      // Retired at once, before it has even exited: a message arriving now is not handed to the dying thread
      // (it would fail as 'a verify thread exited'), it starts a new one.
      expect(v.threads).toBe(0);
      await expect(v.verdict({ authservId: 'mx.test', spf, connection }, messageBytes(signed(2000)))).rejects.toThrow(
        /did not finish/,
      );
    } finally {
      await v.close();
    }
  });

  it('a thread that crashes or exits fails its messages at once (451 for the client), and the next one gets a new thread', async () => {
    const v = startVerifier(1, ctx, { script: pathToFileURL(join(dir, 'crash.mjs')), deadlineMs: 60_000 });
    const input = { authservId: 'mx.test', spf, connection };
    const message = (text: string) =>
      messageBytes(Buffer.from(`DKIM-Signature: v=1\r\nFrom: a@mail.test\r\n\r\n${text}\r\n`));
    try {
      const t0 = performance.now();
      await expect(v.verdict(input, message('CRASH'))).rejects.toThrow(/boom|exited/);
      await expect(v.verdict(input, message('EXIT'))).rejects.toThrow(/exited \(code 7\)/);
      expect(performance.now() - t0).toBeLessThan(5000); // not the 60 s deadline
      // Two at once on the one thread: the one answered before the crash keeps its verdict.
      const both = await Promise.allSettled([v.verdict(input, message('fine')), v.verdict(input, message('CRASH'))]);
      expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect((await v.verdict(input, message('fine'))).from).toBe('ok');
      expect(v.threads).toBe(1);
    } finally {
      await v.close();
    }
  });
});
