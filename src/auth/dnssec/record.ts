// DNSSEC arithmetic on DS and DNSKEY records: key tags (RFC 4034 App. B), DS digests (RFC 4034 §5.1.4, RFC 4509,
// RFC 6605) and the algorithm/digest recommendations of RFC 8624 §3.1 and §3.3. Pure.
import { createHash } from 'node:crypto';
import type { DnskeyRecord, DsRecord } from '../../dns/types.js';

export type Recommendation = 'must' | 'recommended' | 'may' | 'not-recommended' | 'must-not';

/** RFC 8624 §3.1, the column for signing (what a zone should use today). */
export const ALGORITHMS: Record<number, { name: string; signing: Recommendation }> = {
  1: { name: 'RSAMD5', signing: 'must-not' },
  3: { name: 'DSA', signing: 'must-not' },
  5: { name: 'RSASHA1', signing: 'not-recommended' },
  6: { name: 'DSA-NSEC3-SHA1', signing: 'must-not' },
  7: { name: 'RSASHA1-NSEC3-SHA1', signing: 'not-recommended' },
  8: { name: 'RSASHA256', signing: 'must' },
  10: { name: 'RSASHA512', signing: 'not-recommended' },
  12: { name: 'ECC-GOST', signing: 'must-not' },
  13: { name: 'ECDSAP256SHA256', signing: 'must' },
  14: { name: 'ECDSAP384SHA384', signing: 'may' },
  15: { name: 'ED25519', signing: 'recommended' },
  16: { name: 'ED448', signing: 'may' },
};

/** RFC 8624 §3.3, DS digest types for publishing. */
export const DIGESTS: Record<number, { name: string; hash: string | null; publish: Recommendation }> = {
  0: { name: 'NULL', hash: null, publish: 'must-not' },
  1: { name: 'SHA-1', hash: 'sha1', publish: 'must-not' },
  2: { name: 'SHA-256', hash: 'sha256', publish: 'must' },
  3: { name: 'GOST R 34.11-94', hash: null, publish: 'must-not' },
  4: { name: 'SHA-384', hash: 'sha384', publish: 'may' },
};

export function algorithmName(n: number): string {
  return ALGORITHMS[n]?.name ?? `algorithm ${n}`;
}

/** DNSKEY RDATA in wire form: flags, protocol, algorithm, public key. */
export function dnskeyRdata(k: DnskeyRecord): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(k.flags, 0);
  head.writeUInt8(k.protocol, 2);
  head.writeUInt8(k.algorithm, 3);
  return Buffer.concat([head, Buffer.from(k.key.replace(/\s+/g, ''), 'base64')]);
}

/** RFC 4034 Appendix B (algorithm 1 has its own rule, and is forbidden anyway). */
export function keyTag(k: DnskeyRecord): number {
  const rdata = dnskeyRdata(k);
  if (k.algorithm === 1) return rdata.length >= 4 ? rdata.readUInt16BE(rdata.length - 3) : 0;
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

/** Owner name in canonical wire form (RFC 4034 §6.2: lowercase, uncompressed). */
export function nameWire(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

/** The DS digest of a DNSKEY (hex), or null for a digest type we cannot compute. */
export function dsDigest(owner: string, k: DnskeyRecord, digestType: number): string | null {
  const hash = DIGESTS[digestType]?.hash;
  if (!hash) return null;
  return createHash(hash)
    .update(Buffer.concat([nameWire(owner), dnskeyRdata(k)]))
    .digest('hex');
}

/** Which DNSKEY (if any) a DS record points at: same key tag and algorithm, and the digest matches. */
export function dsMatch(
  owner: string,
  ds: DsRecord,
  keys: readonly DnskeyRecord[],
): { matched: DnskeyRecord | null; computable: boolean } {
  const computable = Boolean(DIGESTS[ds.digestType]?.hash);
  for (const k of keys) {
    if (k.algorithm !== ds.algorithm || keyTag(k) !== ds.keyTag) continue;
    if (computable && dsDigest(owner, k, ds.digestType) === ds.digest.toLowerCase()) return { matched: k, computable };
  }
  return { matched: null, computable };
}
