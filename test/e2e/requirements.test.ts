// The bulk-sender verdict end to end, all real parts on loopback: a newsletter written to a file, DKIM-signed and
// delivered by `mailcheck send` (STARTTLS or in clear) to `mailcheck receive --bulk --json`, then the Maildir judged
// again by `mailcheck verify` with no --ip (the connection read from our own Received: field), and its exit codes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-requirements-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function receive(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'receive', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l);
    waiters.shift()?.();
  });
  let read = 0;
  return {
    next: async (): Promise<Record<string, unknown>> => {
      while (read >= lines.length) await new Promise<void>((r) => waiters.push(r));
      return JSON.parse(lines[read++]!);
    },
    exit: new Promise<number | null>((r) => child.on('exit', r)),
  };
}

const NEWSLETTER = [
  'From: News <news@news.test>',
  'To: bob@example.net',
  'Subject: Week 48',
  'Date: Sat, 29 Nov 2025 10:00:00 +0000',
  'Message-ID: <week48@news.test>',
  'List-Unsubscribe: <https://news.test/u/opaque-7f3a>, <mailto:unsub@news.test>',
  'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'This week: nothing new.',
  '',
].join('\r\n');

describe('the bulk-sender verdict: send → receive --bulk → verify', () => {
  it('judges a signed newsletter over TLS as met, an unsigned one in clear as not, and verify agrees without --ip', async () => {
    const kg = await runCli([
      'dkim',
      'keygen',
      '--domain',
      'news.test',
      '--selector',
      'nl',
      '--type',
      'ed25519',
      '--out',
      join(tmp, 'nl.pem'),
      '--json',
      '--force',
    ]);
    expect(kg.code, kg.stderr).toBe(0);
    const zone = join(tmp, 'news.test.zone');
    writeFileSync(
      zone,
      [
        '$ORIGIN news.test.',
        '$TTL 300',
        '@ SOA ns hostmaster 1 3600 600 604800 300',
        '@ TXT "v=spf1 ip4:127.0.0.0/8 -all"',
        '_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@news.test"',
        'mail A 127.0.0.1',
        JSON.parse(kg.stdout).zoneLine,
        '',
      ].join('\n'),
    );
    const reverse = join(tmp, 'reverse.zone');
    writeFileSync(
      reverse,
      '$ORIGIN 0.0.127.in-addr.arpa.\n$TTL 300\n@ SOA ns.news.test. h.news.test. 1 3600 600 604800 300\n1 PTR mail.news.test.\n',
    );
    const eml = join(tmp, 'newsletter.eml');
    writeFileSync(eml, NEWSLETTER);
    const maildir = join(tmp, 'Maildir');
    const dns = ['--offline', '--zone', zone, '--zone', reverse];
    const r = receive([
      '--port',
      '0',
      '--maildir',
      maildir,
      '--count',
      '2',
      '--json',
      '--bulk',
      '--tls',
      '--hostname',
      'mx.test',
      ...dns,
    ]);
    const { port } = (await r.next()) as { port: number };
    const send = (extra: string[]) =>
      runCli([
        'send',
        '--from',
        'news@news.test',
        '--to',
        'bob@example.net',
        '--server',
        `127.0.0.1:${port}`,
        '--eml',
        eml,
        '--helo',
        'mail.news.test',
        ...extra,
        ...dns,
        '--json',
      ]);

    const signed = await send(['--dkim-key', join(tmp, 'nl.pem'), '--dkim-selector', 'nl', '--tls', 'starttls']);
    expect(signed.code, signed.stderr).toBe(0);
    const m1 = await r.next();
    expect(m1).toMatchObject({
      event: 'message',
      tls: true,
      auth: { spf: { result: 'pass' }, dkim: [{ result: 'pass', domain: 'news.test' }], dmarc: { result: 'pass' } },
      requirementsVerdict: { profile: 'bulk', result: 'pass', failed: [], advice: [] },
    });
    const requirements = m1.requirements as { id: string; result: string }[];
    expect(requirements.filter((x) => x.result !== 'pass').map((x) => x.id)).toEqual([
      'arc.forwarded',
      'from.impersonation',
    ]);

    const plain = await send(['--tls', 'none']);
    expect(plain.code, plain.stderr).toBe(0);
    const m2 = await r.next();
    expect(m2).toMatchObject({
      tls: false,
      auth: {
        spf: { result: 'pass' },
        dkim: [{ result: 'none' }],
        dmarc: { result: 'pass', aligned: { spf: true, dkim: false } },
      },
      requirementsVerdict: {
        profile: 'bulk',
        result: 'fail',
        failed: ['auth.spf-and-dkim', 'transport.tls', 'unsubscribe.one-click'],
      },
    });
    expect(await r.exit).toBe(0);

    // verify with no --ip: the IP, HELO and TLS come from our own Received: field (authserv-id = receive's hostname).
    const v = await runCli(['verify', maildir, '--authserv-id', 'mx.test', '--bulk', '--json', ...dns]);
    expect(v.code, v.stderr).toBe(0); // DMARC passes for both: the requirements alone do not change the exit code
    const items = v.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byTls = Object.fromEntries(items.map((i) => [String(i.connection.tls), i]));
    expect(byTls.true).toMatchObject({
      connection: { source: 'received', ip: '127.0.0.1', helo: 'mail.news.test', by: 'mx.test' },
      spf: { result: 'pass' },
      dmarc: { result: 'pass' },
      requirementsVerdict: m1.requirementsVerdict,
    });
    // The unsigned message passed DMARC through SPF at receive time; verify without --ip used to say dmarc=fail.
    expect(byTls.false).toMatchObject({
      spf: { result: 'pass', ip: '127.0.0.1' },
      dmarc: { result: 'pass', aligned: { spf: true } },
      requirementsVerdict: m2.requirementsVerdict,
    });

    // --strict: unmet requirements fail the run (exit 1); the signed newsletter over TLS alone passes (exit 0).
    expect((await runCli(['verify', maildir, '--authserv-id', 'mx.test', '--bulk', '--strict', ...dns])).code).toBe(1);
    const first = items.find((i) => i.connection.tls).file as string;
    expect((await runCli(['verify', first, '--authserv-id', 'mx.test', '--bulk', '--strict', ...dns])).code).toBe(0);

    // The folder's text lines carry the verdict word; the single report has its section.
    const text = await runCli(['verify', maildir, '--authserv-id', 'mx.test', '--bulk', ...dns], {
      env: { COLUMNS: '200' },
    });
    expect(text.stdout).toMatch(/dmarc=pass dkim=none spf=pass {2}bulk=fail\(spf\+dkim,tls,one-click\)/);
    expect(text.stdout).toMatch(/dmarc=pass dkim=pass\(news\.test\) spf=pass {2}bulk=pass/);
    const report = await runCli(['verify', first, '--authserv-id', 'mx.test', ...dns], { env: { COLUMNS: '200' } });
    expect(report.stdout).toContain(
      'Sender requirements\n  Gmail and Yahoo, 2024: all-senders rules, bulk ones as advice',
    );
    expect(report.stdout).toMatch(/✓ +TLS +delivered over TLSv1\.[23] with \S+ \(our Received: by mx\.test\)/);
    expect(report.stdout).toMatch(
      /✓ +one-click unsubscribe \(bulk\) +https URI and One-Click, both signed by d=news\.test/,
    );
    expect(report.stdout).toContain('✓ meets the all-senders rules');
  });

  it('verify without --ip or a Received: of ours says SPF was not checked next to a DMARC fail', async () => {
    const zones = ['--offline', '--zone', 'fixtures/zones/mail.test.zone'];
    const one = await runCli(['verify', 'fixtures/eml/tampered.eml', ...zones]);
    expect(one.stdout).toMatch(/✗ fail +mail\.test +policy reject.*\n +SPF not checked \(no --ip\)/);
    const folder = await runCli(['verify', 'fixtures/eml/tampered.eml', 'fixtures/eml/signed-rsa.eml', ...zones]);
    expect(folder.stdout).toMatch(/tampered\.eml .*dmarc=fail dkim=fail\(mail\.test\) \(SPF not checked: no --ip\)/);
    expect(folder.stdout).not.toMatch(/signed-rsa\.eml .*SPF not checked/);
    // --strict with nothing to hold against the message: the requirements it could judge are met.
    expect((await runCli(['verify', 'fixtures/eml/signed-rsa.eml', '--strict', ...zones])).code).toBe(0);
  });
});
