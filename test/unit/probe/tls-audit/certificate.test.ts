// The served certificates judged (NCSC-NL TLS 2.1 tables 5, 8, 9): the signature algorithm read from the DER
// (Node 20's X509Certificate does not expose it), the leaf's key, every certificate but a self-signed root.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditCertificates, signatureAlgorithm } from '../../../../src/probe/tls-audit/certificate.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-audit-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A self-signed certificate made by openssl with the given key and digest options. */
function cert(key: string[], sign: string[] = []): X509Certificate {
  const id = `c${n++}`;
  execFileSync(
    'openssl',
    ['req', '-x509', ...key, '-nodes', '-keyout', join(dir, `${id}.key`), '-out', join(dir, `${id}.pem`)].concat([
      '-days',
      '2',
      '-subj',
      `/CN=${id}.test`,
      ...sign,
    ]),
    { stdio: 'ignore' },
  );
  return new X509Certificate(readFileSync(join(dir, `${id}.pem`)));
}

describe('signature algorithm from the DER', () => {
  it.each([
    ['RSA with SHA-256', ['-newkey', 'rsa:2048'], ['-sha256'], 'sha256WithRSAEncryption', 'sha256'],
    ['RSA with SHA-1', ['-newkey', 'rsa:2048'], ['-sha1'], 'sha1WithRSAEncryption', 'sha1'],
    ['RSA with SHA-512', ['-newkey', 'rsa:2048'], ['-sha512'], 'sha512WithRSAEncryption', 'sha512'],
    [
      'ECDSA with SHA-384',
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
      ['-sha384'],
      'ecdsa-with-SHA384',
      'sha384',
    ],
    ['Ed25519', ['-newkey', 'ed25519'], [], 'Ed25519', 'ed25519'],
    [
      'RSASSA-PSS with SHA-384 in its parameters',
      ['-newkey', 'rsa:2048'],
      ['-sha384', '-sigopt', 'rsa_padding_mode:pss'],
      'RSASSA-PSS',
      'sha384',
    ],
  ])('%s', (_name, key, sign, algorithm, hash) => {
    const c = cert(key, sign);
    expect(signatureAlgorithm(c.raw)).toMatchObject({ name: algorithm, hash });
  });

  it('garbage and truncated DER give null, never a throw', () => {
    const good = cert(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']).raw;
    expect(signatureAlgorithm(Buffer.from('not a certificate'))).toBeNull();
    expect(signatureAlgorithm(good.subarray(0, 40))).toBeNull();
    expect(signatureAlgorithm(Buffer.alloc(0))).toBeNull();
  });
});

describe('auditCertificates', () => {
  it('an RSA 1024 key with SHA-1: both insufficient', () => {
    const a = auditCertificates([cert(['-newkey', 'rsa:1024'], ['-sha1'])])!;
    expect(a).toMatchObject({
      keyType: 'rsa',
      keyBits: 1024,
      keyVerdict: 'insufficient',
      signatureVerdict: 'insufficient',
    });
    expect(a.signatures[0]).toMatchObject({ signatureAlgorithm: 'sha1WithRSAEncryption', verdict: 'insufficient' });
  });

  it('ECDSA P-384 with SHA-384: good', () => {
    const a = auditCertificates([cert(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], ['-sha384'])])!;
    expect(a).toMatchObject({
      keyType: 'ec',
      curve: 'secp384r1',
      keyBits: 384,
      keyVerdict: 'good',
      signatureVerdict: 'good',
    });
  });

  it('a self-signed root sent along is not judged (nobody checks its own signature); the leaf always is', () => {
    const root = cert(['-newkey', 'rsa:2048'], ['-sha1']);
    const leaf = cert(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256']);
    const a = auditCertificates([leaf, root])!;
    expect(a.signatures).toHaveLength(1);
    expect(a.signatureVerdict).toBe('good');
    // A self-signed leaf is still the leaf.
    expect(auditCertificates([root])!.signatures).toHaveLength(1);
    expect(auditCertificates([])).toBeNull();
  });
});
