import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Text reports wrap at 80 columns in a pipe; these tests read whole report lines, so ask for a wide one.
const WIDE = { env: { COLUMNS: '200' } };

const ZONES = [
  '--offline',
  '--zone',
  'fixtures/zones/dmarc.test.zone',
  '--zone',
  'fixtures/zones/dmarc-none.test.zone',
  '--zone',
  'fixtures/zones/reports.test.zone',
];
const json = async (args: string[]) => {
  const r = await runCli([...args, '--json']);
  return { ...r, j: JSON.parse(r.stdout) };
};

describe('mailcheck dmarc (CLI)', () => {
  it('prints the contract JSON and exits 0 for a healthy record', async () => {
    const r = await json(['dmarc', 'dmarc.test', ...ZONES]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.j).toMatchObject({
      domain: 'dmarc.test',
      recordDomain: 'dmarc.test',
      policy: 'reject',
      subdomainPolicy: 'reject',
      pct: 100,
      adkim: 's',
      aspf: 'r',
      rua: ['mailto:agg@dmarc.test', 'mailto:dmarc@reports.test!10m'],
      ruf: ['mailto:fr@dmarc.test'],
      orgDomain: 'dmarc.test',
    });
    expect(r.j.record).toMatch(/^v=DMARC1; p=reject/);
    for (const k of [
      'domain',
      'recordDomain',
      'record',
      'policy',
      'subdomainPolicy',
      'pct',
      'adkim',
      'aspf',
      'rua',
      'ruf',
      'orgDomain',
      'findings',
    ])
      expect(r.j).toHaveProperty(k);
  });

  it('falls back to the organizational domain by DNS tree walk (RFC 9989), and says so in text', async () => {
    const r = await runCli(['dmarc', 'deep.sub.dmarc.test', '--all', ...ZONES], WIDE);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /\? TXT _dmarc\.deep\.sub\.dmarc\.test → NXDOMAIN\n\s+\? TXT _dmarc\.sub\.dmarc\.test \(tree walk\) → NXDOMAIN\n\s+\? TXT _dmarc\.dmarc\.test \(organizational domain\) → 1 DMARC record/,
    );
    expect(r.stdout).toMatch(
      /sp\s+│ reject \(default: p\)\s+│ mail from subdomains ← applies to deep\.sub\.dmarc\.test/,
    );
  });

  it.each([
    ['www.dmarc-none.test', 1, 'dmarc.record.missing'],
    ['multi.dmarc.test', 1, 'dmarc.record.multiple'],
    ['badp.dmarc.test', 1, 'dmarc.policy.invalid'],
    ['none.dmarc.test', 0, 'dmarc.policy.none'],
    ['pct.dmarc.test', 0, 'dmarc.pct.partial'],
    ['ext.dmarc.test', 0, 'dmarc.report.unauthorized'],
  ])('%s exits %i with %s', async (domain, code, id) => {
    const r = await json(['dmarc', domain, ...ZONES]);
    expect(r.code).toBe(code);
    expect(r.j.findings.map((f: { id: string }) => f.id)).toContain(id);
  });

  // Issues #16 and #18: `dmarc`, `check` and `verify` say the same thing about the same record (RFC 9989), and
  // the same about what a receiver still on RFC 7489 would do.
  it.each([
    ['nop.dmarcbis.test', 'nop.dmarcbis.test', 'none', null],
    ['badsp.dmarcbis.test', 'badsp.dmarcbis.test', 'none', 'none'],
    ['badp.dmarcbis.test', 'badp.dmarcbis.test', null, null],
    ['x.dept.dmarcbis.test', 'dept.dmarcbis.test', 'quarantine', 'quarantine'],
    ['testing.dmarcbis.test', 'testing.dmarcbis.test', 'reject', 'reject'],
  ])('%s: dmarc, check and verify agree (record at %s, policy %s; RFC 7489: %s)', async (domain, at, policy, old) => {
    const zones = ['--offline', '--zone', 'fixtures/zones/dmarcbis.test.zone'];
    const eml = join(mkdtempSync(join(tmpdir(), 'mc-dmarc-')), 'm.eml');
    writeFileSync(eml, `From: a@${domain}\r\nTo: b@example.net\r\nSubject: t\r\n\r\nHello\r\n`);
    const [dmarc, check, verify] = await Promise.all([
      runCli(['dmarc', domain, ...zones, '--json']),
      runCli(['check', domain, ...zones, '--json']),
      runCli(['verify', eml, ...zones, '--json']),
    ]);
    const d = JSON.parse(dmarc.stdout);
    const c = JSON.parse(check.stdout).checks.dmarc;
    const v = JSON.parse(verify.stdout).dmarc;
    expect([d.recordDomain, c.recordDomain, v.recordDomain]).toEqual([at, at, at]);
    expect([d.appliedPolicy, c.appliedPolicy, v.policy]).toEqual([policy, policy, policy]);
    expect(v.result).toBe(policy === null ? 'none' : 'fail');
    expect([d.rfc7489.appliedPolicy, c.rfc7489.appliedPolicy, (v.rfc7489 ?? v).policy]).toEqual([old, old, old]);
  });

  it('shows an invalid record raw, with the offending parts marked', async () => {
    const r = await runCli(['dmarc', 'tags.dmarc.test', ...ZONES], WIDE);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      [
        '  v=DMARC1; p=reject; pct=abc; adkim=x; foo=bar; rua=mailto:agg@dmarc.test; ri=soon; rf=iodef; fo=2',
        '                          ^^^        ^  ^^^^^^^                                ^^^^     ^^^^^     ^',
      ].join('\n'),
    );
  });

  it('escapes control characters from DNS (an OSC sequence in the record)', async () => {
    const r = await runCli(['dmarc', 'ctrl.dmarc.test', ...ZONES]);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain('x=\\x1b]0;pwned\\x07');
  });

  it('exits 3 when the DNS server never answers (unknown, not "no record")', async () => {
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    try {
      const r = await json([
        'dmarc',
        'example.com',
        '--resolver',
        `127.0.0.1:${sock.address().port}`,
        '--timeout',
        '200',
      ]);
      expect(r.code).toBe(3);
      expect(r.j).toMatchObject({ record: null, policy: null });
      expect(r.j.findings).toEqual([expect.objectContaining({ id: 'dmarc.lookup.temporary', temporary: true })]);
    } finally {
      sock.close();
    }
  });

  it('--verbose shows the DNS queries on stderr and the steps in the report', async () => {
    const r = await runCli(['dmarc', 'sub.dmarc.test', ...ZONES, '-v']);
    expect(r.stderr).toMatch(/TXT _dmarc\.sub\.dmarc\.test @zone:dmarc\.test/);
    expect(r.stdout).toMatch(/DNS queries\n[\s\S]*TXT dmarc\.test\._report\._dmarc\.reports\.test →/);
  });

  it.each([
    [['dmarc', 'not a domain', '--offline'], /not a valid domain name/],
    [['dmarc', '192.0.2.1', '--offline'], /is an IP address/],
    [['dmarc', '--offline'], /missing required argument/],
  ])('exits 2 with one clear line for bad input: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
