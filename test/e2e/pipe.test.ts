// A reader that goes away early (`mailcheck … | head -1`) ends the command quietly: no EPIPE stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

function closeAfterFirstChunk(args: string[], input = ''): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stderr = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.stdout.once('data', () => c.stdout.destroy());
    c.on('close', (code) => resolve({ code, stderr }));
    c.stdin.end(input);
  });
}

describe('a closed stdout', () => {
  it('check --batch streaming NDJSON into a reader that stops after the first line', async () => {
    const domains = Array.from({ length: 3000 }, () => 'example.test').join('\n');
    const r = await closeAfterFirstChunk(
      ['check', '--batch', '-', '--offline', '--zone', 'fixtures/zones/example.test.zone', '--json'],
      domains,
    );
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
  }, 30_000);

  const tmp = mkdtempSync(join(tmpdir(), 'mc-pipe-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('verify of a big mbox, a line per message', async () => {
    // More output than a pipe holds, so the writes after the reader left do fail.
    const msg = readFileSync(join(ROOT, 'fixtures/eml/signed-rsa.eml'), 'latin1').replace(/\r\n/g, '\n');
    const mbox = join(tmp, 'many.mbox');
    writeFileSync(
      mbox,
      Array.from({ length: 1500 }, () => `From alice@mail.test Sat Nov 29 10:00:00 2026\n${msg}\n`).join(''),
      'latin1',
    );
    const r = await closeAfterFirstChunk([
      'verify',
      mbox,
      '--offline',
      '--zone',
      'fixtures/zones/mail.test.zone',
      '--zone',
      'fixtures/zones/mailer.test.zone',
    ]);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect([0, 1]).toContain(r.code);
  }, 30_000);
});
