// The TLS audit's text: one table per MX host (test · verdict · detail), internet.nl's summary line, what the local
// OpenSSL could not test; network text (certificate subjects, DNS names) escaped; 80 columns.
import { describe, expect, it } from 'vitest';
import type { TlsAudit } from '../../../src/probe/tls-audit/types.js';
import { renderTlsAudit, summaryLine } from '../../../src/report/text/tls-audit.js';
import { plainTheme } from '../../../src/report/theme.js';
import { visibleLength } from '../../../src/report/wrap.js';

const audit = (o: Partial<TlsAudit> = {}): TlsAudit => ({
  verdict: 'phase-out',
  tests: [
    { id: 'tls.versions', test: 'TLS versions', verdict: 'phase-out', detail: 'offered: TLS 1.3, TLS 1.2, TLS 1.0' },
    { id: 'tls.ciphers', test: 'Cipher suites', verdict: 'good', detail: '6 accepted (6 good)' },
    { id: 'tls.kex', test: 'Key exchange', verdict: 'phase-out', detail: 'FFDHE (TLS 1.3): ffdhe2048 (phase-out)' },
    {
      id: 'tls.cert.signature',
      test: 'Certificate signatures',
      verdict: 'insufficient',
      detail: 'weak hash: CN=evil\u001b]0;pwned\u0007 (sha1WithRSAEncryption)',
    },
    { id: 'tls.dane.exists', test: 'DANE', verdict: null, detail: 'no TLSA records at _25._tcp.mx1.example.test' },
  ],
  versions: [],
  ciphers: [],
  serverOrder: { tested: false, enforced: null, verdict: 'good' },
  groups: [],
  renegotiation: {
    secure: true,
    clientInitiated: 'refused',
    version: 'TLSv1.2',
    secureVerdict: 'good',
    clientVerdict: 'good',
  },
  certificate: null,
  dane: null,
  handshakes: 41,
  connections: 41,
  summary: { good: 1, sufficient: 0, phaseOut: 2, insufficient: 1, notTested: 1 },
  ms: 1840,
  local: {
    openssl: '3.0.19',
    untested: ['SSLv3', 'SSLv2', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_RC4_128_MD5'],
  },
  ...o,
});
const host = (a: TlsAudit | null) => ({ exchange: 'mx1.example.test', address: '192.0.2.10', port: 25, tlsAudit: a });

describe('renderTlsAudit', () => {
  it('a table per host, with the handshake count, the summary line and what could not be tested', () => {
    const text = renderTlsAudit(host(audit()), { ...plainTheme, width: 120 }).join('\n');
    expect(text).toMatch(/^TLS audit of mx1\.example\.test \[192\.0\.2\.10\]:25 {2}41 handshakes, 1\.8 s$/m);
    expect(text).toMatch(/│ TLS versions +│ ! phase-out +│ offered: TLS 1\.3, TLS 1\.2, TLS 1\.0 +│/);
    expect(text).toMatch(/│ Cipher suites +│ ✓ good +│/);
    expect(text).toMatch(/│ DANE +│ · – +│ no TLSA records/);
    expect(text).toMatch(/^✗ TLS of mx1\.example\.test: 2 phase-out, 1 insufficient$/m);
    expect(text).toMatch(
      /Not tested \(the local OpenSSL 3\.0\.19 cannot offer them\): SSL 3, SSL 2, 2 suites \(3DES, RC4\)\./,
    );
  });

  it('escapes what came from the network (a certificate subject with a terminal escape)', () => {
    const text = renderTlsAudit(host(audit()), { ...plainTheme, width: 200 }).join('\n');
    expect(text).toContain('CN=evil\\x1b]0;pwned\\x07');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('fits 80 columns', () => {
    for (const line of renderTlsAudit(host(audit()), plainTheme))
      for (const l of line.split('\n')) expect(visibleLength(l)).toBeLessThanOrEqual(80);
  });

  it('the summary line: ✓ with nothing to phase out, ! with phase-out only; no audit, no lines', () => {
    const clean = audit({ summary: { good: 5, sufficient: 1, phaseOut: 0, insufficient: 0, notTested: 0 } });
    expect(summaryLine('mx1.example.test', clean, plainTheme)).toBe(
      '✓ TLS of mx1.example.test: 0 phase-out, 0 insufficient',
    );
    const po = audit({ summary: { good: 5, sufficient: 1, phaseOut: 2, insufficient: 0, notTested: 0 } });
    expect(summaryLine('mx1.example.test', po, plainTheme)).toBe(
      '! TLS of mx1.example.test: 2 phase-out, 0 insufficient',
    );
    expect(renderTlsAudit(host(null), plainTheme)).toEqual([]);
    expect(renderTlsAudit(host(audit({ incomplete: true })), plainTheme).join('\n')).toMatch(/time budget ran out/);
  });
});
