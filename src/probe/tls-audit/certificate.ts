// The served certificates judged as the guidelines do (NCSC-NL TLS 2.1 tables 5, 8, 9; internet.nl cert_checks):
// the leaf's public key, and the signature hash of every certificate sent except a self-signed root. Node 20's
// X509Certificate does not expose the signature algorithm, so it is read from the DER (RFC 5280 §4.1.1.2).
import type { X509Certificate } from 'node:crypto';
import { isSelfSigned } from '../../smtp/certificate.js';
import { keyVerdict, signatureVerdict, worst } from './classes.js';
import type { AuditCertificate, AuditCertificateEntry } from './types.js';

/** Signature algorithm OIDs (RFC 4055, RFC 5758, RFC 8410, RFC 3279) → [name, hash]. */
const SIGNATURES: Record<string, [string, string]> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'md2'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'md5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'sha1'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'sha224'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'sha256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'sha384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'sha512'],
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'sha1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224', 'sha224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'sha256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'sha384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'sha512'],
  '1.2.840.10040.4.3': ['dsa-with-sha1', 'sha1'],
  '2.16.840.1.101.3.4.3.1': ['dsa-with-sha224', 'sha224'],
  '2.16.840.1.101.3.4.3.2': ['dsa-with-sha256', 'sha256'],
  '1.3.101.112': ['Ed25519', 'ed25519'],
  '1.3.101.113': ['Ed448', 'ed448'],
};
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const RSA_PSS = '1.2.840.113549.1.1.10';

export function auditCertificates(chain: readonly X509Certificate[]): AuditCertificate | null {
  const leaf = chain[0];
  if (!leaf) return null;
  const key = leaf.publicKey;
  const d = key.asymmetricKeyDetails;
  const keyType = key.asymmetricKeyType ?? null;
  const curve = d?.namedCurve ?? null;
  let keyBits = d?.modulusLength ?? null;
  if (keyBits === null && curve) keyBits = Number(/(\d{3})/.exec(curve)?.[1] ?? 0) || null;
  if (keyType === 'ed25519') keyBits = 256;
  if (keyType === 'ed448') keyBits = 456;
  const signatures: AuditCertificateEntry[] = chain
    .filter((c, i) => i === 0 || !isSelfSigned(c))
    .map((c) => {
      const sig = signatureAlgorithm(c.raw);
      return {
        subject: c.subject.split('\n').join(', '),
        signatureAlgorithm: sig?.name ?? null,
        hash: sig?.hash ?? null,
        verdict: signatureVerdict(sig?.hash ?? null),
      };
    });
  return {
    keyType,
    keyBits,
    curve,
    keyVerdict: keyVerdict(keyType, keyBits, curve),
    signatures,
    signatureVerdict: worst(signatures.map((s) => s.verdict)),
  };
}

/** The outer signatureAlgorithm of a DER certificate: Certificate ::= SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }. */
export function signatureAlgorithm(der: Buffer): { oid: string; name: string; hash: string | null } | null {
  try {
    const cert = tlv(der, 0);
    if (cert.tag !== 0x30) return null;
    const tbs = tlv(der, cert.start);
    const alg = tlv(der, tbs.end);
    if (alg.tag !== 0x30) return null;
    const oid = tlv(der, alg.start);
    if (oid.tag !== 0x06) return null;
    const id = decodeOid(der.subarray(oid.start, oid.end));
    if (id === RSA_PSS) return { oid: id, name: 'RSASSA-PSS', hash: pssHash(der, oid.end, alg.end) };
    const known = SIGNATURES[id];
    return { oid: id, name: known?.[0] ?? id, hash: known?.[1] ?? null };
  } catch {
    return null;
  }
}

/** RSASSA-PSS-params (RFC 4055 §3.1): [0] hashAlgorithm, SHA-1 when absent. */
function pssHash(der: Buffer, from: number, end: number): string | null {
  if (from >= end) return 'sha1';
  const params = tlv(der, from);
  if (params.tag !== 0x30) return 'sha1';
  if (params.start >= params.end) return 'sha1';
  const first = tlv(der, params.start);
  if (first.tag !== 0xa0) return 'sha1';
  const hashAlg = tlv(der, first.start);
  const oid = tlv(der, hashAlg.start);
  return HASHES[decodeOid(der.subarray(oid.start, oid.end))] ?? null;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function tlv(b: Buffer, at: number): Tlv {
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > b.length) throw new Error('truncated DER');
  return { tag, start, end };
}

function decodeOid(b: Buffer): string {
  const parts: number[] = [];
  let v = 0;
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const [first = 0, ...rest] = parts;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join('.');
}
