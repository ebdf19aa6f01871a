// An RSA SubjectPublicKeyInfo (RFC 5280 §4.1, RFC 3279 §2.3.1) read without OpenSSL, for its modulus size only:
// OpenSSL 3 needs ~200 µs to decode a key, most of a batch audit's per-domain CPU. Strict DER or nothing.

// SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL }: the one AlgorithmIdentifier taken here.
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

/** OpenSSL's own limit (OPENSSL_RSA_MAX_MODULUS_BITS); past it, and below 512, OpenSSL decides. */
const MAX_BITS = 16384;
const MIN_BITS = 512;

/**
 * The modulus size of a DER rsaEncryption SubjectPublicKeyInfo, or undefined for anything else — other algorithms,
 * PKCS#1, BER (long-form lengths where short would do), trailing bytes, negative or padded integers — which the
 * caller hands to OpenSSL. What this accepts is a subset of what OpenSSL accepts, with the same size.
 */
export function rsaSpkiBits(der: Uint8Array): number | undefined {
  const outer = tlv(der, 0, 0x30);
  if (!outer || outer.end !== der.length) return undefined;
  let pos = outer.start;
  if (der.length - pos < RSA_ALGORITHM.length || !RSA_ALGORITHM.equals(der.subarray(pos, pos + RSA_ALGORITHM.length)))
    return undefined;
  pos += RSA_ALGORITHM.length;
  const bits = tlv(der, pos, 0x03);
  // The key is a whole number of octets: no unused bits.
  if (!bits || bits.end !== outer.end || bits.start >= bits.end || der[bits.start] !== 0) return undefined;
  const rsa = tlv(der, bits.start + 1, 0x30);
  if (!rsa || rsa.end !== bits.end) return undefined;
  const n = integer(der, rsa.start);
  if (!n) return undefined;
  const e = integer(der, n.end);
  if (!e || e.end !== rsa.end) return undefined;
  // Modulus bits: the integer's octets without its sign octet, less the leading zero bits of the first one.
  const first = der[n.start]!;
  const size = (n.end - n.start - 1) * 8 + (32 - Math.clz32(first));
  return size >= MIN_BITS && size <= MAX_BITS ? size : undefined;
}

/** A DER tag-length header at pos with the expected tag: where its contents start and end. Minimal lengths only. */
function tlv(b: Uint8Array, pos: number, tag: number): { start: number; end: number } | undefined {
  if (pos + 2 > b.length || b[pos] !== tag) return undefined;
  const l0 = b[pos + 1]!;
  let len: number;
  let start: number;
  if (l0 < 0x80) {
    len = l0;
    start = pos + 2;
  } else if (l0 === 0x81) {
    if (pos + 3 > b.length || b[pos + 2]! < 0x80) return undefined;
    len = b[pos + 2]!;
    start = pos + 3;
  } else if (l0 === 0x82) {
    if (pos + 4 > b.length || b[pos + 2] === 0) return undefined;
    len = (b[pos + 2]! << 8) | b[pos + 3]!;
    if (len < 0x100) return undefined;
    start = pos + 4;
  } else {
    return undefined;
  }
  return start + len <= b.length ? { start, end: start + len } : undefined;
}

/** A positive, minimally encoded INTEGER: its first significant octet onwards. */
function integer(b: Uint8Array, pos: number): { start: number; end: number } | undefined {
  const t = tlv(b, pos, 0x02);
  if (!t || t.end - t.start < 1) return undefined;
  const lead = b[t.start]!;
  if (lead & 0x80) return undefined;
  if (lead === 0) {
    // A zero octet only in front of an octet whose top bit is set (else it is padding, or the number is 0).
    if (t.end - t.start < 2 || !(b[t.start + 1]! & 0x80)) return undefined;
    return { start: t.start + 1, end: t.end };
  }
  return t;
}
