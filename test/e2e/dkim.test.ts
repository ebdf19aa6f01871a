import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ZONES = [
  '--offline',
  '--zone',
  'fixtures/zones/dkim.test.zone',
  '--zone',
  'fixtures/zones/dkim-provider.test.zone',
];
const tmp = () => mkdtempSync(join(tmpdir(), 'mc-dkim-'));
const json = async (args: string[]) => {
  const r = await runCli([...args, '--json']);
  return { ...r, j: JSON.parse(r.stdout) };
};

describe('mailcheck dkim (CLI)', () => {
  it('prints the contract JSON for a named selector and exits 0', async () => {
    const r = await json(['dkim', 'dkim.test', '--selector', 's2048', ...ZONES]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.j.domain).toBe('dkim.test');
    expect(r.j.selectors).toHaveLength(1);
    const s = r.j.selectors[0];
    expect(s).toMatchObject({
      selector: 's2048',
      found: true,
      keyType: 'rsa',
      keyBits: 2048,
      testing: false,
      revoked: false,
    });
    expect(typeof s.record).toBe('string');
    for (const f of r.j.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'severity', 'message']));
  });

  it('guesses selectors, reporting which exist; none found is a warning, exit 0', async () => {
    const found = await json(['dkim', 'dkim.test', ...ZONES]);
    expect(found.code).toBe(0);
    expect(
      found.j.selectors.filter((s: { found: boolean }) => s.found).map((s: { selector: string }) => s.selector),
    ).toEqual(['s2048']);
    const none = await json(['dkim', 'none.dkim.test', ...ZONES]);
    expect(none.code).toBe(0);
    expect(none.j.findings).toEqual([expect.objectContaining({ id: 'dkim.none', severity: 'warn' })]);
  });

  it('exits 1 when a named selector is missing or broken, and shows the record with the fault marked', async () => {
    expect((await runCli(['dkim', 'dkim.test', '--selector', 'nosuch', ...ZONES])).code).toBe(1);
    const r = await runCli(['dkim', 'dkim.test', '--selector', 'sha1,weak', ...ZONES]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /sha1\._domainkey\.dkim\.test\n\s+v=DKIM1; k=rsa; h=sha1; p=MIIBIjANBgkq…\(392 chars\)…EwIDAQAB\n\s+\^{6}\n/,
    );
    expect(r.stdout).toMatch(/\[dkim\.key\.rsa-insecure\]/);
    expect(r.stdout).toMatch(/✗ 2 failed checks/);
  });

  it('escapes control characters from DNS before they reach the terminal', async () => {
    const r = await runCli(['dkim', 'ctrl.dkim.test', '--selector', 'default', '--all', ...ZONES], {
      env: { FORCE_COLOR: '1', NO_COLOR: undefined },
    });
    expect(r.stdout).toMatch(/\x1b\[3\dm/); // coloured, so the check below means something
    // Without the theme's own colours (SGR), no control character is left, and the record's are spelled out.
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(plain).toContain('n=\\x1b[31mred\\x1b[0m');
  });

  it('takes the domain and selector from a message (--from-message)', async () => {
    const eml = join(tmp(), 'sent.eml');
    writeFileSync(
      eml,
      'DKIM-Signature: v=1; a=ed25519-sha256; d=dkim.test; s=ed;\r\n\th=from; bh=x; b=y\r\nFrom: a@dkim.test\r\n\r\nhello\r\n',
    );
    const r = await json(['dkim', '--from-message', eml, ...ZONES]);
    expect(r.code).toBe(0); // an Ed25519-only domain is a warning
    expect(r.j.domain).toBe('dkim.test');
    expect(
      r.j.selectors.map((s: { selector: string; source: string; found: boolean }) => [s.selector, s.source, s.found]),
    ).toEqual([['ed', 'message', true]]);
    expect(r.j.findings.map((f: { id: string }) => f.id).sort()).toEqual(['dkim.ed25519-only', 'dkim.key.ok']);
  });

  it('--key: exit 0 when the private key matches, 1 when it matches nothing', async () => {
    const ok = await json([
      'dkim',
      'dkim.test',
      '--selector',
      's2048',
      '--key',
      'fixtures/keys/rsa-2048.pem',
      ...ZONES,
    ]);
    expect(ok.code).toBe(0);
    expect(ok.j.selectors[0].keyMatch).toBe(true);
    const bad = await runCli([
      'dkim',
      'dkim.test',
      '--selector',
      's2048',
      '--key',
      'fixtures/keys/rsa-2048-rotated.pem',
      ...ZONES,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/matches no published key/);
  });

  it.each([
    [
      ['dkim', 'dkim.test', '--selector', 'bad selector', ...ZONES],
      /selector 'bad selector' is not a valid domain name/,
    ],
    [
      ['dkim', 'dkim.test', '--key', '/nonexistent.pem', ...ZONES],
      /cannot read key file '\/nonexistent\.pem': no such file/,
    ],
    [['dkim', 'dkim.test', '--key', 'fixtures/zones/dkim.test.zone', ...ZONES], /is not a PEM private key/],
    [['dkim', '--from-message', '/nonexistent.eml', ...ZONES], /cannot read message/],
    [['dkim', ...ZONES], /missing required argument 'domain'/],
    [['dkim', 'not a domain', ...ZONES], /not a valid domain name/],
  ])('exits 2 with one clear line for bad input: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('exits 3 when the DNS server never answers (unknown, not "no key")', async () => {
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    try {
      const r = await json([
        'dkim',
        'example.com',
        '--selector',
        's1',
        '--resolver',
        `127.0.0.1:${sock.address().port}`,
        '--timeout',
        '200',
      ]);
      expect(r.code).toBe(3);
      expect(r.j.selectors[0]).toMatchObject({ found: false, lookup: 'timeout' });
      expect(r.j.findings[0]).toMatchObject({ id: 'dkim.lookup.temporary', temporary: true });
    } finally {
      sock.close();
    }
  });

  it("guessing through a dead resolver gives up after the domain's own lookups, exit 3", async () => {
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    try {
      const start = Date.now();
      const r = await json([
        'dkim',
        'example.com',
        '--resolver',
        `127.0.0.1:${sock.address().port}`,
        '--timeout',
        '300',
      ]);
      expect(r.code).toBe(3);
      expect(r.j).toMatchObject({
        selectors: [],
        findings: [expect.objectContaining({ id: 'dkim.lookup.temporary', temporary: true })],
      });
      // Two rounds of one 300 ms timeout, not ~40 selectors' worth.
      expect(Date.now() - start).toBeLessThan(3000);
    } finally {
      sock.close();
    }
  });

  it('dkim --help loads no heavy module', async () => {
    const log = join(tmp(), 'imports.log');
    const r = await runCli(['dkim', '--help'], {
      env: {
        NODE_OPTIONS: `--import ${new URL('../helpers/log-imports.mjs', import.meta.url).pathname}`,
        IMPORT_LOG: log,
      },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--from-message <eml>/);
    const loaded = readFileSync(log, 'utf8');
    for (const heavy of ['mailauth', 'smtp-server', 'ora', 'table', 'tldts'])
      expect(loaded).not.toContain(`/node_modules/${heavy}/`);
  });
});

describe('mailcheck dkim keygen (CLI)', () => {
  it.each([
    ['rsa', 2048],
    ['ed25519', 256],
  ] as const)('writes a %s key with mode 0600 and prints a record that verifies', async (type, bits) => {
    const dir = tmp();
    const keyFile = join(dir, 'k.pem');
    const r = await json([
      'dkim',
      'keygen',
      '--domain',
      'example.test',
      '--selector',
      'gen',
      '--type',
      type,
      '--out',
      keyFile,
    ]);
    expect(r.code).toBe(0);
    expect(r.j).toMatchObject({ domain: 'example.test', selector: 'gen', keyFile, type, bits });
    expect(r.j.zoneLine).toMatch(/^gen\._domainkey\.example\.test\. 3600 IN TXT "/);
    expect(r.j.strings.join('')).toBe(r.j.record);
    expect(Math.max(...r.j.strings.map((s: string) => s.length))).toBeLessThanOrEqual(255);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const pem = readFileSync(keyFile, 'utf8');
    expect(createPrivateKey(pem).asymmetricKeyType).toBe(type);
    expect(r.stdout).not.toContain('PRIVATE KEY');

    // Publish the printed zone line in a zone of its own, sign with the key, verify against the zone.
    const zone = join(dir, 'example.test.zone');
    writeFileSync(
      zone,
      `$ORIGIN example.test.\n@ IN SOA ns1 hostmaster 1 3600 600 604800 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n${r.j.zoneLine}\n`,
    );
    const check = await json([
      'dkim',
      'example.test',
      '--selector',
      'gen',
      '--key',
      keyFile,
      '--offline',
      '--zone',
      zone,
    ]);
    expect(check.j.selectors[0]).toMatchObject({ found: true, keyType: type, keyBits: bits, keyMatch: true });
    expect(check.j.findings.map((f: { id: string }) => f.id)).toContain('dkim.key-file.match');

    const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
    const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');
    const { parseZone } = await import('../../src/dns/zone/parse.js');
    const { layered, offlineResolver } = await import('../../src/dns/layered.js');
    const { toMailauthResolver } = await import('../../src/dns/adapters/mailauth.js');
    const message =
      'From: a@example.test\r\nTo: b@example.test\r\nSubject: keygen\r\nDate: Sat, 29 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n';
    // mailauth takes its signers in signatureData (its index.d.ts says otherwise), and one clock reading: without
    // signTime it reads the clock twice and signs a t= it does not write when a second ends in between (a flaky fail).
    const signed = await dkimSign(message, {
      signTime: new Date(),
      signatureData: [
        {
          signingDomain: 'example.test',
          selector: 'gen',
          privateKey: pem,
          algorithm: type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
        },
      ],
    } as never);
    expect(signed.errors).toEqual([]);
    const resolver = toMailauthResolver(layered([parseZone(readFileSync(zone, 'utf8'))], offlineResolver()));
    const verified = await dkimVerify(signed.signatures + message, { resolver } as never);
    expect(verified.results.map((x: { status: { result: string } }) => x.status.result)).toEqual(['pass']);
  });

  it('refuses to overwrite a key file without --force, and replaces it with --force', async () => {
    const keyFile = join(tmp(), 'k.pem');
    const args = ['dkim', 'keygen', '--domain', 'example.test', '--selector', 's1', '--out', keyFile];
    expect((await runCli(args)).code).toBe(0);
    const first = readFileSync(keyFile, 'utf8');
    const again = await runCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; use --force/);
    expect(readFileSync(keyFile, 'utf8')).toBe(first);
    expect((await runCli([...args, '--force'])).code).toBe(0);
    expect(readFileSync(keyFile, 'utf8')).not.toBe(first);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it.each([
    [['--type', 'dsa'], /--type 'dsa' is not rsa or ed25519/],
    [['--bits', '512'], /--bits '512' is not a key size from 1024 to 4096/],
    [['--type', 'ed25519', '--bits', '2048'], /--bits applies to RSA keys only/],
  ])('exits 2 for %j', async (extra, message) => {
    const r = await runCli([
      'dkim',
      'keygen',
      '--domain',
      'example.test',
      '--selector',
      's1',
      '--out',
      join(tmp(), 'k.pem'),
      ...extra,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('requires --domain and --selector', async () => {
    expect((await runCli(['dkim', 'keygen', '--selector', 's1'])).stderr).toMatch(/--domain/);
    const r = await runCli(['dkim', 'keygen', '--domain', 'example.test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--selector/);
  });
});
