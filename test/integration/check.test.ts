// `mailcheck check` against real Debian peers on loopback: Knot DNS serving the posture fixture (the same zone files
// --zone reads give the same verdicts over the wire), and Postfix with STARTTLS for --smtp: DANE TLSA matched
// against the certificate Postfix serves, and the MTA-STS story checked end to end.
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { findKnotd, startKnot, type KnotServer } from '../helpers/knot.js';
import { postfixUnavailable, startPostfix, type RunningPostfix } from '../helpers/postfix.js';
import { createTestCa, hasOpenssl, type TestCa } from '../helpers/test-ca.js';
import { ZONES_DIR } from '../helpers/zones.js';

const knotd = findKnotd();
const noPostfix = postfixUnavailable();
// Locally a missing peer skips; in CI it is a failure with a clear message, never a silent pass.
const withKnot = (knotd && hasOpenssl()) || process.env.CI ? describe : describe.skip;
const withPostfix = (!noPostfix && hasOpenssl()) || process.env.CI ? describe : describe.skip;
// test.zone: the TLD, so that the DMARC tree walk's last question (_dmarc.test) gets NXDOMAIN, not knot's REFUSED.
const POSTURE = ['posture.test.zone', 'posture-reverse.zone', 'posture-reverse6.zone', 'test.zone'].map((f) =>
  join(ZONES_DIR, f),
);
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.posture.test\nmx: mx2.posture.test\nmax_age: 604800\n';

withKnot('check against Knot DNS', () => {
  let knot: KnotServer;
  let ca: TestCa;
  let https: TestHttpsServer;
  let tls: string[];
  beforeAll(async () => {
    if (!knotd) throw new Error('knotd not found: install the Debian package `knot` (.ci/run does)');
    if (!hasOpenssl()) throw new Error('openssl not found: install the Debian package `openssl` (.ci/run does)');
    ca = createTestCa();
    https = await startHttpsServer(ca.issue(['mta-sts.posture.test', 'mta-sts.stale.posture.test']), {
      'mta-sts.posture.test/.well-known/mta-sts.txt': { body: POLICY },
      'mta-sts.stale.posture.test/.well-known/mta-sts.txt': { body: POLICY.replace('mx: mx2.posture.test\n', '') },
    });
    tls = ['--ca', ca.caFile, '--mta-sts-port', String(https.port), '--allow-private'];
    knot = await startKnot(POSTURE);
  });
  afterAll(async () => {
    await knot?.stop();
    await https?.close();
    ca?.cleanup();
  });

  it('gives over the wire the verdicts the zone files give in memory', async () => {
    const domains = ['posture.test', 'weak.posture.test', 'stale.posture.test', 'nomail.posture.test'];
    const wire = await runCli([
      'check',
      ...domains,
      '--resolver',
      `${knot.host}:${knot.port}`,
      '--selector',
      's1',
      ...tls,
      '--json',
    ]);
    const local = await runCli([
      'check',
      ...domains,
      '--offline',
      ...POSTURE.flatMap((f) => ['--zone', f]),
      '--selector',
      's1',
      ...tls,
      '--json',
    ]);
    expect(wire.stderr).toBe('');
    const parse = (s: string) =>
      s
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              domain: string;
              ok: boolean;
              summary: { check: string; verdict: string }[];
              findings: { id: string; check: string }[];
            },
        );
    const [w, l] = [parse(wire.stdout), parse(local.stdout)];
    expect(w.map((x) => x.domain)).toEqual(domains);
    // nomail.posture.test is judged as parked (SPF -all, DMARC reject, no MX): it passes.
    expect(w.map((x) => x.ok)).toEqual([true, false, false, true]);
    // DNSSEC and DANE differ by nature: a zone file is "local", a non-validating authoritative answer is "unsigned".
    const comparable = (x: (typeof w)[number]) => ({
      verdicts: x.summary.filter((s) => !['dnssec', 'dane'].includes(s.check)).map((s) => `${s.check}:${s.verdict}`),
      ids: x.findings
        .filter((f) => !['dnssec', 'dane'].includes(f.check))
        .map((f) => f.id)
        .sort(),
    });
    expect(w.map(comparable)).toEqual(l.map(comparable));
    expect(w[0]!.findings.map((f) => f.id)).toContain('dnssec.unsigned');
    expect(wire.code).toBe(1);
  });

  it('a resolver that does not answer makes checks unknown (exit 3), within the budget', async () => {
    // A UDP port nobody listens on: every query times out.
    const start = Date.now();
    const r = await runCli([
      'check',
      'posture.test',
      '--resolver',
      '127.0.0.1:9',
      '--timeout',
      '200',
      '--budget',
      '3000',
      '--selector',
      's1',
      '--json',
    ]);
    expect(r.code).toBe(3);
    expect(Date.now() - start).toBeLessThan(10_000);
    const j = JSON.parse(r.stdout);
    expect(new Set(j.summary.map((s: { verdict: string }) => s.verdict))).toEqual(new Set(['unknown']));
  });
});

withPostfix('check --smtp against Postfix: DANE and MTA-STS end to end', () => {
  let pf: RunningPostfix;
  let ca: TestCa;
  let https: TestHttpsServer;
  let dir: string;
  let spki: string;
  const zone = (tlsa: string) => `$ORIGIN pf.test.
$TTL 300
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx
mx A 127.0.0.1
@ TXT "v=spf1 mx -all"
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@pf.test"
_mta-sts TXT "v=STSv1; id=20261129"
mta-sts A 127.0.0.1
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@pf.test"
_25._tcp.mx TLSA 3 1 1 ${tlsa}
`;
  beforeAll(async () => {
    if (noPostfix) throw new Error(`Postfix integration test needs Postfix: ${noPostfix}`);
    if (!hasOpenssl()) throw new Error('openssl not found: install the Debian package `openssl` (.ci/run does)');
    ca = createTestCa();
    const cert = ca.issue(['mx.pf.test']);
    spki = createHash('sha256')
      .update(new X509Certificate(cert.cert).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    pf = await startPostfix({ tls: cert, hostname: 'mx.pf.test', domains: ['pf.test'] });
    https = await startHttpsServer(ca.issue(['mta-sts.pf.test']), {
      '/.well-known/mta-sts.txt': { body: 'version: STSv1\nmode: enforce\nmx: mx.pf.test\nmax_age: 604800\n' },
    });
    dir = mkdtempSync(join(tmpdir(), 'mc-check-pf-'));
  });
  afterAll(async () => {
    await pf?.stop();
    await https?.close();
    ca?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const check = async (tlsa: string) => {
    const file = join(dir, 'pf.test.zone');
    writeFileSync(file, zone(tlsa));
    const r = await runCli(
      [
        'check',
        'pf.test',
        '--offline',
        '--zone',
        file,
        '--smtp',
        '--smtp-port',
        String(pf.port),
        '--ca',
        ca.caFile,
        '--mta-sts-port',
        String(https.port),
        '--allow-private',
        '--json',
      ],
      { timeoutMs: 30_000 },
    );
    return {
      code: r.code,
      j: JSON.parse(r.stdout) as {
        checks: Record<string, { findings: { id: string; severity: string; advice?: string }[]; hosts?: unknown[] }>;
        findings: { id: string; severity: string; check: string; advice?: string }[];
      },
    };
  };

  it('matches the TLSA record against the certificate Postfix serves after STARTTLS, and checks MTA-STS against it', async () => {
    const { j } = await check(spki);
    expect(j.checks.smtp).toMatchObject({
      kind: 'probe',
      hosts: [
        {
          exchange: 'mx.pf.test',
          connected: true,
          tls: { ok: true, certificate: { trusted: true, hostnameMatch: true } },
        },
      ],
    });
    expect(j.findings.find((f) => f.id === 'dane.cert.match')).toMatchObject({ check: 'dane', severity: 'ok' });
    expect(j.findings.find((f) => f.id === 'mta-sts.smtp.ok')).toMatchObject({ check: 'mtaSts', severity: 'ok' });
  });

  it('a stale TLSA record fails, and the advice gives the record to publish', async () => {
    const { code, j } = await check('00'.repeat(32));
    expect(code).toBe(1);
    expect(j.findings.find((f) => f.id === 'dane.cert.mismatch')).toMatchObject({
      severity: 'fail',
      advice: expect.stringContaining(`_25._tcp.mx.pf.test. TLSA 3 1 1 ${spki}`),
    });
  });
});
