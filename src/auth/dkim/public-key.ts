// Reads the key itself out of p= (RFC 6376 §3.6.1 RSA, RFC 8463 §4.2 Ed25519): its real type and size,
// not what k= claims. Pure apart from node:crypto's parser.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { rsaSpkiBits } from './rsa-spki.js';

export type DkimKeyFormat = 'spki' | 'pkcs1' | 'raw';

export type DecodedKey =
  | { ok: true; type: 'rsa' | 'ed25519'; bits: number; format: DkimKeyFormat; key: KeyObject }
  | { ok: false; reason: string; type?: string };

// SubjectPublicKeyInfo header for a bare 32-byte Ed25519 key (RFC 8410 §4).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Decodes a p= value (whitespace already removed). Never throws. */
export function decodeDkimPublicKey(p: string): DecodedKey {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p) || p.replace(/=+$/, '').length % 4 === 1) {
    return { ok: false, reason: 'p= is not valid base64' };
  }
  const der = Buffer.from(p, 'base64');
  // RFC 8463 §4.2: an Ed25519 p= is the raw 32-byte public key, not a SubjectPublicKeyInfo.
  if (der.length === 32) {
    const key = tryKey(() =>
      createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' }),
    );
    if (key) return { ok: true, type: 'ed25519', bits: 256, format: 'raw', key };
  }
  // The usual case, a strict-DER RSA SubjectPublicKeyInfo, is sized without OpenSSL; the key object is made
  // only if someone asks for it (comparing with --key). Anything unusual goes to OpenSSL below.
  const fastBits = rsaSpkiBits(der);
  if (fastBits !== undefined) return lazyRsaKey(der, fastBits);
  const spki = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
  if (spki) {
    const type = spki.asymmetricKeyType;
    if (type === 'rsa')
      return { ok: true, type, bits: spki.asymmetricKeyDetails?.modulusLength ?? 0, format: 'spki', key: spki };
    if (type === 'ed25519') return { ok: true, type, bits: 256, format: 'spki', key: spki };
    return { ok: false, reason: `p= holds a ${type ?? 'unknown'} key, which DKIM does not define`, type };
  }
  // RFC 6376 §3.6.1 literally says RSAPublicKey; most publishers (and verifiers) use SubjectPublicKeyInfo.
  const pkcs1 = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
  if (pkcs1)
    return { ok: true, type: 'rsa', bits: pkcs1.asymmetricKeyDetails?.modulusLength ?? 0, format: 'pkcs1', key: pkcs1 };
  return { ok: false, reason: `p= decodes to ${der.length} bytes that are neither an RSA nor an Ed25519 public key` };
}

function lazyRsaKey(der: Buffer, bits: number): DecodedKey {
  let key: KeyObject | undefined;
  return {
    ok: true,
    type: 'rsa',
    bits,
    format: 'spki',
    get key(): KeyObject {
      return (key ??= createPublicKey({ key: der, format: 'der', type: 'spki' }));
    },
  };
}

/** The key as DKIM publishes it: base64 SPKI for RSA, base64 raw 32 bytes for Ed25519. */
export function dkimPublicKeyValue(key: KeyObject): string {
  const spki = key.export({ type: 'spki', format: 'der' });
  return (key.asymmetricKeyType === 'ed25519' ? spki.subarray(spki.length - 32) : spki).toString('base64');
}

/** Same public key, whatever the encoding it came in. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return (
    a.asymmetricKeyType === b.asymmetricKeyType &&
    a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }))
  );
}

function tryKey(f: () => KeyObject): KeyObject | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export interface DkimKeyInfo {
  keyType: 'rsa' | 'ed25519' | null;
  keyBits: number | null;
  format: DkimKeyFormat | null;
  /** t=y (RFC 6376 §3.6.1). */
  testing: boolean;
  /** t=s: the i= domain must be d= exactly. */
  strict: boolean;
  /** p= present and empty: the key was withdrawn. */
  revoked: boolean;
  key: KeyObject | null;
}

// OpenSSL 3 takes ~200 µs to decode an RSA key, and a checked record needs its key three times (the result's
// type and size, the lint, the "valid key" finding): decoded once per parsed record object, never across records.
const decodedByRecord = new WeakMap<object, DecodedKey>();

/** decodeDkimPublicKey(r.publicKey), once per record object. */
export function decodeRecordKey(r: { publicKey: string }): DecodedKey {
  let d = decodedByRecord.get(r);
  if (!d) decodedByRecord.set(r, (d = decodeDkimPublicKey(r.publicKey)));
  return d;
}

/** What the record's key really is (type and size read from the key material). */
export function dkimKeyInfo(r: { publicKey: string | null; flags: string[] }): DkimKeyInfo {
  const decoded = r.publicKey ? decodeRecordKey(r as { publicKey: string }) : undefined;
  const ok = decoded?.ok ? decoded : undefined;
  return {
    keyType: ok?.type ?? null,
    keyBits: ok?.bits ?? null,
    format: ok?.format ?? null,
    testing: r.flags.includes('y'),
    strict: r.flags.includes('s'),
    revoked: r.publicKey === '',
    // A getter: the KeyObject is made only when a --key comparison asks for it.
    get key() {
      return ok?.key ?? null;
    },
  };
}
