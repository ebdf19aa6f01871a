// DKIM public key records (RFC 6376 §3.6.1, RFC 8463 for ed25519): parse, then turn p= into a KeyObject once
// per distinct key (parsing PEM/DER on every message costs more than the signature check itself).
import type { KeyObject } from 'node:crypto';
import { decodeDkimPublicKey } from '../../auth/dkim/public-key.js';
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

const cache = new Map<string, KeyObject | Error>();
const CACHE_MAX = 1000;

export function parseKeyRecord(text: string): KeyParse {
  const parsed = parseTagList(text);
  if ('error' in parsed) return { ok: false, reason: `key syntax error: ${parsed.error}` };
  const t = parsed.tags;
  // v= is optional, but when present it must be first and DKIM1 (§3.6.1).
  if (t.has('v') && (t.get('v') !== 'DKIM1' || t.keys().next().value !== 'v'))
    return { ok: false, reason: 'key record version is not DKIM1' };
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
  const hashes = t.has('h')
    ? t
        .get('h')!
        .split(':')
        .map((x) => x.trim().toLowerCase())
    : undefined;
  const key = keyObject(k, p);
  if (key instanceof Error) return { ok: false, reason: key.message };
  const bits = k === 'rsa' ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 256;
  return {
    ok: true,
    key: { keyType: k, key, bits, hashes, strict: flags.includes('s'), testing: flags.includes('y') },
  };
}

function keyObject(k: 'rsa' | 'ed25519', p: string): KeyObject | Error {
  const id = `${k}:${p}`;
  const hit = cache.get(id);
  if (hit) return hit;
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
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(id, result);
  return result;
}
