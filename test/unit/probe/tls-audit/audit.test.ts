// probe --tls-audit against servers with known settings (issue #14 §1): Node's TLS server behind the test SMTP
// peer, configured test by test — versions, suites, server order, groups, DH size, renegotiation — and each expected
// verdict asserted. The real peers (Postfix, openssl s_server) are in test/integration/tls-audit-*.test.ts.
import { execFileSync } from 'node:child_process';
import { constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCode } from '../../../../src/cli/exit-code.js';
import type { Context } from '../../../../src/core/context.js';
import { offlineResolver } from '../../../../src/dns/layered.js';
import { probeHost } from '../../../../src/probe/check.js';
import type { ProbeHost } from '../../../../src/probe/types.js';
import type { TlsAudit } from '../../../../src/probe/tls-audit/types.js';
import {
  generateCertificate,
  startSmtpPeer,
  type GeneratedCert,
  type SmtpPeer,
  type SmtpPeerOptions,
} from '../../../helpers/smtp-peer.js';

const ctx = (timeoutMs = 3000): Context => ({
  resolver: offlineResolver(),
  timeoutMs,
  now: () => new Date(),
  onEvent: () => {},
});

let ca: GeneratedCert;
let ec: GeneratedCert;
let rsa: GeneratedCert;
let dir: string;
let dh1024: string;
const peers: SmtpPeer[] = [];

beforeAll(() => {
  ca = generateCertificate({ cn: 'audit test CA', isCa: true });
  ec = generateCertificate({ cn: 'mx.audit.test', ca });
  rsa = generateCertificate({ cn: 'mx.audit.test', ca, rsa: true });
  dir = mkdtempSync(join(tmpdir(), 'mc-audit-'));
  // A 1024-bit group, as old servers still have (DSA-style parameters: fast to make).
  execFileSync('openssl', ['dhparam', '-dsaparam', '-out', join(dir, 'dh1024.pem'), '1024'], { stdio: 'ignore' });
  dh1024 = readFileSync(join(dir, 'dh1024.pem'), 'utf8');
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  for (const c of [ca, ec, rsa]) c?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function audit(tls: SmtpPeerOptions['tls'], o: { timeoutMs?: number; budgetMs?: number } = {}) {
  const peer = await startSmtpPeer({ hostname: 'mx.audit.test', tls });
  peers.push(peer);
  const host = await probeHost({ exchange: 'mx.audit.test', address: peer.host, port: peer.port }, ctx(o.timeoutMs), {
    ca: [ca.cert],
    tlsAudit: { budgetMs: o.budgetMs ?? 60_000 },
  });
  return { host, audit: host.tlsAudit!, peer };
}

const offered = (a: TlsAudit, what: 'versions' | 'ciphers' | 'groups') =>
  (a[what] as { offered: boolean | null; version?: string | null; name?: string }[])
    .filter((x) => x.offered === true)
    .map((x) => ('name' in x && x.name ? x.name : x.version));
const row = (a: TlsAudit, test: string) => a.tests.find((t) => t.test === test);
const byId = (h: ProbeHost, id: string) => h.findings.find((f) => f.id === id);

describe('TLS audit: a modern server (TLS 1.2+, ECDHE-ECDSA AEAD only, its own order, no renegotiation)', () => {
  let host: ProbeHost;
  let a: TlsAudit;
  let peer: SmtpPeer;
  beforeAll(async () => {
    ({
      host,
      audit: a,
      peer,
    } = await audit({
      cert: ec.cert,
      key: ec.key,
      minVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305',
      ecdhCurve: 'X25519:P-256:P-384',
      honorCipherOrder: true,
      secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    }));
  }, 60_000);

  it('versions: TLS 1.3 good and 1.2 sufficient offered, 1.1 and 1.0 refused, SSL 3 not tested', () => {
    expect(a.versions).toEqual([
      { version: 'TLSv1.3', offered: true, verdict: 'good' },
      { version: 'TLSv1.2', offered: true, verdict: 'sufficient' },
      expect.objectContaining({ version: 'TLSv1.1', offered: false, verdict: 'phase-out' }),
      expect.objectContaining({ version: 'TLSv1', offered: false, verdict: 'phase-out' }),
      expect.objectContaining({
        version: 'SSLv3',
        offered: null,
        verdict: 'insufficient',
        note: expect.stringMatching(/not tested: the local OpenSSL/),
      }),
      expect.objectContaining({ version: 'SSLv2', offered: null, verdict: 'insufficient' }),
    ]);
    expect(row(a, 'TLS versions')).toMatchObject({ id: 'tls.versions', verdict: 'sufficient' });
  });

  it('suites: exactly the configured ones (TLS 1.3 defaults and three ECDHE-ECDSA AEAD), all good; 3DES and RC4 not tested', () => {
    expect(offered(a, 'ciphers').sort()).toEqual(
      [
        'TLS_AES_128_GCM_SHA256',
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      ].sort(),
    );
    expect(a.ciphers.find((c) => c.name === 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256')).toMatchObject({
      version: 'TLSv1.2',
      verdict: 'good',
    });
    expect(a.ciphers.find((c) => c.name === 'TLS_RSA_WITH_3DES_EDE_CBC_SHA')).toMatchObject({
      offered: null,
      openssl: null,
      verdict: 'phase-out',
      note: expect.stringMatching(/local OpenSSL .* cannot offer it/),
    });
    // A family the server takes none of is refused in one handshake, not one per suite.
    expect(a.ciphers.find((c) => c.name === 'TLS_RSA_WITH_AES_128_CBC_SHA')).toMatchObject({
      offered: false,
      note: expect.stringMatching(/^refused with the other RSA-RSA suites \(ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE\)$/),
    });
    expect(row(a, 'Cipher suites')).toMatchObject({ verdict: 'good' });
  });

  it('order: not applicable (every accepted suite is good); key exchange: the three groups configured, good', () => {
    expect(a.serverOrder).toMatchObject({ tested: false, verdict: 'good' });
    expect(offered(a, 'groups').sort()).toEqual(['secp256r1', 'secp384r1', 'x25519']);
    expect(a.groups.find((g) => g.name === 'ffdhe2048')).toMatchObject({ offered: false, version: 'TLSv1.3' });
    expect(a.groups.find((g) => g.name === 'x448')).toMatchObject({ offered: false });
    expect(row(a, 'Key exchange')).toMatchObject({ id: 'tls.kex', verdict: 'good' });
  });

  it('renegotiation: secure renegotiation supported, client-initiated refused', () => {
    expect(a.renegotiation).toMatchObject({
      secure: true,
      clientInitiated: 'refused',
      version: 'TLSv1.2',
      secureVerdict: 'good',
      clientVerdict: 'good',
    });
  });

  it('certificate rows: ECDSA P-256 and SHA-256 good; trust, name and dates from the probe, no second finding', () => {
    expect(a.certificate).toMatchObject({
      keyType: 'ec',
      curve: 'prime256v1',
      keyVerdict: 'good',
      signatureVerdict: 'good',
    });
    expect(row(a, 'Certificate chain')).toMatchObject({ verdict: 'good', id: 'probe.tls.ok' });
    expect(row(a, 'Certificate name')).toMatchObject({ verdict: 'good', detail: 'covers mx.audit.test' });
    expect(host.findings.filter((f) => f.id === 'probe.tls.ok')).toHaveLength(1);
    // An IP-less host name but no zone: no TLSA records.
    expect(a.dane).toMatchObject({ exists: false, name: `_${peer.port}._tcp.mx.audit.test` });
  });

  it('verdict sufficient, "0 phase-out, 0 insufficient", exit 0; handshakes counted as the server saw them', () => {
    expect(a.verdict).toBe('sufficient');
    expect(a.summary).toMatchObject({ phaseOut: 0, insufficient: 0 });
    expect(exitCode([{ kind: 'probe', findings: host.findings }])).toBe(0);
    expect(byId(host, 'tls.versions')).toMatchObject({
      severity: 'ok',
      verdict: 'sufficient',
      message: expect.stringMatching(/^TLS versions of mx\.audit\.test \[127\.0\.0\.1\]:\d+: sufficient — /),
    });
    // The probe's own session is the first; every audit connection after it said STARTTLS.
    const starttls = peer.sessions.slice(1).filter((s) => s.some((l) => /^STARTTLS/i.test(l))).length;
    expect(a.handshakes).toBe(starttls);
    expect(a.connections).toBe(peer.sessions.length - 1);
    expect(a.handshakes).toBeLessThan(45);
  });
});

describe('TLS audit: a legacy server (TLS 1.0–1.2, static RSA, anonymous DH, 1024-bit DH, the client’s order, renegotiation)', () => {
  let host: ProbeHost;
  let a: TlsAudit;
  beforeAll(async () => {
    ({ host, audit: a } = await audit({
      cert: rsa.cert,
      key: rsa.key,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:AES128-SHA:ADH-AES128-SHA:@SECLEVEL=0',
      dhparam: dh1024,
      honorCipherOrder: false,
    }));
  }, 60_000);

  it('versions: TLS 1.2 sufficient, 1.1 and 1.0 phase-out, 1.3 refused', () => {
    expect(offered(a, 'versions')).toEqual(['TLSv1.2', 'TLSv1.1', 'TLSv1']);
    expect(a.versions[0]).toMatchObject({ version: 'TLSv1.3', offered: false });
    expect(row(a, 'TLS versions')).toMatchObject({
      verdict: 'phase-out',
      detail: expect.stringMatching(/offered: TLS 1\.2, TLS 1\.1, TLS 1\.0; refused: TLS 1\.3/),
    });
    expect(byId(host, 'tls.versions')).toMatchObject({ severity: 'warn', verdict: 'phase-out' });
  });

  it('suites: each configured one found alone, classed good / sufficient / phase-out / insufficient', () => {
    const got = Object.fromEntries(a.ciphers.filter((c) => c.offered).map((c) => [c.name, c.verdict]));
    expect(got).toEqual({
      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'good',
      TLS_DHE_RSA_WITH_AES_256_CBC_SHA: 'sufficient',
      TLS_RSA_WITH_AES_128_CBC_SHA: 'phase-out',
      TLS_DH_anon_WITH_AES_128_CBC_SHA: 'insufficient',
    });
    expect(a.ciphers.find((c) => c.name === 'TLS_RSA_WITH_AES_128_CBC_SHA')).toMatchObject({
      version: 'TLSv1.2',
      reason: 'no forward secrecy (RSA key exchange)',
    });
    // TLS 1.3 is refused, so its suites are too (not "not tested").
    expect(a.ciphers.find((c) => c.name === 'TLS_AES_128_GCM_SHA256')).toMatchObject({ offered: false });
    expect(byId(host, 'tls.ciphers')).toMatchObject({
      severity: 'fail',
      verdict: 'insufficient',
      message: expect.stringMatching(/ADH-AES128-SHA \(no authentication/),
    });
  });

  it('order: the server takes the client’s first choice — insufficient', () => {
    expect(a.serverOrder).toMatchObject({
      tested: true,
      enforced: false,
      pair: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
      chosen: ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      verdict: 'insufficient',
    });
    expect(row(a, 'Cipher order')?.detail).toMatch(
      /not enforced: of ECDHE-RSA-AES128-GCM-SHA256 and ADH-AES128-SHA, the server takes the one the client lists first/,
    );
  });

  it('key exchange: 1024-bit DHE insufficient; curves tried in TLS 1.2 (no TLS 1.3), ffdhe groups not testable', () => {
    expect(a.groups.filter((g) => g.kind === 'dhe')).toEqual([
      { name: 'dhe', kind: 'dhe', version: expect.any(String), offered: true, bits: 1024, verdict: 'insufficient' },
    ]);
    expect(a.groups.find((g) => g.name === 'x25519')).toMatchObject({ offered: true, version: 'TLSv1.2' });
    expect(a.groups.find((g) => g.name === 'ffdhe3072')).toMatchObject({
      offered: null,
      note: expect.stringMatching(/named only in TLS 1\.3/),
    });
    expect(row(a, 'Key exchange')).toMatchObject({
      verdict: 'insufficient',
      detail: expect.stringMatching(/DHE: 1024 bits \(insufficient\)/),
    });
  });

  it('client-initiated renegotiation accepted: insufficient, but advisory (a warning)', () => {
    expect(a.renegotiation).toMatchObject({ secure: true, clientInitiated: 'accepted', clientVerdict: 'insufficient' });
    expect(byId(host, 'tls.renegotiation.client')).toMatchObject({ severity: 'warn', verdict: 'insufficient' });
  });

  it('the certificate: RSA 2048 sufficient; summary counts and exit 1', () => {
    expect(a.certificate).toMatchObject({ keyType: 'rsa', keyBits: 2048, keyVerdict: 'sufficient' });
    expect(a.verdict).toBe('insufficient');
    expect(a.summary).toMatchObject({ phaseOut: 1, insufficient: 4 });
    expect(exitCode([{ kind: 'probe', findings: host.findings }])).toBe(1);
  });
});

describe('TLS audit: what it cannot judge', () => {
  it('a server that never finishes TLS: no answer, retried, reported "not tested" — never "refused"', async () => {
    const peer = await startSmtpPeer({
      hostname: 'mx.audit.test',
      tls: { cert: ec.cert, key: ec.key },
      mode: 'stall-tls',
    });
    peers.push(peer);
    const host = await probeHost({ exchange: 'mx.audit.test', address: peer.host, port: peer.port }, ctx(300), {
      tlsAudit: {},
    });
    const a = host.tlsAudit!;
    expect(a.versions.slice(0, 4)).toEqual(
      ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'].map((version) =>
        expect.objectContaining({
          version,
          offered: null,
          note: expect.stringMatching(/^not tested: no answer \(TLS handshake not finished/),
        }),
      ),
    );
    expect(a.verdict).toBeNull();
    expect(a.ciphers.some((c) => c.offered === false)).toBe(false);
    // One try and one retry per version.
    expect(a.handshakes).toBe(8);
  });

  it('the time budget: in-flight and unstarted tests become "not tested", and the audit says it is incomplete (exit 3)', async () => {
    const peer = await startSmtpPeer({
      hostname: 'mx.audit.test',
      tls: { cert: ec.cert, key: ec.key },
      bannerDelayMs: 400,
    });
    peers.push(peer);
    const host = await probeHost({ exchange: 'mx.audit.test', address: peer.host, port: peer.port }, ctx(), {
      ca: [ca.cert],
      tlsAudit: { budgetMs: 200 },
    });
    const a = host.tlsAudit!;
    expect(a.incomplete).toBe(true);
    expect(a.versions[0]).toMatchObject({ offered: null, note: 'not tested: the time budget ran out' });
    expect(byId(host, 'tls.audit.incomplete')).toMatchObject({ severity: 'warn', temporary: true });
    expect(exitCode([{ kind: 'probe', findings: host.findings }])).toBe(3);
  });

  it('no STARTTLS: no audit, said once (info)', async () => {
    const peer = await startSmtpPeer({ hostname: 'mx.audit.test' });
    peers.push(peer);
    const host = await probeHost({ exchange: 'mx.audit.test', address: peer.host, port: peer.port }, ctx(), {
      tlsAudit: {},
    });
    expect(host.tlsAudit).toBeNull();
    expect(byId(host, 'tls.audit.skipped')).toMatchObject({
      severity: 'info',
      message: expect.stringMatching(/STARTTLS is not offered/),
    });
    expect(peer.sessions).toHaveLength(1);
  });
});
