// The one resolver interface every check uses (declared in core/resolver.ts, re-exported here for the dns layer and
// its users), the record types the transports know, and helpers over answers.
import type { Lookup, LookupStatus, RRType, TemporaryStatus } from '../core/resolver.js';

export type {
  CaaRecord,
  DnskeyRecord,
  DsRecord,
  Lookup,
  LookupOptions,
  LookupStatus,
  MxRecord,
  RecordMap,
  RecordOf,
  Resolver,
  RRType,
  SoaRecord,
  SrvRecord,
  TemporaryStatus,
  TlsaRecord,
} from '../core/resolver.js';

export const RR_TYPES: readonly RRType[] = [
  'A',
  'AAAA',
  'MX',
  'TXT',
  'SPF',
  'CNAME',
  'PTR',
  'NS',
  'SOA',
  'TLSA',
  'DS',
  'DNSKEY',
  'SRV',
  'CAA',
];

export function isTemporary(l: {
  status: LookupStatus;
}): l is { status: TemporaryStatus; server: string; error?: string } {
  return l.status === 'servfail' || l.status === 'refused' || l.status === 'timeout' || l.status === 'malformed';
}

/** The records of an answer, or [] for NXDOMAIN/NODATA/failures. */
export function recordsOf<R>(l: Lookup<R>): R[] {
  return l.status === 'ok' ? l.records : [];
}

/** TXT character-strings joined as RFC 7208 §3.3 / RFC 6376 §3.6.2.2 say: no separator. */
export function txtJoin(strings: readonly string[]): string {
  return strings.join('');
}

/** Name for reverse lookup: 1.2.0.192.in-addr.arpa / nibble form under ip6.arpa. */
export function reverseName(ip: string): string {
  if (ip.includes(':')) {
    // The 32 nibbles of the full form, last first, each followed by a dot (RFC 3596 §2.5): one pass, no arrays.
    const full = expandIpv6(ip);
    let out = '';
    for (let i = full.length - 1; i >= 0; i--) if (full[i] !== ':') out += `${full[i]}.`;
    return `${out}ip6.arpa`;
  }
  return ip.split('.').reverse().join('.') + '.in-addr.arpa';
}

/** 2001:db8::1 → 2001:0db8:0000:0000:0000:0000:0000:0001 (also handles embedded IPv4). */
export function expandIpv6(ip: string): string {
  let s = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const parts = v4[1]!.split('.').map(Number);
    const hex = ((parts[0]! << 8) | parts[1]!).toString(16) + ':' + ((parts[2]! << 8) | parts[3]!).toString(16);
    s = s.slice(0, -v4[1]!.length) + hex;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}
