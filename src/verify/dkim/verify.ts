// DKIM verification of every signature in a message (RFC 6376 §6, RFC 8463 ed25519, RFC 8301 crypto rules).
// Our own verifier, not mailauth's: mailauth reports a bad body hash and a missing key as "neutral"
// (§6.1.2/§6.1.3 say PERMFAIL), accepts rsa-sha1 (RFC 8301 §3.1 forbids it), drops unparseable signatures
// silently, and re-parses the key PEM for every message — which alone halves its throughput.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import type { Resolver } from '../../dns/types.js';
import { txtJoin } from '../../dns/types.js';
import type { ParsedMessage } from '../message.js';
import {
  canonicalBody,
  canonicalizeHeader,
  selectSignedFields,
  withoutSignatureValue,
  type Canon,
} from './canonicalize.js';
import { parseKeyRecord, type DkimKey } from './key.js';
import { parseSignature, type DkimSignature } from './signature.js';

/** RFC 8601 §2.7.1 result values. */
export type DkimResultValue = 'pass' | 'fail' | 'neutral' | 'none' | 'policy' | 'temperror' | 'permerror';

export interface DkimSignatureResult {
  result: DkimResultValue;
  domain: string | null;
  selector: string | null;
  algorithm: string | null;
  /** Why the result is not pass, in the words of RFC 6376 §6 where it has some. */
  reason?: string;
  identity?: string;
  canonicalization?: string;
  signedHeaders?: string[];
  keyBits?: number;
  /** t=y on the key: the domain says it is testing DKIM. */
  testing?: boolean;
  /** First characters of b=, for header.b (RFC 6008). */
  b?: string;
}

export const MIN_RSA_BITS = 1024; // RFC 8301 §3.2

export async function verifyDkim(msg: ParsedMessage, resolver: Resolver, now: Date): Promise<DkimSignatureResult[]> {
  const fields = msg.headers.filter((h) => h.key === 'dkim-signature');
  if (!fields.length)
    return [{ result: 'none', domain: null, selector: null, algorithm: null, reason: 'message not signed' }];
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const bodyHashes = new Map<string, BodyHash>();
  return Promise.all(
    fields.map(async (field): Promise<DkimSignatureResult> => {
      const p = parseSignature(field, nowSeconds);
      if (!p.ok) {
        return {
          result: 'neutral',
          domain: p.domain || null,
          selector: p.selector || null,
          algorithm: p.algorithm || null,
          reason: p.reason,
          ...(p.b ? { b: p.b.slice(0, 8) } : {}),
        };
      }
      const sig = p.sig;
      const base: DkimSignatureResult = {
        result: 'neutral',
        domain: sig.domain,
        selector: sig.selector,
        algorithm: sig.algorithm,
        identity: sig.identity,
        canonicalization: `${sig.headerCanon}/${sig.bodyCanon}`,
        signedHeaders: sig.signedHeaders,
        b: sig.b.slice(0, 8),
      };
      // §6.1.3 step 1–3: the body hash first, it needs no DNS.
      const bh = bodyHash(msg.body, sig.bodyCanon, sig.hash, sig.bodyLength, bodyHashes);
      if (!bh.digest.equals(Buffer.from(sig.bodyHash, 'base64'))) {
        const short = sig.bodyLength !== undefined && sig.bodyLength > bh.length;
        return {
          ...base,
          result: 'fail',
          reason: short ? 'body hash did not verify (body shorter than l=)' : 'body hash did not verify',
        };
      }
      const key = await fetchKey(sig, resolver);
      if ('result' in key) return { ...base, ...key };
      const out: DkimSignatureResult = { ...base, keyBits: key.bits, ...(key.testing ? { testing: true } : {}) };
      if (!checkSignature(msg, sig, key)) return { ...out, result: 'fail', reason: 'signature did not verify' };
      // RFC 8301 §3.1/§3.2: verified, but not acceptable.
      if (sig.hash === 'sha1') return { ...out, result: 'policy', reason: 'rsa-sha1 is not accepted (RFC 8301 §3.1)' };
      if (key.keyType === 'rsa' && key.bits < MIN_RSA_BITS)
        return { ...out, result: 'policy', reason: `${key.bits}-bit RSA key is too short (RFC 8301 §3.2)` };
      return { ...out, result: 'pass', reason: undefined };
    }),
  );
}

interface BodyHash {
  digest: Buffer;
  /** of the whole canonical body */ length: number;
}

/** The body hash (§3.7), the canonical body streamed into it; l= limits what is hashed (§3.5). */
function bodyHash(
  body: Buffer,
  canon: Canon,
  hash: string,
  limit: number | undefined,
  memo: Map<string, BodyHash>,
): BodyHash {
  const id = `${canon}:${hash}:${limit ?? ''}`;
  let h = memo.get(id);
  if (!h) {
    const hasher = createHash(hash);
    let room = limit ?? Infinity;
    const length = canonicalBody(body, canon, (piece) => {
      if (room <= 0) return;
      hasher.update(piece.length <= room ? piece : piece.subarray(0, room));
      room -= piece.length;
    });
    h = { digest: hasher.digest(), length };
    memo.set(id, h);
  }
  return h;
}

type KeyFailure = { result: DkimResultValue; reason: string };

/** §6.1.2: the key at <selector>._domainkey.<d>, checked against the signature. */
async function fetchKey(sig: DkimSignature, resolver: Resolver): Promise<DkimKey | KeyFailure> {
  const name = `${sig.selector}._domainkey.${sig.domain}`;
  const answer = await resolver.lookup(name, 'TXT');
  if (answer.status === 'nxdomain' || answer.status === 'nodata')
    return { result: 'permerror', reason: `no key for signature (${name} ${answer.status.toUpperCase()})` };
  if (answer.status !== 'ok')
    return { result: 'temperror', reason: `key lookup for ${name} failed: ${answer.status.toUpperCase()}` };
  // §3.6.2.2: strings of one record are concatenated; with several records, the first usable one wins.
  let failure: KeyFailure | undefined;
  for (const record of answer.records) {
    const parsed = parseKeyRecord(txtJoin(record));
    if (!parsed.ok) {
      failure ??= { result: 'permerror', reason: parsed.reason };
      continue;
    }
    const key = parsed.key;
    if (key.keyType !== sig.keyType)
      return { result: 'permerror', reason: `key is ${key.keyType} but the signature says ${sig.algorithm}` };
    if (key.hashes && !key.hashes.includes(sig.hash))
      return { result: 'permerror', reason: `key allows h=${key.hashes.join(':')}, not ${sig.hash}` };
    const iDomain = sig.identity.slice(sig.identity.lastIndexOf('@') + 1).toLowerCase();
    if (key.strict && iDomain !== sig.domain)
      return { result: 'permerror', reason: `key has t=s but i= domain ${iDomain} is not d=${sig.domain}` };
    return key;
  }
  return failure ?? { result: 'permerror', reason: `no key for signature (empty TXT at ${name})` };
}

/**
 * §3.7: the signed header fields, then the signature field with b= emptied and no final CRLF. Synchronous on
 * purpose: crypto.verify with a callback (libuv's thread pool) was measured slower here — the hand-off cost RSA
 * more than its ~30 µs check, and big inputs already keep every core busy with helper processes (pool.ts).
 */
function checkSignature(msg: ParsedMessage, sig: DkimSignature, key: DkimKey): boolean {
  let data = '';
  for (const f of selectSignedFields(msg.headers, sig.signedHeaders)) data += canonicalizeHeader(f, sig.headerCanon);
  data += canonicalizeHeader(withoutSignatureValue(sig.field), sig.headerCanon).slice(0, -2);
  const bytes = Buffer.from(data, 'latin1');
  try {
    // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data (PureEdDSA over the digest).
    return sig.keyType === 'ed25519'
      ? cryptoVerify(null, createHash('sha256').update(bytes).digest(), key.key, sig.signature)
      : cryptoVerify(sig.hash, bytes, key.key, sig.signature);
  } catch {
    return false;
  }
}
