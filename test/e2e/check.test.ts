// `mailcheck check` as users and CI run it: the contract JSON, exit codes 0/1/2/3, batches as NDJSON, JUnit,
// GitHub annotations and the policy gate, all offline from fixtures/zones/posture*.zone plus a local HTTPS
// server standing in for https://mta-sts.posture.test/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { createTestCa, type TestCa } from '../helpers/test-ca.js';

// Text reports wrap at 80 columns in a pipe; these tests read whole report lines, so ask for a wide one.
const WIDE = { env: { COLUMNS: '200' } };

const ZONES = [
  '--offline',
  '--zone',
  'fixtures/zones/posture.test.zone',
  '--zone',
  'fixtures/zones/posture-reverse.zone',
  '--zone',
  'fixtures/zones/posture-reverse6.zone',
];
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.posture.test\nmx: mx2.posture.test\nmax_age: 604800\n';
let ca: TestCa;
let https: TestHttpsServer;
let args: string[];
const tmp = mkdtempSync(join(tmpdir(), 'mc-check-e2e-'));

beforeAll(async () => {
  ca = createTestCa();
  https = await startHttpsServer(ca.issue(['mta-sts.posture.test', 'mta-sts.stale.posture.test']), {
    'mta-sts.posture.test/.well-known/mta-sts.txt': { body: POLICY },
    'mta-sts.stale.posture.test/.well-known/mta-sts.txt': { body: POLICY.replace('mx: mx2.posture.test\n', '') },
  });
  // The policy server is on loopback: --allow-private lets check fetch from there.
  args = [...ZONES, '--selector', 's1', '--ca', ca.caFile, '--mta-sts-port', String(https.port), '--allow-private'];
});
afterAll(async () => {
  await https?.close();
  ca?.cleanup();
});

function parseXml(text: string): number[] {
  const script =
    "import sys, xml.dom.minidom as m\nd = m.parseString(sys.stdin.buffer.read())\nprint(*[len(d.getElementsByTagName(n)) for n in ('testsuite', 'testcase', 'failure', 'error')])";
  return execFileSync('/usr/bin/python3', ['-c', script], { input: text }).toString().trim().split(' ').map(Number);
}

describe('mailcheck check (CLI)', () => {
  it('prints the contract JSON for one domain and exits 0 when everything passes', async () => {
    const r = await runCli(['check', 'posture.test', ...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ domain: 'posture.test', ok: true });
    for (const k of ['mx', 'spf', 'dkim', 'dmarc', 'mtaSts', 'tlsRpt', 'bimi', 'dnssec'])
      expect(j.checks[k]).toBeTypeOf('object');
    // Each checks.X is that command's own JSON object.
    expect(j.checks.mx).toMatchObject({
      domain: 'posture.test',
      nullMx: false,
      implicit: false,
      mx: [{ preference: 10, exchange: 'mx1.posture.test' }, { preference: 20 }],
    });
    expect(j.checks.spf).toMatchObject({
      domain: 'posture.test',
      record: 'v=spf1 mx include:_spf.posture.test -all',
      lookups: 2,
      voidLookups: 0,
    });
    expect(j.checks.dkim.selectors[0]).toMatchObject({
      selector: 's1',
      found: true,
      keyType: 'rsa',
      keyBits: 2048,
      testing: false,
      revoked: false,
    });
    expect(j.checks.dmarc).toMatchObject({
      recordDomain: 'posture.test',
      policy: 'reject',
      pct: 100,
      rua: ['mailto:dmarc@posture.test'],
    });
    expect(j.checks.mtaSts).toMatchObject({ mode: 'enforce', fetch: { status: 200 } });
    for (const f of j.findings)
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'severity', 'message', 'check']));
  });

  it('shows the summary table first and exits 1 when a check fails', async () => {
    const r = await runCli(['check', 'weak.posture.test', ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Mail posture of weak\.posture\.test/);
    expect(r.stdout).toMatch(/│ Check +│ Status +│ Reason/);
    expect(r.stdout).toMatch(/│ BIMI +│ ✗ fail/);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('exits 3 when a temporary failure prevents a verdict (policy host refuses the connection)', async () => {
    const closed = await startHttpsServer(ca.issue(['mta-sts.posture.test']));
    const port = closed.port;
    await closed.close();
    const r = await runCli([
      'check',
      'posture.test',
      ...ZONES,
      '--selector',
      's1',
      '--ca',
      ca.caFile,
      '--mta-sts-port',
      String(port),
      '--allow-private',
      '--json',
    ]);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(false);
    expect(j.summary.find((s: { check: string }) => s.check === 'mtaSts')).toMatchObject({ verdict: 'unknown' });
  });

  it('--strict makes a warning fail', async () => {
    https.routes.set('mta-sts.posture.test/.well-known/mta-sts.txt', { body: POLICY.replace('604800', '3600') });
    try {
      expect((await runCli(['check', 'posture.test', ...args])).code).toBe(0);
      expect((await runCli(['check', 'posture.test', ...args, '--strict'])).code).toBe(1);
    } finally {
      https.routes.set('mta-sts.posture.test/.well-known/mta-sts.txt', { body: POLICY });
    }
  });

  it('streams a batch as NDJSON in input order (comments and blank lines skipped), exit 1 if any failed', async () => {
    const file = join(tmp, 'domains.txt');
    writeFileSync(
      file,
      '# audit list\nweak.posture.test\n\nposture.test   # the good one\nstale.posture.test\nnomail.posture.test\n',
    );
    const r = await runCli(['check', '--batch', file, ...args, '--json', '--concurrency', '2']);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.domain)).toEqual([
      'weak.posture.test',
      'posture.test',
      'stale.posture.test',
      'nomail.posture.test',
    ]);
    // nomail.posture.test (SPF -all, DMARC reject, no MX) is judged as parked: no MX is what it should have.
    expect(lines.map((l) => l.ok)).toEqual([false, true, false, true]);
    expect(lines[3].profile).toMatchObject({ name: 'parked' });
    // Batches leave the DNS step logs out.
    expect(lines[1].checks.mx.steps).toBeUndefined();
    expect(lines[2].findings.map((f: { id: string }) => f.id)).toContain('mta-sts.mx.unmatched');
  });

  it('reads a batch from stdin, reports a bad line in place, and ends text mode with a summary table', async () => {
    const r = await runCli(['check', '--batch', '-', ...args], {
      input: 'posture.test\nnot a domain\nweak.posture.test\n',
      ...WIDE,
    });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^✓ posture\.test +all checks pass/);
    expect(lines[1]).toMatch(/^✗ not a domain +domain 'not a domain' is not a valid domain name/);
    expect(lines[2]).toMatch(/^✗ weak\.posture\.test +fail: DKIM, MTA-STS, BIMI/);
    expect(r.stdout).toMatch(/3 domains in [\d.]+ s .*: 1 ok, 1 failed, 0 unknown, 1 not a domain/);
    expect(r.stdout).toMatch(/│ MTA-STS +│ +1 │ +1 │ +0 │/);
    expect(r.stderr).toBe('mailcheck: 1 input line was not a domain name (reported in place)\n');
  });

  it('several domains on the command line stream like a batch', async () => {
    const r = await runCli(['check', 'posture.test', 'stale.posture.test', ...args, '--json']);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).domain),
    ).toEqual(['posture.test', 'stale.posture.test']);
  });

  it('writes JUnit XML a parser accepts: one testsuite per domain, one testcase per check', async () => {
    const r = await runCli(['check', 'posture.test', 'weak.posture.test', ...args, '--format', 'junit']);
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(parseXml(r.stdout)).toEqual([2, 18, 3, 0]);
  });

  it('annotates for GitHub, on the zone file the records come from', async () => {
    const r = await runCli(['check', 'weak.posture.test', ...args, '--format', 'github']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=fixtures\/zones\/posture\.test\.zone,title=mailcheck BIMI \(weak\.posture\.test\)::weak\.posture\.test publishes a BIMI record/m,
    );
    expect(r.stdout).toMatch(/^::warning file=fixtures\/zones\/posture\.test\.zone,title=mailcheck DMARC/m);
  });

  it('gates on a policy file: requirements become findings and decide the exit code', async () => {
    const ok = await runCli(['check', 'posture.test', ...args, '--policy', 'fixtures/policy/mailcheck.yml', '--json']);
    expect(ok.code).toBe(0);
    expect(
      JSON.parse(ok.stdout)
        .findings.filter((f: { id: string }) => f.id.startsWith('policy.'))
        .every((f: { severity: string }) => f.severity === 'ok'),
    ).toBe(true);
    const bad = await runCli([
      'check',
      'stale.posture.test',
      ...args,
      '--policy',
      'fixtures/policy/mailcheck.yml',
      '--format',
      'github',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^::error .*title=mailcheck DMARC \(stale\.posture\.test\)::Fails the policy \(fixtures\/policy\/mailcheck\.yml\): the DMARC policy must be reject; it is p=quarantine\. \[policy\.dmarc\.policy\]/m,
    );
  });

  it.each([
    [['check', '--offline'], /give a domain to check, or --batch/],
    [['check', 'bad..name', '--offline'], /not a valid domain name/],
    [
      ['check', 'a.test', '--offline', '--policy', 'fixtures/policy/typo.yml'],
      /policy fixtures\/policy\/typo\.yml: unknown key 'dmarc\.polcy' — did you mean 'policy'\?/,
    ],
    [['check', 'a.test', '--offline', '--policy', 'fixtures/policy/not-yaml.yml'], /not valid YAML/],
    [['check', 'a.test', '--offline', '--concurrency', '0'], /--concurrency '0' is not a whole number from 1/],
    [['check', 'a.test', '--offline', '--format', 'xml'], /argument 'xml' is invalid/],
    [['check', 'a.test', '--offline', '--json', '--format', 'junit'], /--json and --format junit/],
    [
      ['check', '--batch', 'no/such/file.txt', '--offline'],
      /cannot read --batch file 'no\/such\/file\.txt': no such file/,
    ],
    [['check', 'a.test', '--offline', '--ca', 'README.md'], /holds no PEM certificate/],
    [
      ['check', 'a.test', '--offline', '--selector', 'bad selector'],
      /selector 'bad selector' is not a valid domain name/,
    ],
  ])('exits 2 with one clear line for bad input: %j', async (a, message) => {
    const r = await runCli(a);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
