// The one resolver interface every check uses. NXDOMAIN and NODATA are answers, not exceptions;
// SERVFAIL, REFUSED, timeouts and malformed replies are temporary failures kept apart all the way to exit 3.

export type RRType =
  'A' | 'AAAA' | 'MX' | 'TXT' | 'SPF' | 'CNAME' | 'PTR' | 'NS' | 'SOA' | 'TLSA' | 'DS' | 'DNSKEY' | 'SRV' | 'CAA';

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

export interface MxRecord {
  preference: number;
  exchange: string;
}
export interface SoaRecord {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}
export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  /** hex, lowercase */ data: string;
}
export interface DsRecord {
  keyTag: number;
  algorithm: number;
  digestType: number;
  /** hex, lowercase */ digest: string;
}
export interface DnskeyRecord {
  flags: number;
  protocol: number;
  algorithm: number;
  /** base64 */ key: string;
}
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}
export interface CaaRecord {
  flags: number;
  tag: string;
  value: string;
}

export interface RecordMap {
  A: string;
  AAAA: string;
  MX: MxRecord;
  /** One TXT record = its character-strings, in order (join them for SPF/DKIM/DMARC). */
  TXT: string[];
  SPF: string[];
  CNAME: string;
  PTR: string;
  NS: string;
  SOA: SoaRecord;
  TLSA: TlsaRecord;
  DS: DsRecord;
  DNSKEY: DnskeyRecord;
  SRV: SrvRecord;
  CAA: CaaRecord;
}
export type RecordOf<T extends RRType> = RecordMap[T];

export type TemporaryStatus = 'servfail' | 'refused' | 'timeout' | 'malformed';
export type LookupStatus = 'ok' | 'nxdomain' | 'nodata' | TemporaryStatus;

interface LookupMeta {
  /** Who answered: 'ip:port', 'zone:<origin>', or 'offline'. */
  server: string;
  /** CNAMEs followed to reach the answer, in order (owner names, lowercase, no trailing dot). */
  cnames: string[];
  /** Authoritative Answer / Authenticated Data (DNSSEC-validated by the resolver). */
  aa: boolean;
  ad: boolean;
}

export type Lookup<R> =
  | ({ status: 'ok'; records: R[]; ttl: number } & LookupMeta)
  | ({ status: 'nxdomain' | 'nodata' } & LookupMeta)
  | { status: TemporaryStatus; server: string; error?: string; cnames?: string[] };

export interface LookupOptions {
  signal?: AbortSignal;
  /** Return a CNAME answer as is instead of following it (used for `type CNAME` and for loop checks). */
  noFollow?: boolean;
}

export interface Resolver {
  lookup<T extends RRType>(name: string, type: T, opts?: LookupOptions): Promise<Lookup<RecordOf<T>>>;
}

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
