// The resolver interface every check is given (through Context) and the record shapes it answers with. It lives in
// core, the bottom layer, because Context carries a Resolver; src/dns implements it and re-exports these types.
// NXDOMAIN and NODATA are answers, not exceptions; SERVFAIL, REFUSED, timeouts and malformed replies are temporary
// failures kept apart all the way to exit 3.

export type RRType =
  'A' | 'AAAA' | 'MX' | 'TXT' | 'SPF' | 'CNAME' | 'PTR' | 'NS' | 'SOA' | 'TLSA' | 'DS' | 'DNSKEY' | 'SRV' | 'CAA';

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
