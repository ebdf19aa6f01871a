// No domains, no messages: bad input (exit 2, one line on stderr), never a green "0 failed" a CI gate would take
// for a pass. `--allow-empty` says an empty list is expected.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const OFFLINE = ['--offline', '--zone', 'fixtures/zones/posture.test.zone'];
const tmp = mkdtempSync(join(tmpdir(), 'mc-empty-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('check --batch with no domains', () => {
  const empty = join(tmp, 'empty.txt');
  const comments = join(tmp, 'comments.txt');
  writeFileSync(empty, '');
  writeFileSync(comments, '# nothing yet\n\n   \n');

  it.each([
    ['an empty file', empty, 'text'],
    ['a file of comments and blank lines', comments, 'json'],
    ['an empty file, JUnit', empty, 'junit'],
  ])('%s is exit 2 with one line, and nothing on stdout', async (_what, file, format) => {
    const r = await runCli(['check', '--batch', file, ...OFFLINE, '--format', format]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `mailcheck: no domains in '${file}' (only blank lines and # comments); --allow-empty accepts an empty list\n`,
    );
  });

  it('empty stdin is exit 2 too, after reading it (JUnit not half written)', async () => {
    for (const format of ['text', 'junit']) {
      const r = await runCli(['check', '--batch', '-', ...OFFLINE, '--format', format], { input: '# none\n' });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^mailcheck: no domains in stdin .*\n$/);
    }
  });

  it('--allow-empty: exit 0, the usual summary (text) or a valid empty JUnit document', async () => {
    const text = await runCli(['check', '--batch', empty, ...OFFLINE, '--allow-empty']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/0 domains in [\d.]+ s .*: 0 ok, 0 failed, 0 unknown/);
    const junit = await runCli(['check', '--batch', '-', ...OFFLINE, '--allow-empty', '--format', 'junit']);
    expect(junit.code).toBe(0);
    expect(junit.stdout).toMatch(/^<\?xml [^\n]*\n<testsuites[^>]*>\n<\/testsuites>\n$/);
  });
});

describe('verify with no messages', () => {
  const maildir = join(tmp, 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  const folder = join(tmp, 'folder');
  mkdirSync(folder);

  it('an empty Maildir or folder is exit 2 with one line, text or JSON', async () => {
    for (const json of [[], ['--json']]) {
      const r = await runCli(['verify', maildir, folder, '--offline', ...json]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `mailcheck: no messages in '${maildir}', '${folder}' (a Maildir's new/ and cur/, or the files of a folder); --allow-empty accepts that\n`,
      );
    }
  });

  it('next to messages, an empty folder is an error of its own (exit 2) while the messages are verified', async () => {
    const r = await runCli([
      'verify',
      'fixtures/eml/signed-rsa.eml',
      maildir,
      '--offline',
      '--zone',
      'fixtures/zones/mail.test.zone',
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mailcheck: ${maildir}: no messages in this folder (--allow-empty accepts that)\n`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.dmarc?.result ?? l.findings[0].id])).toEqual([['verify.input.empty'], ['pass']]);
  });

  it('--allow-empty: exit 0; text says 0 messages, JSON prints nothing', async () => {
    const text = await runCli(['verify', maildir, '--offline', '--allow-empty']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/0 messages verified/);
    const json = await runCli(['verify', maildir, '--offline', '--allow-empty', '--json']);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe('');
  });
});
