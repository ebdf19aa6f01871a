// Key-exchange groups an audit tries (RFC 8446 §4.2.7, RFC 8422, RFC 7919): their names in the JSON, in Node's
// ecdhCurve option and in getEphemeralKeyInfo(), and where they exist. Pure data.

export interface GroupInfo {
  /** The name in the audit's JSON (IANA's TLS Supported Groups spelling). */
  name: string;
  /** For the ecdhCurve option. */
  node: string;
  kind: 'ecdhe' | 'ffdhe';
  /** Offered in TLS 1.3 (OpenSSL 3.0 has no brainpool or secp224r1 there), or only in TLS ≤ 1.2. */
  tls13: boolean;
  bits: number;
}

export const GROUPS: readonly GroupInfo[] = [
  { name: 'x25519', node: 'X25519', kind: 'ecdhe', tls13: true, bits: 255 },
  { name: 'secp256r1', node: 'P-256', kind: 'ecdhe', tls13: true, bits: 256 },
  { name: 'secp384r1', node: 'P-384', kind: 'ecdhe', tls13: true, bits: 384 },
  { name: 'secp521r1', node: 'P-521', kind: 'ecdhe', tls13: true, bits: 521 },
  { name: 'x448', node: 'X448', kind: 'ecdhe', tls13: true, bits: 448 },
  { name: 'ffdhe2048', node: 'ffdhe2048', kind: 'ffdhe', tls13: true, bits: 2048 },
  { name: 'ffdhe3072', node: 'ffdhe3072', kind: 'ffdhe', tls13: true, bits: 3072 },
  { name: 'ffdhe4096', node: 'ffdhe4096', kind: 'ffdhe', tls13: true, bits: 4096 },
  { name: 'ffdhe6144', node: 'ffdhe6144', kind: 'ffdhe', tls13: true, bits: 6144 },
  { name: 'ffdhe8192', node: 'ffdhe8192', kind: 'ffdhe', tls13: true, bits: 8192 },
  { name: 'secp224r1', node: 'secp224r1', kind: 'ecdhe', tls13: false, bits: 224 },
  { name: 'secp192r1', node: 'prime192v1', kind: 'ecdhe', tls13: false, bits: 192 },
  { name: 'secp256k1', node: 'secp256k1', kind: 'ecdhe', tls13: false, bits: 256 },
  { name: 'brainpoolP256r1', node: 'brainpoolP256r1', kind: 'ecdhe', tls13: false, bits: 256 },
  { name: 'brainpoolP384r1', node: 'brainpoolP384r1', kind: 'ecdhe', tls13: false, bits: 384 },
  { name: 'brainpoolP512r1', node: 'brainpoolP512r1', kind: 'ecdhe', tls13: false, bits: 512 },
];

/** getEphemeralKeyInfo().name → our name (Node says prime256v1 and prime192v1, X25519 in capitals). */
export function groupName(nodeName: string): string {
  const n = nodeName.toLowerCase();
  if (n === 'prime256v1' || n === 'p-256') return 'secp256r1';
  if (n === 'prime192v1') return 'secp192r1';
  const known = GROUPS.find((g) => g.name.toLowerCase() === n || g.node.toLowerCase() === n);
  return known?.name ?? nodeName;
}

/** What OpenSSL offers in TLS ≤ 1.2 for ECDHE: every curve, the main ones first. */
export const TLS12_CURVES = GROUPS.filter((g) => g.kind === 'ecdhe').map((g) => g.node);
export const TLS13_GROUPS = GROUPS.filter((g) => g.tls13).map((g) => g.node);
