// DKIM public key records (RFC 6376 §3.6.1, RFC 8463 for ed25519): parse, then turn p= into a KeyObject once
// per distinct key (parsing PEM/DER on every message costs more than the signature check itself).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseTagList, stripFws } from './tag-list.js';

export interface DkimKey {
  keyType: 'rsa' | 'ed25519';
  key: KeyObject;
  /** RSA modulus length; 256 for ed25519. */
  bits: number;
  /** h= hash algorithms the key may be used with (undefined: any). */
  hashes?: string[];
  /** t=s: the i= domain must equal d= exactly. */
  strict: boolean;
  /** t=y: the domain is testing DKIM (§3.6.1): verifiers must not treat it differently, but we say so. */
  testing: boolean;
}

export type KeyParse = { ok: true; key: DkimKey } | { ok: false; reason: string; revoked?: boolean };

// SubjectPublicKeyInfo header for a raw 32-byte Ed25519 key (RFC 8410 §4): p= is the bare key (RFC 8463 §4.2).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const cache = new Map<string, KeyObject | Error>();
const CACHE_MAX = 1000;

export function parseKeyRecord(text: string): KeyParse {
  const parsed = parseTagList(text);
  if ('error' in parsed) return { ok: false, reason: `key syntax error: ${parsed.error}` };
  const t = parsed.tags;
  // v= is optional, but when present it must be first and DKIM1 (§3.6.1).
  if (t.has('v') && (t.get('v') !== 'DKIM1' || t.keys().next().value !== 'v')) return { ok: false, reason: 'key record version is not DKIM1' };
  const k = (t.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa' && k !== 'ed25519') return { ok: false, reason: `unsupported key type k=${k}` };
  if (!t.has('p')) return { ok: false, reason: 'key record has no p= tag' };
  const p = stripFws(t.get('p')!);
  // §3.6.1: an empty p= means the key has been revoked.
  if (p === '') return { ok: false, reason: 'key revoked (empty p=)', revoked: true };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return { ok: false, reason: 'p= is not base64' };
  const s = t.get('s');
  if (s !== undefined && !s.split(':').some((x) => ['*', 'email'].includes(x.trim().toLowerCase()))) {
    return { ok: false, reason: `key service type s=${s} excludes email` };
  }
  const flags = (t.get('t') ?? '').split(':').map((x) => x.trim().toLowerCase());
  const hashes = t.has('h') ? t.get('h')!.split(':').map((x) => x.trim().toLowerCase()) : undefined;
  const key = keyObject(k, p);
  if (key instanceof Error) return { ok: false, reason: key.message };
  const bits = k === 'rsa' ? key.asymmetricKeyDetails?.modulusLength ?? 0 : 256;
  return { ok: true, key: { keyType: k, key, bits, hashes, strict: flags.includes('s'), testing: flags.includes('y') } };
}

function keyObject(k: 'rsa' | 'ed25519', p: string): KeyObject | Error {
  const id = `${k}:${p}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const der = Buffer.from(p, 'base64');
  let result: KeyObject | Error;
  try {
    if (k === 'ed25519') {
      if (der.length !== 32) throw new Error(`ed25519 key is ${der.length} bytes, not 32`);
      result = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
    } else {
      // §3.6.1 says RSAPublicKey, but what everybody publishes (and §C.3 shows) is SubjectPublicKeyInfo: take both.
      try {
        result = createPublicKey({ key: der, format: 'der', type: 'spki' });
      } catch {
        result = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
      }
      if (result.asymmetricKeyType !== 'rsa') throw new Error(`p= holds a ${result.asymmetricKeyType} key, not RSA`);
    }
  } catch (e) {
    result = new Error(`invalid public key: ${(e as Error).message.replace(/^error:[^:]*:/, '')}`);
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(id, result);
  return result;
}
