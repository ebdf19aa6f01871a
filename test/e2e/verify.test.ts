// `mailcheck verify` as users and scripts run it: the contract JSON, NDJSON for several messages, exit codes
// 0/1/2/3, the text report, Maildirs (big ones through helper processes) and mbox files, all offline.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ZONES = ['--offline', '--zone', 'fixtures/zones/mail.test.zone', '--zone', 'fixtures/zones/mailer.test.zone'];
const EML = 'fixtures/eml';
const tmp = mkdtempSync(join(tmpdir(), 'mc-verify-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mailcheck verify (CLI)', () => {
  it('one message: one JSON object with the contract fields, exit 0 on DMARC pass', async () => {
    const r = await runCli(['verify', `${EML}/signed-rsa.eml`, ...ZONES, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      file: `${EML}/signed-rsa.eml`,
      from: 'alice@mail.test',
      dkim: [{ result: 'pass', domain: 'mail.test', selector: 'rsa2048', algorithm: 'rsa-sha256', aligned: true }],
      spf: null,
      dmarc: { result: 'pass', policy: 'reject', aligned: { spf: false, dkim: true } },
      arc: { result: 'none' },
    });
    expect(j.authenticationResults).toMatch(/^Authentication-Results: [^;]+;\r\n\tdkim=pass header\.d=mail\.test/);
  });

  it('SPF with --ip/--helo/--sender, and the Authentication-Results a receiver would add', async () => {
    const r = await runCli([
      'verify',
      `${EML}/tampered.eml`,
      ...ZONES,
      '--ip',
      '127.0.0.1',
      '--helo',
      'mx.mail.test',
      '--sender',
      'alice@mail.test',
      '--authserv-id',
      'mx.example',
      '--json',
    ]);
    const j = JSON.parse(r.stdout);
    expect(j.spf).toMatchObject({ result: 'pass', domain: 'mail.test' });
    expect(j.dkim[0].result).toBe('fail');
    expect(j.dmarc).toMatchObject({ result: 'pass', aligned: { spf: true, dkim: false } });
    expect(j.authenticationResults.split('\r\n')[0]).toBe('Authentication-Results: mx.example;');
    expect(r.code).toBe(0);
  });

  // Issue #13 item 7: any HELO text is evaluated, as `spf --helo` does (it used to be exit 2, or permerror).
  it.each([
    ["JUMPIN' JUPITER", 'test@hmacro.spf.test', 'fail'],
    ['[192.0.2.40]', 'test@hmacro.spf.test', 'fail'],
    ['helo-host.spf.test', 'test@hmacro.spf.test', 'pass'],
    ['A2345678', '<>', 'none'],
  ])('--helo %j with --sender %j: SPF %s, as check_host() judges it', async (helo, sender, result) => {
    const r = await runCli([
      'verify',
      `${EML}/unsigned.eml`,
      ...ZONES,
      '--zone',
      'fixtures/zones/spf.test.zone',
      '--ip',
      '192.0.2.40',
      '--helo',
      helo,
      '--sender',
      sender,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).spf).toMatchObject({ result });
  });

  it('exit 1 when DMARC fails, and when there is no DMARC record and no DKIM pass', async () => {
    expect((await runCli(['verify', `${EML}/tampered.eml`, ...ZONES])).code).toBe(1);
    expect((await runCli(['verify', `${EML}/third-party.eml`, ...ZONES])).code).toBe(1);
    expect((await runCli(['verify', `${EML}/unsigned.eml`, ...ZONES])).code).toBe(1);
    expect((await runCli(['verify', `${EML}/no-dmarc.eml`, ...ZONES])).code).toBe(0);
  });

  it('exit 3 when DNS cannot answer (a resolver that never replies), not a verdict', async () => {
    const r = await runCli(
      ['verify', `${EML}/signed-ed25519.eml`, '--resolver', '127.0.0.1:9', '--timeout', '200', '--json'],
      { timeoutMs: 20000 },
    );
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).dkim[0].result).toBe('temperror');
  });

  it('the text report shows each mechanism and the verdict', async () => {
    const r = await runCli(['verify', `${EML}/third-party.eml`, ...ZONES, '--all']);
    expect(r.stdout).toMatch(/DKIM\s+every signature/);
    expect(r.stdout).toMatch(/✓ pass\s+mailer\.test\s+s1\s+ed25519-sha256/);
    expect(r.stdout).toMatch(/DMARC.*\n\s+✗ fail\s+mail\.test\s+policy reject/);
    expect(r.stdout).toContain('a receiver applying the policy would reject this message');
    expect(r.stdout).toMatch(/✗ 1 failed check/);
  });

  it('several files and an mbox: NDJSON, one line per message, in order', async () => {
    const r = await runCli(['verify', `${EML}/inbox.mbox`, `${EML}/unsigned.eml`, ...ZONES, '--json']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.file, l.index ?? null, l.dmarc.result])).toEqual([
      [`${EML}/inbox.mbox`, 1, 'pass'],
      [`${EML}/inbox.mbox`, 2, 'pass'],
      [`${EML}/inbox.mbox`, 3, 'none'],
      [`${EML}/unsigned.eml`, null, 'none'],
    ]);
    expect(r.code).toBe(1);
  });

  it('a file that is not a message is exit 2 with one clear line, and the other files are still verified', async () => {
    const r = await runCli([
      'verify',
      `${EML}/not-a-message.txt`,
      `${EML}/signed-rsa.eml`,
      `${EML}/nope.eml`,
      ...ZONES,
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `mailcheck: ${EML}/not-a-message.txt: not a message: the first line of the header section is not a header field`,
    );
    expect(r.stderr).toContain(`mailcheck: ${EML}/nope.eml: cannot read: no such file or folder`);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.file.endsWith('signed-rsa.eml')).dmarc.result).toBe('pass');
    expect(lines.filter((l) => l.error)).toHaveLength(2);
  });

  it('bad flags are usage errors (exit 2)', async () => {
    expect((await runCli(['verify', `${EML}/signed-rsa.eml`, '--ip', 'not-an-ip'])).code).toBe(2);
    expect((await runCli(['verify', `${EML}/signed-rsa.eml`, '--sender', 'a@b'])).stderr).toContain(
      '--helo and --sender need --ip',
    );
    const jobs = await runCli(['verify', `${EML}/signed-rsa.eml`, '--jobs', '0']);
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toBe("mailcheck: --jobs '0' is not a whole number from 1 to 256\n");
  });

  it('a big Maildir goes through helper processes and gives the same verdicts as one process', async () => {
    const md = join(tmp, 'Maildir');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    const names = ['signed-rsa.eml', 'signed-ed25519.eml', 'tampered.eml', 'no-dmarc.eml'];
    for (let i = 0; i < 240; i++)
      cpSync(`${EML}/${names[i % names.length]}`, join(md, 'new', `${String(i).padStart(4, '0')}.M1P1.host`));
    writeFileSync(join(md, 'cur', 'garbage:2,S'), readFileSync(`${EML}/not-a-message.txt`));
    const many = await runCli(['verify', md, ...ZONES, '--json', '--jobs', '2'], { timeoutMs: 60000 });
    const one = await runCli(['verify', md, ...ZONES, '--json', '--jobs', '1'], { timeoutMs: 60000 });
    expect(many.code).toBe(2); // the garbage file
    const strip = (s: string) =>
      s
        .trim()
        .split('\n')
        .map((l) => {
          const j = JSON.parse(l);
          return [j.file, j.error ?? j.dmarc.result, j.dkim?.map((d: { result: string }) => d.result).join()];
        });
    expect(strip(many.stdout)).toEqual(strip(one.stdout));
    expect(strip(many.stdout)).toHaveLength(241);
    expect(strip(many.stdout).filter((x) => x[1] === 'fail')).toHaveLength(60);
  });

  it('helpers forked at start-up for a run that turns out not to need them are not left behind', async () => {
    // The start-up guess (verify/prestart.ts) forks helpers for a big folder or a big file before the command line
    // is parsed: after a usage error, and for a 1 MB file that is one message, none may outlive the run. Helpers
    // inherit the environment, so a mark in it finds them among the machine's processes.
    const md = join(tmp, 'Maildir-prestart');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    for (let i = 0; i < 600; i++) writeFileSync(join(md, 'new', `${i}.M1P1.host`), 'x');
    const big = join(tmp, 'big-single.eml');
    writeFileSync(big, readFileSync(`${EML}/signed-rsa.eml`, 'latin1') + 'x'.repeat(1 << 20), 'latin1');
    const mark = `prestart-${process.pid}-${Date.now()}`;
    const env = { MAILCHECK_TEST_MARK: mark };
    const usage = await runCli(['verify', md, '--ip', 'not-an-ip'], { env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("mailcheck: --ip 'not-an-ip' is not an IP address\n");
    const one = await runCli(['verify', big, ...ZONES, '--json'], { env });
    expect(JSON.parse(one.stdout).file).toBe(big);
    const marked = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/environ`, 'latin1').includes(`MAILCHECK_TEST_MARK=${mark}`);
          } catch {
            return false; // gone meanwhile, or not ours
          }
        });
    // A helper still loading when its parent exits ends when it finds the IPC channel closed: give it a moment.
    for (let i = 0; i < 50 && marked().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(marked()).toEqual([]);
  });

  it('a big mbox goes to helper processes as bytes and gives the same verdicts as one process, in order', async () => {
    // mbox messages travel to helpers as bytes (V8-serialized batches), not as file names.
    const names = ['signed-rsa.eml', 'signed-ed25519.eml', 'tampered.eml', 'no-dmarc.eml'];
    const mbox = join(tmp, 'big.mbox');
    let text = '';
    for (let i = 0; i < 120; i++)
      text += `From sender@mail.test Sat Nov 29 10:00:00 2025\n${readFileSync(
        `${EML}/${names[i % names.length]}`,
        'latin1',
      )
        .replace(/\r\n/g, '\n')
        .replace(/^(>*From )/gm, '>$1')}\n`;
    writeFileSync(mbox, text, 'latin1');
    const many = await runCli(['verify', mbox, ...ZONES, '--json', '--jobs', '2'], { timeoutMs: 60000 });
    const one = await runCli(['verify', mbox, ...ZONES, '--json', '--jobs', '1'], { timeoutMs: 60000 });
    const strip = (s: string) =>
      s
        .trim()
        .split('\n')
        .map((l) => {
          const j = JSON.parse(l);
          return [j.index, j.dmarc.result, j.dkim.map((d: { result: string }) => d.result).join()];
        });
    expect(strip(many.stdout)).toEqual(strip(one.stdout));
    expect(strip(many.stdout).map((x) => x[0])).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(strip(many.stdout).filter((x) => x[2] === 'pass')).toHaveLength(90);
    expect(strip(many.stdout).filter((x) => x[2] === 'fail')).toHaveLength(30);
  });

  it('without a TTY: one line per message and a summary table', async () => {
    const r = await runCli(['verify', `${EML}/inbox.mbox`, ...ZONES]);
    expect(r.stdout).toMatch(/✓ fixtures\/eml\/inbox\.mbox #1\s+alice@mail\.test\s+dmarc=pass dkim=pass\(mail\.test\)/);
    expect(r.stdout).toMatch(/3 messages verified in [\d.]+ s/);
    expect(r.stdout).toContain('all 3 authenticated');
  });

  it('piped, a line per message stays one line however long (grep finds the whole verdict); COLUMNS wraps it', async () => {
    const deep = join(tmp, 'a-folder-with-a-rather-long-name-for-its-messages', 'another-level-of-nesting');
    mkdirSync(deep, { recursive: true });
    for (const f of ['signed-rsa.eml', 'signed-ed25519.eml']) cpSync(`${EML}/${f}`, join(deep, f));
    const piped = await runCli(['verify', join(deep, 'signed-rsa.eml'), join(deep, 'signed-ed25519.eml'), ...ZONES], {
      env: { COLUMNS: undefined },
    });
    const lines = piped.stdout.split('\n').filter((l) => l.includes(deep));
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l.length).toBeGreaterThan(80);
      expect(l).toMatch(/^✓ .*\.eml\s+\S+@mail\.test\s+dmarc=pass dkim=pass\(mail\.test\) {2}req=pass$/);
    }
    const narrow = await runCli(['verify', join(deep, 'signed-rsa.eml'), join(deep, 'signed-ed25519.eml'), ...ZONES], {
      env: { COLUMNS: '80' },
    });
    expect(Math.max(...narrow.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });
});
