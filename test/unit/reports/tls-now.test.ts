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
@ 300 IN MX 20 noaddr
mx 300 IN A 127.0.0.1
other 300 IN A 127.0.0.1
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
    const rows = [row('starttls-not-supported'), { ...row('certificate-expired'), mx: 'noaddr.tls.test' }];
    await tlsNow('tls.test', rows, ctx(issued + DAY), { port: p.port });
    expect(rows[0]!.now).toEqual({ status: 'still-failing', message: 'mx.tls.test still does not offer STARTTLS' });
    expect(rows[1]!.now).toEqual({ status: 'unknown', message: 'noaddr.tls.test has no address now' });
  });

  it("only the domain's MX hosts of now are probed, never a host or address a report names", async () => {
    const p = await startSmtpPeer({ hostname: 'mx.tls.test' });
    peers.push(p);
    // other.tls.test resolves (to the peer) but is no MX of tls.test; 127.0.0.9 is nobody's MX address.
    const rows = [
      { ...row('starttls-not-supported'), mx: 'other.tls.test' },
      { ...row('starttls-not-supported'), mx: '127.0.0.9' },
      { ...row('starttls-not-supported'), mx: 'gone.tls.test' },
    ];
    await tlsNow('tls.test', rows, ctx(issued + DAY), { port: p.port });
    expect(rows.map((r) => r.now)).toEqual([
      { status: 'unknown', message: 'other.tls.test is not an MX of tls.test now: not probed' },
      { status: 'unknown', message: '127.0.0.9 is not an address of an MX of tls.test now: not probed' },
      { status: 'unknown', message: 'gone.tls.test is not an MX of tls.test now: not probed' },
    ]);
    expect(p.sessions).toEqual([]);
    // An address that is an MX's is probed as that MX.
    const byIp = [{ ...row('starttls-not-supported'), mx: '127.0.0.1' }];
    await tlsNow('tls.test', byIp, ctx(issued + DAY), { port: p.port });
    expect(byIp[0]!.now).toEqual({ status: 'still-failing', message: '127.0.0.1 still does not offer STARTTLS' });
    expect(p.sessions).toHaveLength(1);
  });
});
