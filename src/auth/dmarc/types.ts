// The result of `checkDmarc` (the JSON of `mailcheck dmarc` and `check`'s checks.dmarc): the applying record, how
// it was found, and how a receiver still on RFC 7489 would read it.
import type { Step } from '../../core/result.js';
import type { PolicySource } from './discovery.js';
import type { DiscardedRecord, DmarcRfc7489Reading } from './discovery-lint.js';
import type { DmarcFinding } from './lint.js';
import type { DmarcPolicy, DmarcRecord } from './record.js';
import type { DmarcReportDestination } from './report-auth.js';

export type { DiscardedRecord, DmarcRfc7489Reading } from './discovery-lint.js';

export interface DmarcResult {
  kind: 'dmarc';
  domain: string;
  /** The domain whose _dmarc record applies (the domain, its Organizational Domain or its PSD); null if none. */
  recordDomain: string | null;
  record: string | null;
  /** p= as receivers apply it (RFC 9989 §4.7, §4.10.1: missing → none; invalid → none or nothing by rua=). */
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  /** pct= as published (default 100): RFC 9989 removed it; RFC 7489 receivers still apply it. */
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  ruf: string[];
  /** The Organizational Domain by DNS tree walk (RFC 9989 §4.10.2); `rfc7489.orgDomain` is the PSL's. */
  orgDomain: string;
  findings: DmarcFinding[];
  steps: Step[];
  /** np= (RFC 9989 §4.7), defaulting to the subdomain policy. */
  nonexistentPolicy: DmarcPolicy | null;
  /** The policy for mail from `domain` itself: p= of its own record, sp= of an inherited one. */
  appliedPolicy: DmarcPolicy | null;
  /** t=y (RFC 9989 §4.7): receivers apply the policy one level weaker. */
  testing: boolean;
  /** psd= of the applying record (RFC 9989 §4.7): y, n, or u (absent). */
  psd: 'y' | 'n' | 'u' | null;
  /** How the record was found (RFC 9989 §4.10.1): the names asked in order, and where the record came from. */
  discovery: DmarcDiscovery;
  /** How a receiver still on RFC 7489 reads the domain: discovery by the Public Suffix List, pct= applied. */
  rfc7489: DmarcRfc7489Reading;
  /** The applying record, when one applies (kept as a list for compatibility: never more than one). */
  records: string[];
  /** TXT records at _dmarc names that receivers discard (not v=DMARC1, or one of several). */
  discarded: DiscardedRecord[];
  /** rua/ruf addresses, with the §7.1 authorization check for external ones. */
  destinations: DmarcReportDestination[];
  /** The parsed record (tags with offsets), for reports that mark the offending part. */
  parsed: DmarcRecord | null;
}

export interface DmarcDiscovery {
  method: 'rfc9989-tree-walk';
  /** The _dmarc names asked for policy discovery and the Organizational Domain, in order (at most 8 per walk). */
  queries: string[];
  source: PolicySource | null;
}
