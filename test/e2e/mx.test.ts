import { describe, expect, it } from 'vitest';
import { runCli, SANDBOX } from '../helpers/cli.js';

describe('mailcheck mx (CLI)', () => {
  it('prints the contract JSON and exits 0 for a healthy domain', async () => {
    const r = await runCli(['mx', 'example.test', ...SANDBOX, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ domain: 'example.test', nullMx: false, implicit: false });
    expect(j.mx.map((h: { preference: number; exchange: string }) => [h.preference, h.exchange])).toEqual([
      [10, 'mx1.example.test'],
      [20, 'mx2.example.test'],
    ]);
    expect(j.mx[0].addresses[1]).toEqual({
      address: '2001:db8::10',
      family: 6,
      ptr: ['mx1.example.test'],
      fcrdns: true,
    });
    for (const f of j.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'severity', 'message']));
  });

  it('accepts global options after or before the command', async () => {
    const r = await runCli([
      '--json',
      '--offline',
      '--zone',
      'fixtures/zones/example.test.zone',
      'mx',
      'nullmx.example.test',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ nullMx: true, mx: [] });
  });

  it('exits 1 on failures and shows the chain in text', async () => {
    const r = await runCli(['mx', 'broken.example.test', ...SANDBOX]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('MX chain for broken.example.test');
    expect(r.stdout).toContain('[mx.exchange.ip-literal]');
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('converts IDNs and treats names outside the zones as NXDOMAIN offline', async () => {
    const r = await runCli(['mx', 'bücher.example', '--offline', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      domain: 'xn--bcher-kva.example',
      findings: [{ id: 'mx.domain.nxdomain' }],
    });
  });

  it.each([
    [['mx', 'not a domain', '--offline'], /not a valid domain name/],
    [['mx', 'example.test', '--zone', 'fixtures/zones/missing.zone'], /cannot read zone file/],
    [['mx', 'example.test', '--resolver', 'dns.google'], /not an IP address/],
    [['mx', 'example.test', '--timeout', 'soon', '--offline'], /--timeout/],
    [['mx'], /missing required argument/],
    [['mx', 'x.test', '--bogus'], /unknown option/],
    [['mxx', 'x.test'], /unknown command 'mxx' — did you mean mx\?/],
  ])('exits 2 with one clear line for bad input: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on a malformed zone file, naming the line', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'mc-')), 'bad.zone');
    writeFileSync(file, '$ORIGIN bad.test.\n@ MX ten mx\n');
    const r = await runCli(['mx', 'bad.test', '--zone', file, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.zone:2: MX: invalid preference 'ten'/);
  });

  it('exits 3 when the only DNS server never answers', async () => {
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    const port = (sock.address() as { port: number }).port;
    try {
      const r = await runCli(['mx', 'example.com', '--resolver', `127.0.0.1:${port}`, '--timeout', '200', '--json']);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout).findings[0]).toMatchObject({ id: 'mx.lookup.temporary', temporary: true });
    } finally {
      sock.close();
    }
  });

  it('--verbose shows every DNS query on stderr, keeping stdout clean for --json', async () => {
    const r = await runCli(['mx', 'example.test', ...SANDBOX, '--json', '-v']);
    expect(r.code).toBe(0);
    JSON.parse(r.stdout);
    expect(r.stderr).toMatch(/MX example\.test @zone:example\.test zone/);
    expect(r.stderr).toMatch(/PTR 10\.2\.0\.192\.in-addr\.arpa/);
  });

  it('--version and mx --help load no heavy module', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    for (const args of [['--version'], ['mx', '--help']]) {
      const log = join(mkdtempSync(join(tmpdir(), 'mc-')), 'imports.log');
      const r = await runCli(args, {
        env: {
          NODE_OPTIONS: `--import ${new URL('../helpers/log-imports.mjs', import.meta.url).pathname}`,
          IMPORT_LOG: log,
        },
      });
      expect(r.code).toBe(0);
      const loaded = readFileSync(log, 'utf8');
      if (args[0] === 'mx') expect(loaded).toContain('commander');
      for (const heavy of ['mailauth', 'smtp-server', 'ora', 'table', 'dns-packet', 'chalk'])
        expect(loaded).not.toContain(`/node_modules/${heavy}/`);
    }
  });
});
