import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../../src/receive/self-signed.js';

describe('selfSignedCertificate (RFC 5280)', () => {
  it('is a valid v3 certificate for the host name, signed by its own key', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const { cert, key, notAfter } = selfSignedCertificate('mx.mail.test', now, 30);
    const x = new X509Certificate(cert);
    expect(x.subject).toBe('CN=mx.mail.test');
    expect(x.issuer).toBe('CN=mx.mail.test');
    expect(x.subjectAltName).toBe('DNS:mx.mail.test');
    expect(x.checkHost('mx.mail.test')).toBe('mx.mail.test');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x.ca).toBe(false);
    expect(new Date(x.validFrom) < now && now < new Date(x.validTo)).toBe(true);
    expect(new Date(x.validTo).getTime()).toBe(Math.floor(notAfter.getTime() / 1000) * 1000);
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
  });

  it('uses an iPAddress SAN for an address, and GeneralizedTime past 2049', () => {
    const x = new X509Certificate(selfSignedCertificate('127.0.0.1', new Date('2049-12-01T00:00:00Z'), 90).cert);
    expect(x.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2050);
  });

  it('encodes any random serial as a minimal positive INTEGER (a leading 0x00 made OpenSSL refuse the certificate)', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const bytes = (n: number) => Buffer.from([first, 0x05, ...Array(n - 2).fill(0x33)]);
      const x = new X509Certificate(
        selfSignedCertificate('mx.mail.test', new Date('2026-03-01T00:00:00Z'), 30, bytes).cert,
      );
      // 16 octets, the first in 0x40–0x7f: positive, and no padding octet.
      expect(x.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });
});
