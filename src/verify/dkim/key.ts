// DKIM public key records as a verifier takes them (RFC 6376 §3.6.1, RFC 8463 for ed25519): the record parsed by
// the `dkim` check's parser (auth/dkim/record.ts), p= decoded by its decoder, then turned into a KeyObject once per
// distinct key (parsing PEM/DER on every message costs more than the signature check itself).
import type { KeyObject } from 'node:crypto';
import { decodeDkimPublicKey } from '../../auth/dkim/public-key.js';
import { parseDkimKeyRecord } from '../../auth/dkim/record.js';

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

// Parsed records by their text: a receiver sees the same few keys all day, and parsing the record again cost more
// than the rest of the lookup. Bounded in entries and in the size of a record worth keeping (an RSA-4096 key
// record is ~800 characters).
const cache = new Map<string, KeyParse>();
const CACHE_MAX = 1000;
const CACHE_TEXT_MAX = 4096;

export function parseKeyRecord(text: string): KeyParse {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = parseRecord(text);
  if (text.length <= CACHE_TEXT_MAX) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(text, parsed);
  }
  return parsed;
}

function parseRecord(text: string): KeyParse {
  const r = parseDkimKeyRecord(text);
  // Any tag-list syntax error invalidates the record (§3.2, §6.1.2 "key syntax error"); a character outside
  // VALCHAR does not (python3-dkim, Mail::DKIM and OpenDKIM take such records).
  const fatal = r.issues.find((i) => i.kind !== 'bad-char');
  if (fatal) return { ok: false, reason: `key syntax error: ${fatal.message}` };
  // v= is optional, but when present it must be first and DKIM1 (§3.6.1).
  if (r.version !== null && (r.version !== 'DKIM1' || r.versionNotFirst))
    return { ok: false, reason: 'key record version is not DKIM1' };
  const k = r.keyType;
  if (k !== 'rsa' && k !== 'ed25519') return { ok: false, reason: `unsupported key type k=${k}` };
  const p = r.publicKey;
  if (p === null) return { ok: false, reason: 'key record has no p= tag' };
  // §3.6.1: an empty p= means the key has been revoked.
  if (p === '') return { ok: false, reason: 'key revoked (empty p=)', revoked: true };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return { ok: false, reason: 'p= is not base64' };
  if (!r.services.includes('*') && !r.services.includes('email'))
    return { ok: false, reason: `key service type s=${r.services.join(':')} excludes email` };
  const key = keyObject(k, p);
  if (key instanceof Error) return { ok: false, reason: key.message };
  const bits = k === 'rsa' ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 256;
  return {
    ok: true,
    key: {
      keyType: k,
      key,
      bits,
      hashes: r.hashes ?? undefined,
      strict: r.flags.includes('s'),
      testing: r.flags.includes('y'),
    },
  };
}

function keyObject(k: 'rsa' | 'ed25519', p: string): KeyObject | Error {
  // One decoder for p= in the project (the dkim check's); verifying adds that the key must be what k= says, and
  // an Ed25519 key the bare 32 bytes RFC 8463 §4.2 defines.
  const d = decodeDkimPublicKey(p);
  let result: KeyObject | Error;
  if (!d.ok) result = new Error(`invalid public key: ${d.reason}`);
  else if (d.type !== k)
    result = new Error(`invalid public key: p= holds an ${d.type === 'rsa' ? 'RSA' : 'Ed25519'} key, but k=${k}`);
  else if (k === 'ed25519' && d.format !== 'raw')
    result = new Error('invalid public key: an ed25519 p= must be the bare 32-byte key (RFC 8463 §4.2)');
  else result = d.key;
  return result;
}
