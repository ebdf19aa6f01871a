// The TLS audit against real servers with known settings (issue #14 §1): Postfix (smtpd_tls_protocols,
// smtpd_tls_mandatory_ciphers and its cipher list, tls_preempt_cipherlist, smtpd_tls_dh1024_param_file,
// tls_eecdh_auto_curves) and Debian's `openssl s_server` behind a STARTTLS front (TLS 1.0/1.1, NULL and anonymous
// suites at @SECLEVEL=0, -serverpref, -groups, -client_renegotiation). Each expected verdict asserted; the CLI's
// JSON and the policy gate once, end to end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCode } from '../../src/cli/exit-code.js';
import type { Context } from '../../src/core/context.js';
import { offlineResolver } from '../../src/dns/layered.js';
import { probeHost } from '../../src/probe/check.js';
import { auditTls } from '../../src/probe/tls-audit/audit.js';
import type { TlsAudit } from '../../src/probe/tls-audit/types.js';
import { runCli } from '../helpers/cli.js';
import { startOpensslSmtp, type OpensslSmtp } from '../helpers/openssl-smtp.js';
import { postfixUnavailable, startPostfix, type RunningPostfix } from '../helpers/postfix.js';
import { generateCertificate, type GeneratedCert } from '../helpers/smtp-peer.js';

const missing = postfixUnavailable();
// Outside CI a machine without Postfix skips; in CI a missing peer is a failure, not a silent pass.
const withPostfix = missing && !process.env.CI ? describe.skip : describe;

const ctx = (): Context => ({ resolver: offlineResolver(), timeoutMs: 5000, now: () => new Date(), onEvent: () => {} });
let ca: GeneratedCert;
let cert: GeneratedCert;
let dir: string;
let dh1536: string;
beforeAll(() => {
  ca = generateCertificate({ cn: 'tls audit CA', isCa: true });
  cert = generateCertificate({ cn: 'mx.audit.test', ca, rsa: true });
  dir = mkdtempSync(join(tmpdir(), 'mc-audit-int-'));
  // A well-known group below 2048 bits (RFC 3526 MODP 1536), in the PKCS#3 form Postfix and s_server read.
  dh1536 = join(dir, 'modp1536.pem');
  execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:modp_1536', '-out', dh1536]);
});
afterAll(() => {
  ca?.cleanup();
  cert?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const offered = (xs: { offered: boolean | null; name?: string; version?: string | null }[]) =>
  xs.filter((x) => x.offered === true).map((x) => x.name ?? x.version);
const row = (a: TlsAudit, test: string) => a.tests.find((t) => t.test === test);

withPostfix('TLS audit against Postfix', () => {
  const running: RunningPostfix[] = [];
  const postfix = async (main: Record<string, string>) => {
    if (missing) throw new Error(`the TLS audit test needs Postfix: ${missing}`);
    const pf = await startPostfix({ tls: cert, hostname: 'mx.audit.test', main });
    running.push(pf);
    return pf;
  };
  const audit = async (pf: RunningPostfix) =>
    probeHost({ exchange: 'mx.audit.test', address: pf.host, port: pf.port }, ctx(), {
      ca: [ca.cert],
      helo: 'audit.client.test',
      tlsAudit: {},
    });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  describe('hardened: TLS 1.2+, ECDHE AEAD only, its own order, three curves', () => {
    let pf: RunningPostfix;
    let a: TlsAudit;
    let findings: { id: string; severity: string }[];
    beforeAll(async () => {
      pf = await postfix({
        smtpd_tls_protocols: '>=TLSv1.2',
        smtpd_tls_mandatory_protocols: '>=TLSv1.2',
        smtpd_tls_ciphers: 'high',
        smtpd_tls_mandatory_ciphers: 'high',
        tls_high_cipherlist: 'ECDHE+AESGCM:ECDHE+CHACHA20',
        tls_preempt_cipherlist: 'yes',
        tls_eecdh_auto_curves: 'X25519 prime256v1 secp384r1',
      });
      const h = await audit(pf);
      a = h.tlsAudit!;
      findings = h.findings;
    }, 60_000);

    it('versions: TLS 1.3 (good) and 1.2 (sufficient); 1.1 and 1.0 refused', () => {
      expect(a.versions.slice(0, 4).map((v) => [v.version, v.offered, v.verdict])).toEqual([
        ['TLSv1.3', true, 'good'],
        ['TLSv1.2', true, 'sufficient'],
        ['TLSv1.1', false, 'phase-out'],
        ['TLSv1', false, 'phase-out'],
      ]);
    });

    it('suites: the three of TLS 1.3 and the three ECDHE-RSA AEAD ones, all good; none else', () => {
      expect(offered(a.ciphers).sort()).toEqual(
        [
          'TLS_AES_128_GCM_SHA256',
          'TLS_AES_256_GCM_SHA384',
          'TLS_CHACHA20_POLY1305_SHA256',
          'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
          'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
        ].sort(),
      );
      expect(row(a, 'Cipher suites')).toMatchObject({ verdict: 'good' });
      expect(row(a, 'Cipher order')).toMatchObject({
        verdict: 'good',
        detail: expect.stringMatching(/not applicable/),
      });
    });

    it('key exchange: exactly tls_eecdh_auto_curves (no ffdhe in TLS 1.3); renegotiation refused, RFC 5746 supported', () => {
      expect(offered(a.groups).sort()).toEqual(['secp256r1', 'secp384r1', 'x25519']);
      expect(a.groups.find((g) => g.name === 'ffdhe2048')).toMatchObject({ offered: false });
      expect(row(a, 'Key exchange')).toMatchObject({ verdict: 'good' });
      expect(a.renegotiation).toMatchObject({
        secure: true,
        clientInitiated: 'refused',
        secureVerdict: 'good',
        clientVerdict: 'good',
      });
    });

    it('"0 phase-out, 0 insufficient" and exit 0', () => {
      expect(a.summary).toMatchObject({ phaseOut: 0, insufficient: 0 });
      expect(a.verdict).toBe('sufficient');
      expect(exitCode([{ kind: 'probe', findings: findings as never }])).toBe(0);
    });

    it('the CLI: JSON hosts[].tlsAudit, and the policy gate passes minVersion TLSv1.2 and noPhaseOut', async () => {
      const zone = join(dir, 'audit.test.zone');
      writeFileSync(
        zone,
        '$ORIGIN audit.test.\n@ SOA ns hostmaster 1 3600 600 604800 300\n@ NS ns\nns A 127.0.0.1\n@ MX 10 mx\nmx A 127.0.0.1\n',
      );
      const policy = join(dir, 'gate.yml');
      writeFileSync(policy, 'smtp:\n  tls:\n    minVersion: TLSv1.2\n    noPhaseOut: true\n');
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, ca.cert);
      const p = await runCli(
        [
          'probe',
          'audit.test',
          '--port',
          String(pf.port),
          '--ca',
          caFile,
          '--tls-audit',
          '--json',
          '--offline',
          '--zone',
          zone,
        ],
        {
          timeoutMs: 60_000,
        },
      );
      expect(p.stderr).toBe('');
      const j = JSON.parse(p.stdout);
      expect(j.hosts[0].tlsAudit).toMatchObject({
        verdict: 'sufficient',
        versions: expect.arrayContaining([{ version: 'TLSv1.3', offered: true, verdict: 'good' }]),
        ciphers: expect.arrayContaining([
          expect.objectContaining({
            name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
            version: 'TLSv1.2',
            offered: true,
            verdict: 'good',
          }),
        ]),
        serverOrder: expect.objectContaining({ verdict: 'good' }),
        groups: expect.arrayContaining([expect.objectContaining({ name: 'x25519', offered: true })]),
        renegotiation: expect.objectContaining({ secure: true }),
        handshakes: expect.any(Number),
      });
      expect(p.code).toBe(0);
      const c = await runCli(
        [
          'check',
          'audit.test',
          '--offline',
          '--zone',
          zone,
          '--smtp-port',
          String(pf.port),
          '--ca',
          caFile,
          '--tls-audit',
          '--policy',
          policy,
          '--json',
        ],
        { timeoutMs: 60_000 },
      );
      const k = JSON.parse(c.stdout);
      expect(
        k.findings
          .filter((f: { id: string }) => f.id.startsWith('policy.smtp'))
          .map((f: { id: string; severity: string }) => [f.id, f.severity]),
      ).toEqual([
        ['policy.smtp.tls-min-version', 'ok'],
        ['policy.smtp.tls-no-phase-out', 'ok'],
      ]);
    }, 120_000);
  });

  describe('legacy: TLS 1.0 and up, a static-RSA suite, a 1536-bit DH group, the client’s order', () => {
    let a: TlsAudit;
    const legacy = {
      smtpd_tls_protocols: '>=TLSv1',
      smtpd_tls_mandatory_protocols: '>=TLSv1',
      smtpd_tls_ciphers: 'medium',
      smtpd_tls_mandatory_ciphers: 'medium',
      // Debian's OpenSSL refuses TLS 1.0/1.1 and small groups unless the list lowers the security level.
      tls_medium_cipherlist: 'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:AES128-SHA:@SECLEVEL=0',
      tls_preempt_cipherlist: 'no',
      smtpd_tls_dh1024_param_file: '',
    };
    beforeAll(async () => {
      const pf = await postfix({ ...legacy, smtpd_tls_dh1024_param_file: dh1536 });
      a = (await audit(pf)).tlsAudit!;
    }, 60_000);

    it('versions: TLS 1.1 and 1.0 offered, phase-out', () => {
      expect(offered(a.versions)).toEqual(['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1']);
      expect(row(a, 'TLS versions')).toMatchObject({ verdict: 'phase-out' });
    });

    it('suites: ECDHE-RSA AES-GCM good, DHE-RSA AES-CBC sufficient, static RSA phase-out', () => {
      const legacySuites = a.ciphers.filter((c) => c.offered && c.version !== 'TLSv1.3');
      expect(Object.fromEntries(legacySuites.map((c) => [c.name, c.verdict]))).toEqual({
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'good',
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA: 'sufficient',
        TLS_RSA_WITH_AES_128_CBC_SHA: 'phase-out',
      });
      expect(row(a, 'Cipher suites')).toMatchObject({ verdict: 'phase-out' });
    });

    it('order: not enforced (tls_preempt_cipherlist = no) — insufficient', () => {
      expect(a.serverOrder).toMatchObject({ tested: true, enforced: false, verdict: 'insufficient' });
    });

    it('key exchange: DHE with the 1536-bit group from smtpd_tls_dh1024_param_file — insufficient', () => {
      expect(a.groups.filter((g) => g.kind === 'dhe').map((g) => [g.bits, g.verdict])).toEqual([
        [1536, 'insufficient'],
      ]);
      expect(row(a, 'Key exchange')).toMatchObject({ verdict: 'insufficient' });
    });

    it('with tls_preempt_cipherlist = yes the same server enforces its order, strongest first — good', async () => {
      const pf = await postfix({ ...legacy, tls_preempt_cipherlist: 'yes', smtpd_tls_dh1024_param_file: dh1536 });
      const b = (await audit(pf)).tlsAudit!;
      expect(b.serverOrder).toMatchObject({
        tested: true,
        enforced: true,
        pair: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
        chosen: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
        verdict: 'good',
      });
    }, 60_000);
  });
});

describe('TLS audit against openssl s_server (Debian’s OpenSSL) behind a STARTTLS front', () => {
  const running: OpensslSmtp[] = [];
  afterAll(async () => {
    await Promise.all(running.map((s) => s.close()));
  });
  const audit = async (args: string[]) => {
    const s = await startOpensslSmtp({
      certFile: cert.certFile,
      keyFile: cert.keyFile,
      args,
      hostname: 'mx.audit.test',
    });
    running.push(s);
    // s_server is no SMTP server after TLS (it would echo our EHLO): the audit's own connections stop at TLS.
    const { audit: a } = await auditTls(ctx(), {
      endpoint: { host: 'mx.audit.test', address: s.host, port: s.port },
      servername: 'mx.audit.test',
      tls: 'starttls',
      leaf: null,
      leafFindings: [],
    });
    return { a, s };
  };

  it('TLS 1.0/1.1 only with NULL, anonymous, static-RSA and 1536-bit DHE suites at @SECLEVEL=0, renegotiation allowed', async () => {
    const { a, s } = await audit([
      '-min_protocol',
      'TLSv1',
      '-max_protocol',
      'TLSv1.1',
      '-cipher',
      'ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:AES128-SHA:NULL-SHA:ADH-AES256-SHA:@SECLEVEL=0',
      '-dhparam',
      dh1536,
      '-client_renegotiation',
    ]);
    expect(a.versions.slice(0, 4).map((v) => [v.version, v.offered])).toEqual([
      ['TLSv1.3', false],
      ['TLSv1.2', false],
      ['TLSv1.1', true],
      ['TLSv1', true],
    ]);
    expect(
      Object.fromEntries(a.ciphers.filter((c) => c.offered).map((c) => [c.openssl, [c.version, c.verdict]])),
    ).toEqual({
      'ECDHE-RSA-AES256-SHA': ['TLSv1.1', 'sufficient'],
      'DHE-RSA-AES128-SHA': ['TLSv1.1', 'sufficient'],
      'AES128-SHA': ['TLSv1.1', 'phase-out'],
      'NULL-SHA': ['TLSv1.1', 'insufficient'],
      'ADH-AES256-SHA': ['TLSv1.1', 'insufficient'],
    });
    // TLS 1.2 suites cannot be had without TLS 1.2: refused, not "not tested".
    expect(a.ciphers.find((c) => c.name === 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toMatchObject({
      offered: false,
      note: 'needs TLS 1.2, which is not offered',
    });
    expect(a.groups.find((g) => g.kind === 'dhe')).toMatchObject({ bits: 1536, verdict: 'insufficient' });
    expect(a.serverOrder).toMatchObject({ enforced: false, verdict: 'insufficient' });
    expect(a.renegotiation).toMatchObject({
      secure: true,
      clientInitiated: 'accepted',
      version: 'TLSv1.1',
      clientVerdict: 'insufficient',
    });
    expect(row(a, 'TLS versions')).toMatchObject({ verdict: 'phase-out' });
    expect(row(a, 'Cipher suites')).toMatchObject({ verdict: 'insufficient' });
    expect(a.summary).toMatchObject({ phaseOut: 1, insufficient: 4 });
    // Every handshake we counted reached s_server.
    expect(a.handshakes).toBe(s.starttls);
  }, 60_000);

  it('-serverpref, one curve, -no_renegotiation: order enforced (good), only secp384r1, renegotiation refused', async () => {
    const { a } = await audit([
      '-min_protocol',
      'TLSv1.2',
      '-max_protocol',
      'TLSv1.2',
      '-cipher',
      'ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:@SECLEVEL=0',
      '-serverpref',
      '-groups',
      'secp384r1',
      '-no_renegotiation',
    ]);
    expect(a.serverOrder).toMatchObject({
      enforced: true,
      chosen: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
      verdict: 'good',
    });
    expect(offered(a.groups)).toEqual(['secp384r1']);
    expect(a.groups.find((g) => g.name === 'x25519')).toMatchObject({ offered: false, version: 'TLSv1.2' });
    expect(a.renegotiation).toMatchObject({ secure: true, clientInitiated: 'refused', clientVerdict: 'good' });
    expect(row(a, 'Cipher suites')).toMatchObject({ verdict: 'phase-out' });
  }, 60_000);
});
