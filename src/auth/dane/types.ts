// The result of `checkDane`: `check`'s checks.dane (TLSA records of each MX host, and the served-chain match).
import type { Finding, Step } from '../../core/result.js';
import type { LookupStatus, TlsaRecord } from '../../dns/types.js';

export interface DaneTlsa extends TlsaRecord {
  usable: boolean;
  problem?: string;
  text: string;
}

export interface DaneMatch {
  checked: boolean;
  matched: boolean;
  /** The record that matched, described. */
  record: string | null;
  /** What a 3 1 1 record for the served leaf would hold: "3 1 1 <hex>". */
  expected?: string;
  error?: string;
  temporary?: boolean;
}

export interface DaneHost {
  exchange: string;
  /** _25._tcp.<exchange> */
  name: string;
  lookup: LookupStatus;
  /** The TLSA answer carried AD. */
  secure: boolean;
  records: DaneTlsa[];
  match?: DaneMatch;
}

export interface DaneResult {
  kind: 'dane';
  domain: string;
  mxLookup: LookupStatus;
  /** The MX answer carried AD. */
  mxSecure: boolean;
  /** Whether senders would look for TLSA at all (RFC 7672 §2.2.1). */
  applicable: boolean;
  source: 'resolver' | 'zone' | 'offline';
  hosts: DaneHost[];
  /** MX hosts beyond MX_EXCHANGE_LIMIT (mx/check.ts) whose TLSA records were not looked up. */
  hostsUnchecked?: number;
  findings: Finding[];
  steps: Step[];
}
