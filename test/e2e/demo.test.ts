// `mailcheck demo` as a newcomer runs it: text and JSON, exit codes, and --keep serving the sandbox to the
// other commands until SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

describe('mailcheck demo', () => {
  it('tells the whole story and exits 0', async () => {
    const r = await runCli(['demo'], { timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const part of [
      'Setting the stage',
      'Act 1',
      'Act 2',
      'MX sandbox.test → 10 mx.sandbox.test',
      'C: MAIL FROM:<alice@sandbox.test>',
      'S: 250 OK: queued as',
      'DMARC pass',
      'DMARC fail',
      'Every step behaved as expected',
    ]) {
      expect(r.stdout).toContain(part);
    }
  }, 40_000);

  it('gives the steps as data with --json', async () => {
    const r = await runCli(['demo', '--json'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({
      kind: 'demo',
      ok: true,
      domain: 'sandbox.test',
      kept: false,
      findings: [{ id: 'demo.ok', severity: 'ok' }],
    });
    expect(d.acts.map((a: { name: string; dmarc: { result: string } }) => [a.name, a.dmarc.result])).toEqual([
      ['legitimate', 'pass'],
      ['forged', 'fail'],
    ]);
    expect(d.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
    const kinds = new Set(d.steps.map((s: { kind: string }) => s.kind));
    for (const k of ['keygen', 'listen', 'dns', 'tcp', 'tls', 'smtp', 'spf', 'dkim', 'dmarc', 'store'])
      expect(kinds).toContain(k);
    // Without --keep or --dir nothing is left behind.
    expect(existsSync(d.maildir)).toBe(false);
  }, 40_000);

  it('refuses options that do not apply, with exit 2', async () => {
    const r = await runCli(['demo', '--zone', 'fixtures/zones/example.test.zone']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mailcheck: demo serves its own sandbox/);
    const p = await runCli(['demo', '--dns-port', 'abc']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--dns-port 'abc' is not a port number/);
  });

  it('--keep leaves the sandbox up for mx, check and send, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--keep', '--json'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
    });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const d = await new Promise<{ dns: { port: number }; smtp: { port: number }; keyFile: string; maildir: string }>(
        (resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no JSON from demo --keep: ${out} ${err}`)), 30_000);
          child.stdout.setEncoding('utf8').on('data', (s: string) => {
            out += s;
            // NDJSON: the result is the first line, each message the kept receiver gets one more.
            if (out.includes('\n')) {
              clearTimeout(timer);
              resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
            }
          });
        },
      );
      const resolver = `127.0.0.1:${d.dns.port}`;
      const mx = await runCli(['mx', 'sandbox.test', '--resolver', resolver, '--json']);
      expect(JSON.parse(mx.stdout)).toMatchObject({
        domain: 'sandbox.test',
        mx: [{ preference: 10, exchange: 'mx.sandbox.test', addresses: [{ address: '127.0.0.1' }] }],
      });
      const dmarc = await runCli(['dmarc', 'sandbox.test', '--resolver', resolver, '--json']);
      expect(JSON.parse(dmarc.stdout)).toMatchObject({ policy: 'reject' });
      out = out.slice(out.indexOf('\n') + 1);
      const sent = await runCli([
        'send',
        '--from',
        'you@sandbox.test',
        '--to',
        'bob@sandbox.test',
        '--port',
        String(d.smtp.port),
        '--dkim-key',
        d.keyFile,
        '--dkim-selector',
        'demo',
        '--allow-private',
        '--resolver',
        resolver,
        '--json',
      ]);
      expect(sent.code).toBe(0);
      // The kept receiver reports the user's message live, as NDJSON with --json.
      await expect.poll(() => out, { timeout: 10_000 }).toMatch(/"event":"message"/);
      expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({
        event: 'message',
        mailFrom: 'you@sandbox.test',
        auth: { dmarc: { result: 'pass' } },
      });
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(existsSync(d.maildir)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
