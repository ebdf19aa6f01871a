// The result of `checkBimi` (the JSON of `check`'s checks.bimi): the record found and, with fetch, its assets.
import type { Finding, Step } from '../../core/result.js';
import type { LookupStatus } from '../../dns/types.js';
import type { HttpsStage } from '../../https/get.js';
import type { BimiRecord } from './record.js';
import type { SvgInspection } from './svg.js';
import type { VmcInspection } from './vmc.js';

export interface BimiAsset {
  url: string;
  status: number;
  contentType: string | null;
  bytes: number;
  truncated: boolean;
  ms: number;
  error?: { stage: HttpsStage; message: string; temporary: boolean };
  svg?: SvgInspection;
  vmc?: VmcInspection;
}

export interface BimiResult {
  kind: 'bimi';
  domain: string;
  selector: string;
  orgDomain: string;
  /** The domain whose record applies (the domain or its organizational domain), or null. */
  recordDomain: string | null;
  recordName: string | null;
  lookup: LookupStatus;
  record: string | null;
  records: string[];
  discarded: string[];
  location: string | null;
  authority: string | null;
  declined: boolean;
  parsed: BimiRecord | null;
  /** Fetched only with `fetch`. */
  logo: BimiAsset | null;
  vmc: BimiAsset | null;
  findings: Finding[];
  steps: Step[];
}
