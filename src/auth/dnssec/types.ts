// The result of `checkDnssec` (`check`'s checks.dnssec), with the MX hosts' zones that `check` adds.
import type { Finding, Step } from '../../core/result.js';
import type { DsRecord, LookupStatus } from '../../dns/types.js';

export interface DnssecDs extends DsRecord {
  algorithmName: string;
  digestName: string;
  /** Does it point at a published DNSKEY? null when not computable (unknown digest, or no DNSKEY lookup). */
  matched: boolean | null;
}

export interface DnssecKey {
  keyTag: number;
  flags: number;
  algorithm: number;
  algorithmName: string;
  /** Secure Entry Point flag: a key-signing key (RFC 4034 §2.1.1). */
  sep: boolean;
}

/** The DNSSEC of one MX host's zone (filled in by `check`, src/posture/mx-dnssec.ts). */
export interface MxZoneDnssec {
  exchange: string;
  /** Where the DS was looked for: the MX host's organizational domain (or the domain's zone). */
  zone: string;
  /** The domain's own zone: its DNSSEC verdict applies. */
  sameZone: boolean;
  signed: boolean | null;
  validated: boolean;
  source: 'resolver' | 'zone' | 'offline';
  /** A broken chain (DS without DNSKEY, no DS matching): its findings' message. */
  problem?: string;
  temporary?: boolean;
}

export interface DnssecResult {
  kind: 'dnssec';
  domain: string;
  /** Where the DS was looked for last: the domain, or its organizational domain. */
  zone: string;
  /** Who answered: a resolver, a local zone file, or nobody (--offline). */
  source: 'resolver' | 'zone' | 'offline';
  dsLookup: LookupStatus;
  dnskeyLookup: LookupStatus | null;
  /** True: DS published; false: none; null: no verdict. */
  signed: boolean | null;
  /** The resolver set AD on the DS (or DNSKEY) answer. */
  validated: boolean;
  ds: DnssecDs[];
  dnskeys: DnssecKey[];
  /** Filled in by the posture check: how many answers for names under the domain carried AD. */
  answers?: { total: number; authenticated: number };
  /** Filled in by the posture check (src/posture/mx-dnssec.ts): the DNSSEC of each MX host's zone. */
  mx?: MxZoneDnssec[];
  findings: Finding[];
  steps: Step[];
}
