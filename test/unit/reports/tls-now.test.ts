// TLS-RPT failures joined to the MX as it is now (report --smtp): a real SMTP peer on loopback with STARTTLS and a
// 60-day certificate, judged at different clocks; and a peer without STARTTLS.
import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/core/context.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { TlsFailureRow } from '../../../src/reports/model.js';
import { tlsNow } from '../../../src/reports/tls-now.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer } from '../../helpers/smtp-peer.js';
import { zoneOf } from '../../helpers/zones.js';

const DAY = 86_400_000;
const ca = generateCertificate({ cn: 'mailcheck report CA', isCa: true });
const cert = generateCertificate({ cn: 'mx.tls.test', ca, days: 60 });
const issued = Date.parse(new X509Certificate(cert.cert).validFrom);
afterAll(() => [ca, cert].forEach((c) => c.cleanup()));
const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

const resolver = layered(
  [
    zoneOf`$ORIGIN tls.test.
@ 300 IN SOA ns hostmaster 1 3600 600 604800 300
@ 300 IN MX 10 mx
mx 300 IN A 127.0.0.1
`,
  ],
  offlineResolver(),
);
const ctx = (now: number): Context => ({ resolver, timeoutMs: 2000, now: () => new Date(now), onEvent: () => {} });
const row = (resultType: string): TlsFailureRow => ({
  type: 'tls-failure',
  domain: 'tls.test',
  mx: 'mx.tls.test',
  resultType,
  sessions: 3,
  reporters: ['r.example'],
  first: null,
  last: null,
  receivingIps: [],
  details: [],
});

describe('tlsNow', () => {
  it('an expired certificate: since renewed, or still expired, by the clock', async () => {
    const p = await startSmtpPeer({ hostname: 'mx.tls.test', tls: cert });
    peers.push(p);
    const rows = [row('certificate-expired'), row('starttls-not-supported'), row('certificate-host-mismatch')];
    await tlsNow('tls.test', rows, ctx(issued + DAY), { port: p.port, ca: [ca.cert] });
    expect(rows.map((r) => r.now)).toEqual([
      {
        status: 'fixed',
        message: `the certificate of mx.tls.test has since been renewed (valid until ${new Date(issued + 60 * DAY).toISOString().slice(0, 10)})`,
      },
      { status: 'fixed', message: 'mx.tls.test offers STARTTLS now' },
      { status: 'fixed', message: 'the certificate of mx.tls.test names it now' },
    ]);
    const later = [row('certificate-expired')];
    await tlsNow('tls.test', later, ctx(issued + 61 * DAY), { port: p.port, ca: [ca.cert] });
    expect(later[0]!.now).toMatchObject({
      status: 'still-failing',
      message: expect.stringMatching(/expired on .*: still expired$/),
    });
  });

  it('no STARTTLS: still failing; an MX with no address: unknown', async () => {
    const p = await startSmtpPeer({ hostname: 'mx.tls.test' });
    peers.push(p);
    const rows = [row('starttls-not-supported'), { ...row('certificate-expired'), mx: 'gone.tls.test' }];
    await tlsNow('tls.test', rows, ctx(issued + DAY), { port: p.port });
    expect(rows[0]!.now).toEqual({ status: 'still-failing', message: 'mx.tls.test still does not offer STARTTLS' });
    expect(rows[1]!.now).toEqual({ status: 'unknown', message: 'gone.tls.test has no address now' });
  });
});
