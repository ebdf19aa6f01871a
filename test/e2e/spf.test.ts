// `mailcheck spf` as a user runs it: contract JSON, exit codes (pass 0, temperror 3, else 1; without --ip 0 unless
// a fail finding), defaults for the domain, bad input (exit 2), text report, and lazy loading.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ZONE = ['--offline', '--zone', 'fixtures/zones/spf.test.zone'];

describe('mailcheck spf (CLI)', () => {
  it('prints the contract JSON and exits 0 for a healthy record', async () => {
    const r = await runCli(['spf', 'spf.test', ...ZONE, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      domain: 'spf.test',
      record: 'v=spf1 mx ip4:192.0.2.0/25 include:_spf.spf.test -all',
      lookups: 3,
      voidLookups: 0,
    });
    expect(j).not.toHaveProperty('result');
    expect(j.tree.terms[2].child.record).toBe('v=spf1 ip6:2001:db8::/32 a:relay.spf.test ~all');
    for (const f of j.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'severity', 'message']));
  });

  it.each([
    [['spf.test', '--ip', '192.0.2.25'], 'pass', 0],
    [['spf.test', '--ip', '::ffff:192.0.2.25'], 'pass', 0],
    [['spf.test', '--ip', '198.51.100.7'], 'pass', 0],
    [['l1.spf.test', '--ip', '203.0.113.1'], 'softfail', 1],
    [['spf.test', '--ip', '203.0.113.1'], 'fail', 1],
    [['neutralall.spf.test', '--ip', '203.0.113.1'], 'neutral', 1],
    [['none.spf.test', '--ip', '203.0.113.1'], 'none', 1],
    [['multiple.spf.test', '--ip', '192.0.2.1'], 'permerror', 1],
    [['toomany.spf.test', '--ip', '192.0.2.99'], 'permerror', 1],
  ])('with --ip: %j → %s, exit %i', async (args, result, code) => {
    const r = await runCli(['spf', ...args, ...ZONE, '--json']);
    expect(JSON.parse(r.stdout).result).toBe(result);
    expect(r.code).toBe(code);
  });

  it('without --ip: exit 1 only for a fail finding', async () => {
    expect((await runCli(['spf', 'toomany.spf.test', ...ZONE])).code).toBe(1);
    expect((await runCli(['spf', 'macro.spf.test', ...ZONE])).code).toBe(0);
    expect((await runCli(['spf', 'neutralall.spf.test', ...ZONE])).code).toBe(0);
  });

  it('warns about the obsolete SPF RR type for one domain; check, auditing many, does not ask for it', async () => {
    const r = await runCli(['spf', 'rrtype.spf.test', ...ZONE, '--json']);
    expect(JSON.parse(r.stdout).findings.map((f: { id: string }) => f.id)).toContain('spf.rr-type.spf');
    const c = await runCli(['check', 'rrtype.spf.test', ...ZONE, '--json']);
    expect(JSON.stringify(JSON.parse(c.stdout).checks.spf.findings)).not.toContain('spf.rr-type.spf');
  });

  it('gives the explanation of a fail (exp=)', async () => {
    const r = await runCli(['spf', '--sender', 'eve@explained.spf.test', '--ip', '198.51.100.99', ...ZONE, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      domain: 'explained.spf.test',
      result: 'fail',
      explanation: expect.stringContaining("is not one of explained.spf.test's mail servers"),
    });
  });

  it('takes the domain from --sender, or from --helo with an empty sender', async () => {
    const bySender = JSON.parse(
      (await runCli(['spf', '--sender', 'alice@macro.spf.test', '--ip', '192.0.2.7', ...ZONE, '--json'])).stdout,
    );
    expect(bySender).toMatchObject({ domain: 'macro.spf.test', result: 'pass' });
    const byHelo = await runCli(['spf', '--sender', '', '--helo', 'spf.test', '--ip', '192.0.2.25', ...ZONE, '--json']);
    expect(JSON.parse(byHelo.stdout)).toMatchObject({
      domain: 'spf.test',
      result: 'pass',
      identity: { sender: 'postmaster@spf.test' },
    });
  });

  // Issue #13 item 7: a HELO is whatever a client sent, so any text is evaluated (it used to be exit 2).
  it.each([
    [['--sender', 'test@hmacro.spf.test', '--helo', 'helo-host.spf.test', '--ip', '192.0.2.40'], 'pass', 0],
    [['--sender', 'test@hmacro.spf.test', '--helo', "JUMPIN' JUPITER", '--ip', '192.0.2.40'], 'fail', 1],
    [['--sender', 'test@hmacro.spf.test', '--helo', '[192.0.2.40]', '--ip', '192.0.2.40'], 'fail', 1],
    [['--sender', '', '--helo', 'A2345678', '--ip', '192.0.2.40'], 'none', 1],
    [['--helo', '[192.0.2.40]', '--ip', '192.0.2.40'], 'none', 1],
  ])('any HELO text is judged by check_host(), as the RFC 7208 suite expects: %j → %s', async (args, result, code) => {
    const r = await runCli(['spf', ...args, ...ZONE, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(code);
    expect(JSON.parse(r.stdout).result).toBe(result);
  });

  it('a HELO that is no domain, without --ip: no record to look up, said in a finding', async () => {
    const r = await runCli(['spf', '--helo', "JUMPIN' JUPITER", ...ZONE, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      domain: "JUMPIN' JUPITER",
      record: null,
      lookups: 0,
      findings: [expect.objectContaining({ id: 'spf.domain.invalid', severity: 'fail' })],
    });
  });

  it('exits 3 with temperror when the DNS server never answers', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    const port = sock.address().port;
    try {
      const withIp = await runCli([
        'spf',
        'example.com',
        '--ip',
        '192.0.2.1',
        '--resolver',
        `127.0.0.1:${port}`,
        '--timeout',
        '200',
        '--json',
      ]);
      expect(withIp.code).toBe(3);
      expect(JSON.parse(withIp.stdout)).toMatchObject({ result: 'temperror', record: null });
      const without = await runCli([
        'spf',
        'example.com',
        '--resolver',
        `127.0.0.1:${port}`,
        '--timeout',
        '200',
        '--json',
      ]);
      expect(without.code).toBe(3);
      expect(JSON.parse(without.stdout).findings).toEqual([
        expect.objectContaining({ id: 'spf.record.temporary', temporary: true }),
      ]);
    } finally {
      sock.close();
    }
  });

  it.each([
    [['spf', 'spf.test', '--ip', 'not-an-ip'], /--ip 'not-an-ip' is not an IPv4 or IPv6 address/],
    [['spf', 'not a domain'], /not a valid domain name/],
    [['spf', '--sender', 'nobody', '--ip', '192.0.2.1'], /--sender 'nobody' is not an address/],
    [['spf', '--helo', ''], /--helo is empty/],
    [['spf'], /give a domain, a --sender address or a --helo name/],
  ])('exits 2 with one clear line for bad input: %j', async (args, message) => {
    const r = await runCli([...args, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('prints the tree and escapes control characters from DNS, with no colour when piped', async () => {
    const r = await runCli(['spf', 'ctrl.spf.test', ...ZONE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\\x1b[31m');
    expect(r.stdout).not.toMatch(/\x1b/);
    expect(r.stdout).toContain('[spf.record.syntax]');
  });

  it('-v shows the DNS queries on stderr and keeps stdout JSON', async () => {
    const r = await runCli(['spf', 'spf.test', ...ZONE, '--json', '-v']);
    JSON.parse(r.stdout);
    expect(r.stderr).toMatch(/TXT _spf\.spf\.test @zone:spf\.test zone/);
  });

  it('spf --help loads no heavy module', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'mc-')), 'imports.log');
    const r = await runCli(['spf', '--help'], {
      env: {
        NODE_OPTIONS: `--import ${new URL('../helpers/log-imports.mjs', import.meta.url).pathname}`,
        IMPORT_LOG: log,
      },
    });
    expect(r.code).toBe(0);
    const loaded = readFileSync(log, 'utf8');
    for (const heavy of ['mailauth', 'smtp-server', 'ora', 'table', 'dns-packet'])
      expect(loaded).not.toContain(`/node_modules/${heavy}/`);
  });
});
