// The result of `checkMtaSts` (the JSON of `check`'s checks.mtaSts): the record, the policy fetch and the MX match.
import type { Finding, Step } from '../../core/result.js';
import type { LookupStatus } from '../../dns/types.js';
import type { HttpsStage, ServedCertificate } from '../../https/get.js';
import type { MtaStsMode, MtaStsPolicy } from './policy.js';

export interface MtaStsFetch {
  url: string;
  /** HTTP status; 0 when there was no response. */
  status: number;
  contentType: string | null;
  location: string | null;
  address: string | null;
  bytes: number;
  truncated: boolean;
  maxBytes: number;
  ms: number;
  certificate: ServedCertificate | null;
  error?: { stage: HttpsStage; message: string; temporary: boolean; alias?: string };
}

export interface MtaStsResult {
  kind: 'mta-sts';
  domain: string;
  /** Outcome of the _mta-sts TXT lookup. */
  lookup: LookupStatus;
  /** The one v=STSv1 record, or the first of several; null when none. */
  record: string | null;
  records: string[];
  /** TXT records at _mta-sts that are not v=STSv1 (senders discard them). */
  discarded: string[];
  id: string | null;
  recordErrors: string[];
  policyHost: string;
  policyUrl: string;
  fetch: MtaStsFetch | null;
  /** The policy as served (at most maxBytes). */
  policyText: string | null;
  policy: MtaStsPolicy | null;
  mode: MtaStsMode | null;
  mxLookup: LookupStatus;
  /** Each MX host and the policy pattern that covers it (null: none does). */
  mx: { exchange: string; pattern: string | null }[];
  findings: Finding[];
  steps: Step[];
}
