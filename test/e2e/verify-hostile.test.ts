// `mailcheck verify` on hostile files (issue #8): not a message (binary, empty, a directory of junk), a 100 MB
// message (completes, peak RSS bounded), a header section without a body, broken MIME, invalid UTF-8, and
// terminal escapes in headers. Each file gets its own report line and the contract's exit code.
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, runCliPeakRss } from '../helpers/cli.js';

const ZONES = ['--offline', '--zone', 'fixtures/zones/mail.test.zone', '--zone', 'fixtures/zones/mailer.test.zone'];
const tmp = mkdtempSync(join(tmpdir(), 'mc-verify-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};
type Line = Record<string, unknown> & { file: string; error?: string };
/** One message: one (pretty) JSON object; several: NDJSON. */
const ndjson = (s: string): Line[] => {
  try {
    return [JSON.parse(s) as Line];
  } catch {
    return s
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  }
};
const SIGNED = readFileSync(join(ROOT, 'fixtures/eml/signed-rsa.eml'));

describe('files that are not messages', () => {
  it('random bytes, an empty file and a binary with NULs: one error line each, exit 2, the good file still verified', async () => {
    const files = [
      file('random.bin', randomBytes(4096)),
      file('empty.eml', ''),
      file('nul.eml', Buffer.from('\0\0\0From: x\0\r\n\r\n\0')),
      join(ROOT, 'fixtures/eml/signed-rsa.eml'),
    ];
    const r = await runCli(['verify', ...files, ...ZONES, '--json']);
    expect(r.code).toBe(2);
    const lines = ndjson(r.stdout);
    expect(lines.map((l) => l.file)).toEqual(files);
    expect(lines.slice(0, 3).every((l) => typeof l.error === 'string')).toBe(true);
    expect(lines[3]).toMatchObject({ dmarc: { result: 'pass' } });
    expect(r.stderr.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('odd but real messages: a verdict, not an error', () => {
  const cases: [string, string | Buffer][] = [
    ['headers-only.eml', 'From: Alice <alice@mail.test>\r\nTo: bob@example.net\r\nSubject: no body at all\r\n'],
    ['headers-only-no-newline.eml', 'From: Alice <alice@mail.test>\r\nSubject: no final line end'],
    [
      'broken-mime.eml',
      'From: alice@mail.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: multipart/alternative; boundary="b1"\r\n\r\n--b1\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--b2--\r\n',
    ],
    [
      'bad-utf8.eml',
      Buffer.concat([
        Buffer.from('From: "'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
        Buffer.from('" <alice@mail.test>\r\nSubject: '),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('\r\n\r\nbody \xff\xfe\r\n', 'latin1'),
      ]),
    ],
    ['lf-only.eml', 'From: alice@mail.test\nSubject: bare LF\n\nbody\n'],
  ];
  it.each(cases)('%s: reported with a DMARC result, exit 1 (no DMARC pass)', async (name, content) => {
    const r = await runCli(['verify', file(name, content), ...ZONES, '--json']);
    const [line] = ndjson(r.stdout);
    expect(line!.error).toBeUndefined();
    expect(line).toMatchObject({ dmarc: { result: expect.any(String) }, dkim: expect.any(Array) });
    expect(r.code).toBe(1);
    const text = await runCli(['verify', join(tmp, name), ...ZONES]);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
});

describe('terminal safety: the message header', () => {
  it('ESC, CSI, OSC, BEL and C1 bytes in From and Subject are escaped in verify text output', async () => {
    const evil = file(
      'evil.eml',
      'From: "\x1b[2J\x1b]0;pwned\x07" <alice@mail.test>\r\nSubject: \x1b[31mred\x9b1m \x9d0;x\x07\r\nDKIM-Signature: v=1; a=rsa-sha256; d=mail.test; s=\x1b[5m; h=from; bh=x; b=y\r\n\r\nbody\r\n',
    );
    for (const extra of [[], ['-v']]) {
      const r = await runCli(['verify', evil, ...ZONES, ...extra]);
      expect(r.stdout.length).toBeGreaterThan(0);
      for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
  });
});

describe('a 100 MB message', () => {
  it('is verified (the body hash of 100 MB) and reported, with peak RSS bounded', async () => {
    const big = join(tmp, 'big.eml');
    const fd = openSync(big, 'w');
    writeSync(fd, SIGNED.subarray(0, SIGNED.indexOf('\r\n\r\n') + 4));
    const block = Buffer.from(`${'0123456789abcdef'.repeat(4)}\r\n`.repeat(16 * 1024));
    for (let written = 0; written < 100 * 1024 * 1024; written += block.length) writeSync(fd, block);
    closeSync(fd);
    const r = await runCliPeakRss(['verify', big, ...ZONES, '--json'], { timeoutMs: 120_000 });
    const rssMiB = r.rssMiB;
    const [line] = ndjson(r.stdout);
    // The body was changed after signing (it is the fixture's header over a new body): the body hash fails.
    expect(line).toMatchObject({
      file: big,
      size: expect.any(Number),
      dkim: [{ result: 'fail', domain: 'mail.test' }],
    });
    expect(line!.size as number).toBeGreaterThan(100 * 1024 * 1024);
    expect(r.code).toBe(1);
    // The body is canonicalized and hashed in slices: the file's bytes plus little (measured ~155 MiB).
    expect(rssMiB).toBeLessThan(300);
  }, 150_000);
});

describe('a Maildir full of junk', () => {
  it('every file reported on its own; exit 2', async () => {
    const md = join(tmp, 'Junk');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(md, 'new', `${i}.M1P1.host`), i % 2 ? randomBytes(512) : SIGNED);
    const r = await runCli(['verify', md, ...ZONES, '--json']);
    const lines = ndjson(r.stdout);
    expect(lines).toHaveLength(20);
    expect(lines.filter((l) => l.error)).toHaveLength(10);
    expect(r.code).toBe(2);
  });
});
