// check --smtp --tls-audit (issue #14 §1): each MX address audited within the domain's budget, DANE looked up at
// _25._tcp.<mx> whatever port the test serves on, and the policy gate smtp.tls { minVersion, noPhaseOut }.
import { X509Certificate, constants } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { associationData } from '../../../src/auth/dane/record.js';
import type { Context } from '../../../src/core/context.js';
import { UsageError } from '../../../src/core/errors.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { checkPosture } from '../../../src/posture/check.js';
import { parsePolicy } from '../../../src/posture/policy.js';
import { renderPosture } from '../../../src/report/text/check.js';
import { plainTheme } from '../../../src/report/theme.js';
import { generateCertificate, startSmtpPeer, type GeneratedCert, type SmtpPeer } from '../../helpers/smtp-peer.js';
import { zoneOf } from '../../helpers/zones.js';

let ca: GeneratedCert;
let cert: GeneratedCert;
let modern: SmtpPeer;
let legacy: SmtpPeer;
let ctx: Context;
beforeAll(async () => {
  ca = generateCertificate({ cn: 'posture audit CA', isCa: true });
  cert = generateCertificate({ cn: 'mx.audit.test', ca });
  modern = await startSmtpPeer({
    hostname: 'mx.audit.test',
    tls: {
      cert: cert.cert,
      key: cert.key,
      minVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      ecdhCurve: 'X25519:P-256',
      secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    },
  });
  legacy = await startSmtpPeer({
    hostname: 'mx.audit.test',
    tls: { cert: cert.cert, key: cert.key, minVersion: 'TLSv1', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' },
  });
  const spki = associationData(new X509Certificate(cert.cert).raw, 1, 1);
  ctx = {
    resolver: layered(
      [
        zoneOf`$ORIGIN audit.test.
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx
mx A 127.0.0.1
_25._tcp.mx TLSA 3 1 1 ${spki}
`,
      ],
      offlineResolver(),
    ),
    timeoutMs: 3000,
    now: () => new Date(),
    onEvent: () => {},
  };
});
afterAll(async () => {
  await Promise.all([modern?.close(), legacy?.close()]);
  ca?.cleanup();
  cert?.cleanup();
});

const check = (peer: SmtpPeer, o: { policy?: object; budgetMs?: number; tlsAudit?: boolean } = {}) =>
  checkPosture('audit.test', ctx, {
    smtp: true,
    tlsAudit: o.tlsAudit ?? true,
    smtpPort: peer.port,
    ca: [ca.cert],
    budgetMs: o.budgetMs ?? 60_000,
    ...(o.policy ? { policy: parsePolicy(o.policy, 'gate.yml') } : {}),
  });

describe('check --smtp --tls-audit', () => {
  it('audits the MX address; its findings are the SMTP check’s; DANE at _25._tcp.<mx> matches', async () => {
    const r = await check(modern);
    const h = r.checks.smtp!.hosts[0]!;
    expect(h.tlsAudit).toMatchObject({ verdict: 'sufficient', summary: { phaseOut: 0, insufficient: 0 } });
    expect(h.tlsAudit!.dane).toMatchObject({
      name: '_25._tcp.mx.audit.test',
      exists: true,
      valid: true,
      rollover: false,
    });
    expect(r.findings.find((f) => f.id === 'tls.versions')).toMatchObject({ check: 'smtp', verdict: 'sufficient' });
    const text = renderPosture(r, { ...plainTheme, width: 100 });
    expect(text).toMatch(/TLS audit of mx\.audit\.test \[127\.0\.0\.1\]:\d+/);
    expect(text).toMatch(/✓ TLS of mx\.audit\.test: 0 phase-out, 0 insufficient/);
  }, 60_000);

  it('the brief report (the default) gives each audited address its summary line and says --all shows the table', async () => {
    const r = await check(legacy);
    const text = renderPosture(r, { ...plainTheme, width: 100, detail: 'brief' });
    expect(text).not.toMatch(/TLS audit of /);
    expect(text).toMatch(
      /TLS audit\n {4}[!✗] TLS of mx\.audit\.test: [1-9]\d* phase-out, \d+ insufficient {2}\[127\.0\.0\.1\]:\d+, \d+ handshakes\n/,
    );
    expect(text.replace(/\s+/g, ' ')).toMatch(/Not shown: .*each MX address's TLS audit table; --all shows everything/);
  }, 60_000);

  it('the policy gate: minVersion TLSv1.2 and noPhaseOut met by the modern server', async () => {
    const r = await check(modern, { policy: { smtp: { tls: { minVersion: 'TLSv1.2', noPhaseOut: true } } } });
    expect(r.findings.filter((f) => f.id.startsWith('policy.smtp')).map((f) => [f.id, f.severity])).toEqual([
      ['policy.smtp.tls-min-version', 'ok'],
      ['policy.smtp.tls-no-phase-out', 'ok'],
    ]);
    expect(r.summary.find((x) => x.check === 'smtp')).toMatchObject({ verdict: 'pass' });
  }, 60_000);

  it('the policy gate fails a server with TLS 1.0 and 1.1 and a CBC-SHA1 suite, naming what is wrong', async () => {
    const r = await check(legacy, { policy: { smtp: { tls: { minVersion: 'TLSv1.2', noPhaseOut: true } } } });
    const min = r.findings.find((f) => f.id === 'policy.smtp.tls-min-version');
    expect(min).toMatchObject({ severity: 'fail', check: 'smtp' });
    expect(min!.message).toMatch(
      /no TLS version below TLSv1\.2 may be offered; offered: mx\.audit\.test \[127\.0\.0\.1\] TLSv1\.1, mx\.audit\.test \[127\.0\.0\.1\] TLSv1\./,
    );
    const po = r.findings.find((f) => f.id === 'policy.smtp.tls-no-phase-out');
    expect(po).toMatchObject({ severity: 'fail' });
    expect(po!.message).toMatch(/TLSv1\.1, TLSv1/);
    expect(r.summary.find((x) => x.check === 'smtp')).toMatchObject({ verdict: 'fail' });
  }, 60_000);

  it('smtp.tls without --tls-audit: the gate says how to judge it instead of passing it', async () => {
    const r = await check(modern, { tlsAudit: false, policy: { smtp: { tls: { minVersion: 'TLSv1.2' } } } });
    expect(r.checks.smtp!.hosts[0]!.tlsAudit).toBeUndefined();
    expect(r.findings.find((f) => f.id === 'policy.smtp.not-audited')).toMatchObject({ severity: 'warn' });
    expect(r.findings.find((f) => f.id === 'policy.smtp.tls-min-version')).toBeUndefined();
  }, 60_000);

  it('the domain’s budget bounds the audit: what did not fit is "not tested", and the SMTP check still reports', async () => {
    const slow = await startSmtpPeer({
      hostname: 'mx.audit.test',
      tls: { cert: cert.cert, key: cert.key },
      bannerDelayMs: 700,
    });
    try {
      const r = await check(slow, { budgetMs: 2500 });
      const a = r.checks.smtp!.hosts[0]!.tlsAudit!;
      expect(a.incomplete).toBe(true);
      expect(r.findings.find((f) => f.id === 'tls.audit.incomplete')).toMatchObject({ check: 'smtp', temporary: true });
      expect(r.findings.find((f) => f.id === 'posture.budget.exceeded' && f.check === 'smtp')).toBeUndefined();
    } finally {
      await slow.close();
    }
  }, 60_000);
});

describe('policy smtp.tls validation', () => {
  it.each([
    [
      { smtp: { tls: { minVersion: 'TLSv1.4' } } },
      /smtp\.tls\.minVersion must be one of TLSv1, TLSv1\.1, TLSv1\.2, TLSv1\.3 \(got "TLSv1\.4"\)/,
    ],
    [{ smtp: { tls: { minVerison: 'TLSv1.2' } } }, /unknown key 'smtp\.tls\.minVerison' — did you mean 'minVersion'\?/],
    [
      { smtp: { tls: 'TLSv1.2' } },
      /smtp\.tls must be a mapping \(e\.g\. \{ minVersion: TLSv1\.2, noPhaseOut: true \}\)/,
    ],
    [{ smtp: { tls: { noPhaseOut: 'yes' } } }, /smtp\.tls\.noPhaseOut must be true or false/],
  ])('rejects %j', (doc, message) => {
    expect(() => parsePolicy(doc, 'gate.yml')).toThrow(UsageError);
    expect(() => parsePolicy(doc, 'gate.yml')).toThrow(message);
  });

  it('reads the nested mapping', () => {
    expect(
      parsePolicy({ smtp: { starttls: 'required', tls: { minVersion: 'TLSv1.2', noPhaseOut: true } } }, 'p').smtp,
    ).toEqual({
      starttls: true,
      tls: { minVersion: 'TLSv1.2', noPhaseOut: true },
    });
  });
});
