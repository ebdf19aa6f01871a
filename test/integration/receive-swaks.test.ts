// swaks (Debian) as an independent SMTP client against our receiver: many messages, attachments (byte-exact
// after the trace headers), pipelining, STARTTLS, an oversize message (552, nothing stored), bad input.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/receive/self-signed.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';

const exec = promisify(execFile);
const missing = await exec('swaks', ['--version']).then(
  () => undefined,
  () => 'swaks not installed (Debian: apt-get install swaks)',
);
const suite = missing && !process.env.CI ? describe.skip : describe;
const dir = mkdtempSync(join(tmpdir(), 'mc-swaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs swaks; resolves with its exit code and transcript (swaks exits non-zero on a refused transaction). */
async function swaks(port: number, args: string[]): Promise<{ code: number; out: string }> {
  return exec('swaks', ['--server', `127.0.0.1:${port}`, '--helo', 'client.mail.test', ...args], {
    maxBuffer: 1 << 24,
  }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
}

suite('receive with swaks as the client', () => {
  let r: TestReceiver | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });
  beforeAll(() => {
    if (missing) throw new Error(missing);
  });

  it('many messages, several at a time: every 250 is a file, every file a reported message', async () => {
    r = await startTestReceiver();
    const port = r.port;
    const runs = Array.from(
      { length: 40 },
      (_, i) => () =>
        swaks(port, ['--from', 'alice@mail.test', '--to', `rcpt${i}@example.net`, '--header', `Subject: message ${i}`]),
    );
    const results: { code: number }[] = [];
    for (let i = 0; i < runs.length; i += 8) results.push(...(await Promise.all(runs.slice(i, i + 8).map((f) => f()))));
    expect(results.every((x) => x.code === 0)).toBe(true);
    await r.waitFor(40);
    expect((await r.files()).new).toHaveLength(40);
    expect(new Set(r.messages.map((m) => m.rcptTo[0])).size).toBe(40);
    expect(r.messages.every((m) => m.auth.spf.result === 'pass' && m.auth.dmarc.result === 'pass')).toBe(true); // SPF aligned, p=reject
  });

  it('an attachment arrives byte for byte, and pipelined commands are answered in order (RFC 2920)', async () => {
    r = await startTestReceiver();
    const blob = randomBytes(50_000);
    writeFileSync(join(dir, 'blob.bin'), blob);
    const { code, out } = await swaks(r.port, [
      '--from',
      'alice@mail.test',
      '--to',
      'bob@example.net',
      '--attach',
      `@${join(dir, 'blob.bin')}`,
      '--pipeline',
    ]);
    expect(code).toBe(0);
    // Pipelined: MAIL, RCPT and DATA went out before the first of their replies came back.
    expect(out).toMatch(
      / -> MAIL FROM:<alice@mail\.test>\n -> RCPT TO:<bob@example\.net>\n -> DATA\n<- {2}250 Accepted\n<- {2}250 Accepted\n<- {2}354/,
    );
    const [m] = await r.waitFor(1);
    const stored = readFileSync(m!.file, 'latin1');
    const b64 =
      /filename="blob\.bin"\r\nContent-Transfer-Encoding: BASE64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n\r\n--/.exec(
        stored,
      )![1]!;
    expect(Buffer.from(b64.replace(/\r\n/g, ''), 'base64').equals(blob)).toBe(true);
    expect(m!.size).toBeGreaterThan(blob.length);
  });

  it('STARTTLS with swaks -tls: the Received header records the TLS version', async () => {
    r = await startTestReceiver({ tls: 'starttls', ...selfSignedCertificate('mx.mail.test') });
    const { code, out } = await swaks(r.port, ['--from', 'alice@mail.test', '--to', 'bob@example.net', '-tls']);
    expect(code).toBe(0);
    expect(out).toMatch(/TLS started with cipher TLSv1\.[23]/);
    const [m] = await r.waitFor(1);
    expect(m!.tls).toBe(true);
    expect(readFileSync(m!.file, 'latin1')).toMatch(/\(using TLSv1\.[23] with cipher/);
  });

  it('a DKIM-signed fixture sent by swaks passes everything', async () => {
    r = await startTestReceiver();
    const { code } = await swaks(r.port, [
      '--from',
      'alice@mail.test',
      '--to',
      'bob@example.net',
      '--data',
      `@${new URL('../../fixtures/eml/signed-rsa.eml', import.meta.url).pathname}`,
    ]);
    expect(code).toBe(0);
    expect((await r.waitFor(1))[0]!.auth).toMatchObject({
      spf: { result: 'pass' },
      dkim: [{ result: 'pass', domain: 'mail.test' }],
      dmarc: { result: 'pass' },
    });
  });

  it('an oversize message gets 552 after DATA and nothing is stored; the next one is fine', async () => {
    r = await startTestReceiver({ maxSize: 20_000 });
    const big = await swaks(r.port, [
      '--from',
      'alice@mail.test',
      '--to',
      'bob@example.net',
      '--body',
      'x'.repeat(70).concat('\n').repeat(600),
    ]);
    expect(big.code).not.toBe(0);
    expect(big.out).toMatch(/<\*\* 552 Error: message exceeds fixed maximum message size 20000/);
    expect((await r.files()).new).toEqual([]);
    expect((await swaks(r.port, ['--from', 'alice@mail.test', '--to', 'bob@example.net'])).code).toBe(0);
    await r.waitFor(1);
  });

  it('bad input: a malformed sender gets 501; a non-RFC 5322 body is stored and flagged', async () => {
    r = await startTestReceiver();
    const bad = await swaks(r.port, ['--from', 'not an address', '--to', 'bob@example.net']);
    expect(bad.out).toMatch(/<\*\* 501 /);
    writeFileSync(join(dir, 'junk.txt'), 'no headers here, just words\r\nand more words\r\n');
    expect(
      (
        await swaks(r.port, [
          '--from',
          'alice@mail.test',
          '--to',
          'bob@example.net',
          '--data',
          `@${join(dir, 'junk.txt')}`,
        ])
      ).code,
    ).toBe(0);
    const [m] = await r.waitFor(1);
    expect(m!.findings.map((f) => f.id)).toContain('receive.message.malformed');
  });
});
