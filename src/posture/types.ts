// The shape of `mailcheck check`: one domain's posture, every check's own result nested under `checks`
// (shared/CONTRACT.md), a one-line summary per check, and all findings flattened with the check they belong to.
import type { BimiResult } from '../auth/bimi/types.js';
import type { DaneResult } from '../auth/dane/types.js';
import type { DkimResult } from '../auth/dkim/types.js';
import type { DmarcResult } from '../auth/dmarc/types.js';
import type { DnssecResult } from '../auth/dnssec/types.js';
import type { MtaStsResult } from '../auth/mta-sts/types.js';
import type { SpfResult } from '../auth/spf/types.js';
import type { TlsRptResult } from '../auth/tls-rpt/types.js';
import type { Finding, Severity } from '../core/result.js';
import type { MxResult } from '../mx/types.js';
import type { ProbeResult } from '../probe/types.js';
import type { DnsblResult } from './dnsbl.js';

export const CHECK_NAMES = [
  'mx',
  'spf',
  'dkim',
  'dmarc',
  'mtaSts',
  'tlsRpt',
  'bimi',
  'dnssec',
  'dane',
  'smtp',
  'dnsbl',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const CHECK_LABELS: Record<CheckName, string> = {
  mx: 'MX',
  spf: 'SPF',
  dkim: 'DKIM',
  dmarc: 'DMARC',
  mtaSts: 'MTA-STS',
  tlsRpt: 'TLS-RPT',
  bimi: 'BIMI',
  dnssec: 'DNSSEC',
  dane: 'DANE',
  smtp: 'SMTP',
  dnsbl: 'DNSBL',
};

/** Every check has three outcomes, never two: a timeout or SERVFAIL gives `unknown`, not `fail`. */
export type Verdict = 'pass' | 'fail' | 'unknown';

export interface PostureChecks {
  mx: MxResult | null;
  spf: SpfResult | null;
  dkim: DkimResult | null;
  dmarc: DmarcResult | null;
  mtaSts: MtaStsResult | null;
  tlsRpt: TlsRptResult | null;
  bimi: BimiResult | null;
  dnssec: DnssecResult | null;
  dane: DaneResult | null;
  /** With --smtp: the probe of every MX host and address. */
  smtp?: ProbeResult | null;
  /** With --dnsbl: each MX address looked up in the given lists. */
  dnsbl?: DnsblResult | null;
}

export interface CheckSummary {
  check: CheckName;
  verdict: Verdict;
  /** Worst severity among the check's verdict findings (temporary ones aside). */
  severity: Severity;
  /** What the summary shows: the verdict, refined — `warn` passes with warnings, `info` passes with nothing
   *  set up to judge (e.g. no MTA-STS policy), `pass` has an ok finding. */
  state: 'pass' | 'warn' | 'info' | 'fail' | 'unknown';
  /** The one-line reason: the message of the finding that decided. */
  reason: string;
  /** The id of that finding. */
  id: string | null;
}

export interface PostureFinding extends Finding {
  check: CheckName | 'posture';
}

export interface PostureResult {
  kind: 'posture';
  domain: string;
  /** No failure and no unknown (with --strict: no warning either). */
  ok: boolean;
  checks: PostureChecks;
  summary: CheckSummary[];
  findings: PostureFinding[];
  /** Wall-clock time for the domain. */
  ms: number;
  /** The profile it was judged by (profile.ts): sending (all checks), non-sending or parked. */
  profile?: { name: 'sending' | 'non-sending' | 'parked'; reason: string };
}
