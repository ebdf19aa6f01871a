// The format of `verify` follows what was asked, never how many messages turned up: one message file gives the
// full report (one JSON object); a Maildir, a folder or an mbox gives a stream (NDJSON, a line per message) even
// when it holds a single message, so a script reading the output never meets two shapes.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ZONES = ['--offline', '--zone', 'fixtures/zones/mail.test.zone'];
const tmp = mkdtempSync(join(tmpdir(), 'mc-verify-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const maildir = join(tmp, 'Maildir');
for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
copyFileSync('fixtures/eml/signed-rsa.eml', join(maildir, 'new', '1.eml'));
const mbox = join(tmp, 'one.mbox');
// mboxrd: a body line starting with "From " is quoted with '>' (RFC 4155), and the reader takes it off again.
const eml = readFileSync('fixtures/eml/signed-rsa.eml', 'latin1').replace(/^(>*From )/gm, '>$1');
writeFileSync(
  mbox,
  `From alice@mail.test Thu Jan  1 00:00:00 2026
${eml}
`,
  'latin1',
);

describe('verify --json: one object for a message file, NDJSON for a folder or mbox', () => {
  it('one message file: one pretty JSON object', async () => {
    const r = await runCli(['verify', 'fixtures/eml/signed-rsa.eml', ...ZONES, '--json']);
    expect(r.stdout.split('\n').length).toBeGreaterThan(3);
    expect(JSON.parse(r.stdout).dmarc.result).toBe('pass');
  });

  it.each([
    ['a Maildir holding one message', maildir],
    ['an mbox holding one message', mbox],
  ])('%s: one NDJSON line', async (_what, target) => {
    const r = await runCli(['verify', target, ...ZONES, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(JSON.parse(lines[0]!).dmarc.result).toBe('pass');
  });

  it('text: a Maildir of one message is a line and a summary, as for many', async () => {
    const r = await runCli(['verify', maildir, ...ZONES]);
    expect(r.stdout).toMatch(/^✓ .*1\.eml +alice@mail\.test +dmarc=pass/);
    expect(r.stdout).toMatch(/1 message verified/);
  });

  it('--all: the full report of each message of a folder', async () => {
    const r = await runCli(['verify', maildir, ...ZONES, '--all']);
    expect(r.stdout).toMatch(/^Message .*1\.eml\n {2}From: {4}alice@mail\.test/);
    expect(r.stdout).toMatch(/\nFindings\n[^]*✓ DMARC pass for mail\.test/);
  });
});
