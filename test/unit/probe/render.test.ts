import { describe, expect, it } from 'vitest';
import type { ProbeHost, ProbeResult } from '../../../src/probe/types.js';
import { renderProbe } from '../../../src/report/text/probe.js';
import { createTheme, plainTheme } from '../../../src/report/theme.js';

// Content assertions read whole lines: render wider than the 80 columns of a pipe (test/unit/report/width.test.ts checks 80).
const wide = { ...plainTheme, width: 200 };

const host = (o: Partial<ProbeHost> = {}): ProbeHost => ({
  exchange: 'mx1.example.test',
  address: '192.0.2.10',
  port: 25,
  preference: 10,
  connected: true,
  banner: '220 mx1.example.test ESMTP Postfix',
  bannerCode: 220,
  bannerHostname: 'mx1.example.test',
  ptr: ['mx1.example.test'],
  ehlo: { hostname: 'mx1.example.test', extensions: ['PIPELINING', 'SIZE 10240000', 'STARTTLS'] },
  esmtp: true,
  ehloTls: { hostname: 'mx1.example.test', extensions: ['PIPELINING', 'SIZE 10240000'] },
  tls: {
    offered: true,
    ok: true,
    attempted: true,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    certificate: {
      subject: 'CN=mx1.example.test',
      issuer: 'CN=Example CA',
      validFrom: '2026-11-01T00:00:00.000Z',
      validTo: '2026-12-05T00:00:00.000Z',
      altNames: ['mx1.example.test'],
      selfSigned: false,
      hostnameMatch: true,
      trusted: true,
      checkedName: 'mx1.example.test',
      expired: false,
      notYetValid: false,
      daysLeft: 6,
      serialNumber: '01',
      fingerprint256: 'AA',
      keyType: 'rsa',
      keyBits: 2048,
      chainLength: 2,
    },
    chain: [
      { subject: 'CN=mx1.example.test', issuer: 'CN=Example CA' },
      { subject: 'CN=Example CA', issuer: 'CN=Example CA' },
    ],
  },
  timings: { connectMs: 1.2, bannerMs: 40, ehloMs: 2, tlsMs: 12 },
  transcript: [
    { dir: 'S', line: '220 mx1.example.test ESMTP Postfix' },
    { dir: 'C', line: 'EHLO client.test' },
    { dir: 'S', line: '250-mx1.example.test' },
    { dir: 'S', line: '250 STARTTLS' },
    { dir: 'C', line: 'STARTTLS' },
    { dir: 'S', line: '454 4.7.0 \x1b[2Jnot now' },
  ],
  findings: [
    {
      id: 'probe.cert.expiring',
      severity: 'warn',
      message: 'The certificate of mx1.example.test [192.0.2.10]:25 expires on 2026-12-05, in 6 days.',
    },
  ],
  ...o,
});
const result = (hosts: ProbeHost[], all = false): ProbeResult => ({
  kind: 'probe',
  target: 'example.test',
  port: 25,
  tls: 'starttls',
  all,
  hosts,
  findings: hosts.flatMap((h) => h.findings),
  steps: [],
});

describe('renderProbe', () => {
  it('tells one host as steps, with the certificate and the transcript (escaped)', () => {
    const out = renderProbe(result([host()]), wide);
    const lines = out.split('\n');
    expect(lines[0]).toBe('SMTP probe of example.test  port 25, STARTTLS');
    expect(out).toContain('mx1.example.test [192.0.2.10]:25 (MX 10)');
    expect(out).toMatch(/ {2}✓ connect +TCP 1\.2 ms/);
    expect(out).toMatch(/ {2}✓ greeting +220 mx1\.example\.test ESMTP Postfix 40 ms/);
    expect(out).toMatch(/ {2}✓ EHLO +PIPELINING · SIZE 10240000 · STARTTLS 2 ms/);
    expect(out).toMatch(/ {2}✓ TLS +TLSv1\.3 TLS_AES_256_GCM_SHA384 12 ms/);
    expect(out).toContain('issuer   CN=Example CA  (2 certificates sent)');
    expect(out).toContain('valid    2026-11-01 → 2026-12-05  6 days left');
    expect(out).toContain('✓ covers mx1.example.test   ✓ trusted chain');
    expect(out).toContain('  S: 454 4.7.0 \\x1b[2Jnot now');
    expect(out).not.toContain('\x1b');
    expect(out).toContain('! passed with 1 warning');
  });

  it('shows several hosts (--all) as a table', () => {
    const down = host({
      exchange: 'mx2.example.test',
      address: '2001:db8::20',
      preference: 20,
      connected: false,
      banner: null,
      bannerCode: null,
      tls: null,
      transcript: [],
      timings: { connectMs: 5000, bannerMs: null, ehloMs: null, tlsMs: null },
      error: { stage: 'connect', kind: 'timeout', message: 'no TCP connection within 5000 ms' },
      findings: [{ id: 'probe.connect.timeout', severity: 'fail', message: 'No connection', temporary: true }],
    });
    const out = renderProbe(result([host(), down], true), wide, { transcript: false });
    expect(out).toMatch(
      /│ ! │ 10 mx1\.example\.test │ 192\.0\.2\.10 +│ 220 mx1\.example\.test ESMTP Postfix │ yes +│ TLSv1\.3 │ 6 days left +│ 40 ms/,
    );
    expect(out).toMatch(/│ \? │ 20 mx2\.example\.test │ 2001:db8::20 │ timeout +│ – /);
    expect(out).not.toContain('Transcript');
  });

  it('colours by meaning when colour is on', () => {
    const out = renderProbe(result([host()]), createTheme(true));
    expect(out).toContain('\x1b[32mTLSv1.3');
    expect(out).toContain('\x1b[33m6 days left');
  });
});
