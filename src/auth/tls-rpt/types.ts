// The result of `checkTlsRpt` (the JSON of `check`'s checks.tlsRpt).
import type { Finding, Step } from '../../core/result.js';
import type { LookupStatus } from '../../dns/types.js';
import type { TlsRptRecord } from './record.js';

export interface TlsRptResult {
  kind: 'tls-rpt';
  domain: string;
  lookup: LookupStatus;
  /** The v=TLSRPTv1 record (the first, when there are several), or null. */
  record: string | null;
  records: string[];
  discarded: string[];
  /** Report destinations as published. */
  rua: string[];
  parsed: TlsRptRecord | null;
  findings: Finding[];
  steps: Step[];
}
