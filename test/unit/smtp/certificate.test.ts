import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { hostnameError, inspectCertificate, isSelfSigned } from '../../../src/smtp/certificate.js';
import { splitPem, trustAnchors } from '../../../src/smtp/trust.js';
import { SmtpSession } from '../../../src/smtp/session.js';
import { generateCertificate, startSmtpPeer } from '../../helpers/smtp-peer.js';

const DAY = 86_400_000;
const ca = generateCertificate({ cn: 'mailcheck test CA', isCa: true });
const leaf = generateCertificate({ cn: 'mx.cert.test', altNames: ['mx.cert.test', '*.pool.cert.test'], ca, days: 30 });
const self = generateCertificate({
  cn: 'self.cert.test',
  altNames: ['self.cert.test', '127.0.0.1'],
  days: 30,
  rsa: true,
});
afterAll(() => [ca, leaf, self].forEach((c) => c.cleanup()));

const x509 = (pem: string) => new X509Certificate(pem);

describe('inspectCertificate', () => {
  const issued = new Date(x509(leaf.cert).validFrom).getTime();

  it('reads subject, issuer, validity, SANs and the key', () => {
    const info = inspectCertificate(x509(leaf.cert), {
      hostname: 'mx.cert.test',
      now: new Date(issued + DAY),
      authorized: true,
    });
    expect(info).toMatchObject({
      subject: 'CN=mx.cert.test',
      issuer: 'CN=mailcheck test CA',
      altNames: ['mx.cert.test', '*.pool.cert.test'],
      selfSigned: false,
      hostnameMatch: true,
      trusted: true,
      expired: false,
      notYetValid: false,
      daysLeft: 29,
      keyType: 'ec',
      keyBits: 256,
      checkedName: 'mx.cert.test',
    });
    expect(info.validFrom).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(new Date(info.validTo).getTime() - new Date(info.validFrom).getTime()).toBe(30 * DAY);
  });

  it('judges dates against the injected clock: expired, not yet valid, expiring soon', () => {
    const c = x509(leaf.cert);
    expect(inspectCertificate(c, { now: new Date(issued + 31 * DAY), authorized: true })).toMatchObject({
      expired: true,
      daysLeft: -1,
    });
    expect(inspectCertificate(c, { now: new Date(issued - DAY), authorized: true })).toMatchObject({
      notYetValid: true,
      expired: false,
    });
    expect(inspectCertificate(c, { now: new Date(issued + 20 * DAY), authorized: true })).toMatchObject({
      daysLeft: 10,
      expired: false,
    });
  });

  it('matches host names as RFC 6125 says (wildcard in the left-most label only)', () => {
    const c = x509(leaf.cert);
    expect(hostnameError(c, 'mx.cert.test')).toBeUndefined();
    expect(hostnameError(c, 'MX.Cert.Test.')).toBeUndefined();
    expect(hostnameError(c, 'a.pool.cert.test')).toBeUndefined();
    expect(hostnameError(c, 'a.b.pool.cert.test')).toBeDefined();
    expect(hostnameError(c, 'mx2.cert.test')).toMatch(/mx2\.cert\.test/);
    expect(inspectCertificate(c, { hostname: 'other.test', now: new Date(issued), authorized: true })).toMatchObject({
      hostnameMatch: false,
      hostnameError: expect.any(String),
    });
    expect(inspectCertificate(c, { now: new Date(issued), authorized: true }).hostnameMatch).toBeNull();
  });

  it('checks IP targets against IP SANs', () => {
    expect(hostnameError(x509(self.cert), '127.0.0.1')).toBeUndefined();
    expect(hostnameError(x509(self.cert), '127.0.0.2')).toBeDefined();
  });

  it('tells self-signed certificates from CA-issued ones', () => {
    expect(isSelfSigned(x509(self.cert))).toBe(true);
    expect(isSelfSigned(x509(ca.cert))).toBe(true);
    expect(isSelfSigned(x509(leaf.cert))).toBe(false);
    expect(
      inspectCertificate(x509(self.cert), {
        now: new Date(),
        authorized: false,
        authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      }),
    ).toMatchObject({
      selfSigned: true,
      trusted: false,
      trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      keyType: 'rsa',
      keyBits: 2048,
    });
  });
});

describe('trust store', () => {
  it('holds the bundled and system roots plus extra PEMs', () => {
    const anchors = trustAnchors([ca.cert]);
    expect(anchors.length).toBeGreaterThan(100);
    expect(anchors).toContain(splitPem(ca.cert)[0]);
  });

  it('verifies through a handshake: untrusted without the CA, trusted with it', async () => {
    const peer = await startSmtpPeer({ tls: leaf, implicitTls: true });
    try {
      for (const [extra, authorized] of [
        [[], false],
        [[ca.cert], true],
      ] as const) {
        const c = await SmtpSession.connect(
          { host: 'mx.cert.test', address: peer.host, port: peer.port },
          { timeoutMs: 1000 },
        );
        if (!c.ok) throw new Error(c.failure.message);
        const tls = await c.session.upgradeTls({ servername: 'mx.cert.test', ca: trustAnchors(extra) });
        expect(tls).toMatchObject({ ok: true, authorized });
        if (tls.ok && !authorized)
          expect(tls.authorizationError).toMatch(/^UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)$/);
        c.session.close();
      }
    } finally {
      await peer.close();
    }
  });

  it('negotiates TLS 1.1 with an old server so that it can be reported', async () => {
    const peer = await startSmtpPeer({ tls: { ...self, maxVersion: 'TLSv1.1' }, implicitTls: true });
    try {
      const c = await SmtpSession.connect(
        { host: 'self.cert.test', address: peer.host, port: peer.port },
        { timeoutMs: 1000 },
      );
      if (!c.ok) throw new Error(c.failure.message);
      const tls = await c.session.upgradeTls({ servername: 'self.cert.test' });
      expect(tls).toMatchObject({ ok: true, protocol: 'TLSv1.1' });
      c.session.close();
    } finally {
      await peer.close();
    }
  });
});
