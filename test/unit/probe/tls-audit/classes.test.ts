// The classes of the NCSC-NL TLS guidelines 2.1 as internet.nl implements them (checks/tasks/tls/tls_constants.py
// at 53d0ad23), and what the local OpenSSL can offer.
import { describe, expect, it } from 'vitest';
import { failureStatus } from '../../../../src/probe/tls-audit/attempt.js';
import {
  curveVerdict,
  dhVerdict,
  keyVerdict,
  signatureVerdict,
  suiteReason,
  suiteVerdict,
  versionVerdict,
  worst,
} from '../../../../src/probe/tls-audit/classes.js';
import { localTls } from '../../../../src/probe/tls-audit/local.js';
import { LEGACY_SUITES, TLS13_SUITES, suiteFamily } from '../../../../src/probe/tls-audit/suites.js';

describe('classes', () => {
  it('versions: 1.3 good, 1.2 sufficient, 1.1 and 1.0 phase-out, SSL insufficient (NCSC table 1)', () => {
    expect(['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3', 'SSLv2'].map(versionVerdict)).toEqual([
      'good',
      'sufficient',
      'phase-out',
      'phase-out',
      'insufficient',
      'insufficient',
    ]);
  });

  it.each([
    ['TLS_AES_256_GCM_SHA384', 'good'],
    ['TLS_AES_128_CCM_SHA256', 'good'],
    ['TLS_AES_128_CCM_8_SHA256', 'insufficient'],
    ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'good'],
    ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'good'],
    ['TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 'good'],
    ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'sufficient'],
    ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'sufficient'],
    ['TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'sufficient'],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'phase-out'],
    ['TLS_RSA_WITH_AES_256_CBC_SHA', 'phase-out'],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'phase-out'],
    ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'phase-out'],
    // Static RSA key exchange is phase-out for Camellia too (internet.nl lists these as sufficient; see classes.ts).
    ['TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'phase-out'],
    ['TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256', 'insufficient'],
    ['TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 'insufficient'],
    ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'insufficient'],
    ['TLS_ECDH_anon_WITH_AES_256_CBC_SHA', 'insufficient'],
    ['TLS_RSA_WITH_NULL_SHA256', 'insufficient'],
    ['TLS_RSA_WITH_RC4_128_SHA', 'insufficient'],
    ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'insufficient'],
    ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'insufficient'],
  ])('%s is %s', (suite, verdict) => {
    expect(suiteVerdict(suite)).toBe(verdict);
  });

  it('every suite has a reason in words', () => {
    expect(suiteReason('TLS_RSA_WITH_AES_128_CBC_SHA')).toBe('no forward secrecy (RSA key exchange)');
    expect(suiteReason('TLS_DH_anon_WITH_AES_128_CBC_SHA')).toBe('no authentication (anonymous)');
    expect(suiteReason('TLS_ECDHE_RSA_WITH_NULL_SHA')).toBe('no encryption');
    expect(suiteReason('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA')).toBe('CBC with forward secrecy');
    expect(suiteReason('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe('AEAD with forward secrecy');
    for (const s of [...TLS13_SUITES, ...LEGACY_SUITES]) expect(suiteReason(s.iana)).not.toBe('');
  });

  it('families by key exchange and authentication', () => {
    expect(suiteFamily('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256')).toEqual({ kex: 'ECDHE', auth: 'ECDSA' });
    expect(suiteFamily('TLS_RSA_WITH_AES_128_CBC_SHA')).toEqual({ kex: 'RSA', auth: 'RSA' });
    expect(suiteFamily('TLS_RSA_EXPORT_WITH_RC4_40_MD5')).toEqual({ kex: 'RSA', auth: 'RSA' });
    expect(suiteFamily('TLS_DH_anon_WITH_AES_128_CBC_SHA')).toEqual({ kex: 'DH_anon', auth: 'none' });
    expect(suiteFamily('TLS_AES_128_GCM_SHA256')).toEqual({ kex: 'TLS13', auth: 'any' });
  });

  it('groups: x25519, x448, P-256/384/521 good; P-224 phase-out; brainpool and the rest insufficient (2.1)', () => {
    expect(['x25519', 'x448', 'secp256r1', 'prime256v1', 'secp384r1', 'secp521r1'].map(curveVerdict)).toEqual(
      Array(6).fill('good'),
    );
    expect(curveVerdict('secp224r1')).toBe('phase-out');
    expect(['brainpoolP256r1', 'secp256k1', 'secp192r1'].map(curveVerdict)).toEqual(Array(3).fill('insufficient'));
  });

  it('finite-field DH: < 2048 insufficient, 2048 phase-out, 3072 and up sufficient', () => {
    expect([1024, 2047, 2048, 3072, 8192].map(dhVerdict)).toEqual([
      'insufficient',
      'insufficient',
      'phase-out',
      'sufficient',
      'sufficient',
    ]);
  });

  it('certificate keys and signature hashes', () => {
    expect(keyVerdict('rsa', 1024)).toBe('insufficient');
    expect(keyVerdict('rsa', 2048)).toBe('sufficient');
    expect(keyVerdict('rsa', 4096)).toBe('good');
    expect(keyVerdict('ec', 256, 'prime256v1')).toBe('good');
    expect(keyVerdict('ec', 521, 'secp521r1')).toBe('good');
    expect(keyVerdict('ec', 224, 'secp224r1')).toBe('phase-out');
    expect(keyVerdict('ec', 256, 'brainpoolP256r1')).toBe('insufficient');
    expect(keyVerdict('ed25519', 256)).toBe('good');
    expect(['sha256', 'sha384', 'sha512', 'ed25519'].map(signatureVerdict)).toEqual(Array(4).fill('good'));
    expect(['sha1', 'md5', 'sha224', null].map(signatureVerdict)).toEqual(Array(4).fill('insufficient'));
  });

  it('the worst class decides', () => {
    expect(worst(['good', 'sufficient', null])).toBe('sufficient');
    expect(worst(['good', 'insufficient', 'phase-out'])).toBe('insufficient');
    expect(worst([null, undefined])).toBeNull();
  });
});

describe('a failed handshake', () => {
  it.each([
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'error', 'refused'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'error', 'refused'],
    ['ECONNRESET', 'error', 'refused'],
    [undefined, 'timeout', 'no-answer'],
    ['ERR_SSL_NO_CIPHERS_AVAILABLE', 'error', 'local'],
    ['ERR_SSL_NO_SUITABLE_GROUPS', 'error', 'local'],
    // OpenSSL 3 hangs up on a ServerHello without renegotiation_info: the version was taken, RFC 5746 is missing.
    ['ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 'error', 'insecure-renegotiation'],
  ])('%s (%s) → %s', (code, kind, status) => {
    expect(failureStatus(code, kind)).toBe(status);
  });
});

describe('the local OpenSSL (Node 20)', () => {
  it('offers TLS 1.0–1.3 but not SSL 3; every OpenSSL-named suite but none of 3DES, RC4, DES, IDEA, SEED, export', () => {
    const l = localTls();
    expect([...l.versions].sort()).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    const named = [...TLS13_SUITES, ...LEGACY_SUITES].filter((s) => s.openssl);
    expect(named.filter((s) => !l.suites.has(s.iana)).map((s) => s.iana)).toEqual([]);
    const unbuilt = LEGACY_SUITES.filter((s) => !s.openssl).map((s) => s.iana);
    expect(unbuilt.filter((s) => l.suites.has(s))).toEqual([]);
    expect(unbuilt).toHaveLength(12);
  });
});
