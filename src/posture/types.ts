// The shape of `mailcheck check`: one domain's posture, every check's own result nested under `checks`
// (shared/CONTRACT.md), a one-line summary per check, and all findings flattened with the check they belong to.
import type { Finding, Severity } from '../core/result.js';
import type { CheckName, PostureChecks } from './registry.js';

// The checks, their keys and their results' types are the registry's (registry.ts): one entry per check.
export type { CheckName, PostureChecks };

/** Every check has three outcomes, never two: a timeout or SERVFAIL gives `unknown`, not `fail`. */
export type Verdict = 'pass' | 'fail' | 'unknown';

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
