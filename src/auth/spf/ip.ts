// Client and network addresses for SPF: parsing to bytes, CIDR matching, and the text forms the
// %{i} and %{c} macros need. IPv4-mapped IPv6 is IPv4 (RFC 7208 §5 and §5.6).
import { isIP } from 'node:net';
import { expandIpv6 } from '../../dns/types.js';

export interface SpfIp {
  family: 4 | 6;
  /** 4 or 16 bytes. */
  bytes: number[];
}

/** Parses an address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4. Undefined when invalid. */
export function parseIp(input: string): SpfIp | undefined {
  const s = input.trim();
  if (s.includes('%')) return undefined; // zone ids have no meaning here
  const family = isIP(s);
  if (family === 4) return { family: 4, bytes: s.split('.').map(Number) };
  if (family !== 6) return undefined;
  const bytes = expandIpv6(s)
    .split(':')
    .flatMap((g) => [parseInt(g.slice(0, 2), 16), parseInt(g.slice(2), 16)]);
  // RFC 7208 §5: an IPv4-mapped IPv6 client "MUST still be considered an IPv4 address".
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { family: 4, bytes: bytes.slice(12) };
  }
  return { family: 6, bytes };
}

/** The network as written in ip4:/ip6: (no mapping: ip6:::ffff:1.2.3.4 stays an IPv6 network). */
export function parseNetwork(input: string, family: 4 | 6): number[] | undefined {
  if (isIP(input) !== family || input.includes('%')) return undefined;
  if (family === 4) return input.split('.').map(Number);
  return expandIpv6(input)
    .split(':')
    .flatMap((g) => [parseInt(g.slice(0, 2), 16), parseInt(g.slice(2), 16)]);
}

/** True when the first `prefix` bits of a and b agree. */
export function inPrefix(a: readonly number[], b: readonly number[], prefix: number): boolean {
  if (a.length !== b.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const left = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - left)) & 0xff;
    if ((a[bit / 8]! & mask) !== (b[bit / 8]! & mask)) return false;
  }
  return true;
}

/** %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 (upper case, as RFC 7208 §7.4's example). */
export function ipDotted(ip: SpfIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  return ip.bytes
    .flatMap((b) => [b >> 4, b & 15])
    .map((n) => n.toString(16).toUpperCase())
    .join('.');
}

/** %{c}: dotted quad, or the RFC 5952 canonical IPv6 text (lower case, longest zero run compressed). */
export function ipText(ip: SpfIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Address records as the resolver returns them, compared to the client. */
export function addressMatches(record: string, client: SpfIp, prefix: number): boolean {
  const r = parseNetwork(record, client.family);
  return r !== undefined && inPrefix(r, client.bytes, prefix);
}
