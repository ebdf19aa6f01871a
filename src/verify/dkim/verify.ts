// DKIM verification of the signatures in a message (RFC 6376 §6, RFC 8463 ed25519, RFC 8301 crypto rules).
// Our own verifier, not mailauth's: mailauth reports a bad body hash and a missing key as "neutral"
// (§6.1.2/§6.1.3 say PERMFAIL), accepts rsa-sha1 (RFC 8301 §3.1 forbids it), drops unparseable signatures
// silently, and re-parses the key PEM for every message — which alone halves its throughput.
// Bounded work per message, whatever a stranger sends (issue #13): at most MAX_SIGNATURES signatures are verified
// (so at most that many key queries), each body form is canonicalized once for every l=, and h= is bounded.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import type { Resolver } from '../../dns/types.js';
import type { HeaderField, ParsedMessage } from '../message.js';
import { BodyHashes, type BodyHashRequest } from './body-hash.js';
import {
  canonicalizeHeader,
  indexFields,
  selectSignedFields,
  withoutSignatureValue,
  type FieldIndex,
} from './canonicalize.js';
import { KeyFetcher } from './key-fetch.js';
import type { DkimKey } from './key.js';
import { parseSignature, type DkimSignature, type SignatureParse } from './signature.js';

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
  /** l= (§3.5): how many bytes of the canonical body the signature covers. */
  bodyLength?: number;
  /** On a pass with l=: canonical body bytes after l=, which anyone could have appended (§8.2). */
  uncoveredBytes?: number;
  /** The body hash did not verify: whatever the key says, this signature cannot pass. */
  bodyHashFailed?: boolean;
}

export const MIN_RSA_BITS = 1024; // RFC 8301 §3.2
/** Signatures verified per message, from the top (KumoMTA's limit; libsauth and OpenDKIM have one too). */
export const MAX_SIGNATURES = 10;

export interface DkimVerification {
  /** One result per verified signature, top to bottom (or one 'none' for an unsigned message). */
  results: DkimSignatureResult[];
  /** DKIM-Signature fields past MAX_SIGNATURES: not verified, no DNS query made for them. */
  notVerified: number;
  /** Some signature's body hash did not verify (only then has keyFirst anything to do). */
  bodyHashFailed: boolean;
  /**
   * RFC 6376 §6.1 orders the key (§6.1.2) before the body hash (§6.1.3); we hash first, since that needs no DNS.
   * For the signatures whose body hash failed and that `pick` names (where a verdict rests on them), the key is
   * looked up now and a key failure replaces "fail": permerror (no key, bad record) or temperror. Same queries as
   * the verification (one per key name per message), so the per-message cap holds.
   */
  keyFirst(pick: (r: DkimSignatureResult, i: number) => boolean): Promise<DkimSignatureResult[]>;
}

export async function verifyDkim(msg: ParsedMessage, resolver: Resolver, now: Date): Promise<DkimSignatureResult[]> {
  return (await verifyDkimSignatures(msg, resolver, now)).results;
}

export async function verifyDkimSignatures(
  msg: ParsedMessage,
  resolver: Resolver,
  now: Date,
): Promise<DkimVerification> {
  const fields = msg.headers.filter((h) => h.key === 'dkim-signature');
  if (!fields.length) {
    return {
      results: [{ result: 'none', domain: null, selector: null, algorithm: null, reason: 'message not signed' }],
      notVerified: 0,
      bodyHashFailed: false,
      keyFirst: async () => [
        { result: 'none', domain: null, selector: null, algorithm: null, reason: 'message not signed' },
      ],
    };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const parsed = fields.slice(0, MAX_SIGNATURES).map((f) => parseSignature(f, nowSeconds));
  // §6.1.3 step 1–3 for every signature at once: one canonicalization pass per body form, whatever the l= values.
  const requests: BodyHashRequest[] = [];
  for (const p of parsed)
    if (p.ok) requests.push({ canon: p.sig.bodyCanon, hash: p.sig.hash, limit: p.sig.bodyLength });
  const bodies = new BodyHashes(msg.body, requests);
  const keys = new KeyFetcher(resolver);
  let index: FieldIndex | undefined;
  const fieldIndex = () => (index ??= indexFields(msg.headers));
  const results = await Promise.all(parsed.map((p) => verifyOne(p, msg, bodies, keys, fieldIndex)));
  return {
    results,
    notVerified: fields.length - parsed.length,
    bodyHashFailed: results.some((r) => r.bodyHashFailed),
    keyFirst: (pick) =>
      Promise.all(
        results.map(async (r, i) => {
          const p = parsed[i]!;
          if (!r.bodyHashFailed || !p.ok || !pick(r, i)) return r;
          const key = await keys.fetch(p.sig);
          if ('key' in key) return r;
          return { ...r, result: key.result, reason: `${key.reason}; the body hash did not verify either` };
        }),
      ),
  };
}

async function verifyOne(
  p: SignatureParse,
  msg: ParsedMessage,
  bodies: BodyHashes,
  keys: KeyFetcher,
  fieldIndex: () => FieldIndex,
): Promise<DkimSignatureResult> {
  if (!p.ok) {
    const out: DkimSignatureResult = {
      result: 'neutral',
      domain: p.domain || null,
      selector: p.selector || null,
      algorithm: p.algorithm || null,
      reason: p.reason,
    };
    if (p.b) out.b = p.b.slice(0, 8);
    return out;
  }
  const sig = p.sig;
  // Every result of a parsed signature is this one object, filled in as the checks go (not copied with a spread
  // at each step): one shape for all, which V8's interpreter — where short verify runs stay — reads and copies
  // cheaply further on (~3 µs a message). Keys left undefined are absent from JSON.
  const r: DkimSignatureResult = {
    result: 'neutral',
    domain: sig.domain,
    selector: sig.selector,
    algorithm: sig.algorithm,
    reason: undefined,
    identity: sig.identity,
    canonicalization: `${sig.headerCanon}/${sig.bodyCanon}`,
    signedHeaders: sig.signedHeaders,
    b: sig.b.slice(0, 8),
    bodyLength: sig.bodyLength,
    keyBits: undefined,
    testing: undefined,
    uncoveredBytes: undefined,
    bodyHashFailed: undefined,
  };
  // §6.1.3 step 1–3: the body hash first, it needs no DNS (a signature with a wrong bh= costs no query).
  const bh = bodies.get({ canon: sig.bodyCanon, hash: sig.hash, limit: sig.bodyLength });
  if (!bh.digest.equals(Buffer.from(sig.bodyHash, 'base64'))) {
    r.bodyHashFailed = true;
    return judged(r, 'fail', bh.short ? 'body hash did not verify (body shorter than l=)' : 'body hash did not verify');
  }
  const found = await keys.fetch(sig);
  if (!('key' in found)) return judged(r, found.result, found.reason);
  const key = found.key;
  r.keyBits = key.bits;
  if (key.testing) r.testing = true;
  if (!checkSignature(msg.headers, fieldIndex, sig, key)) return judged(r, 'fail', 'signature did not verify');
  // RFC 8301 §3.1/§3.2: verified, but not acceptable.
  if (sig.hash === 'sha1') return judged(r, 'policy', 'rsa-sha1 is not accepted (RFC 8301 §3.1)');
  if (key.keyType === 'rsa' && key.bits < MIN_RSA_BITS)
    return judged(r, 'policy', `${key.bits}-bit RSA key is too short (RFC 8301 §3.2)`);
  r.result = 'pass';
  // §8.2: with l=, whatever follows the covered bytes is unsigned; say how much there is.
  if (sig.bodyLength !== undefined) {
    const uncovered = bodies.canonicalLength(sig.bodyCanon) - sig.bodyLength;
    if (uncovered > 0) r.uncoveredBytes = uncovered;
  }
  return r;
}

function judged(r: DkimSignatureResult, result: DkimResultValue, reason: string): DkimSignatureResult {
  r.result = result;
  r.reason = reason;
  return r;
}

/**
 * §3.7: the signed header fields, then the signature field with b= emptied and no final CRLF. Synchronous on
 * purpose: crypto.verify with a callback (libuv's thread pool) was measured slower here — the hand-off cost RSA
 * more than its ~30 µs check, and big inputs already keep every core busy with helper processes (pool.ts).
 */
function checkSignature(
  headers: readonly HeaderField[],
  index: () => FieldIndex,
  sig: DkimSignature,
  key: DkimKey,
): boolean {
  let data = '';
  for (const f of selectSignedFields(headers, sig.signedHeaders, index)) data += canonicalizeHeader(f, sig.headerCanon);
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
