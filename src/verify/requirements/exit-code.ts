// How the sender requirements weigh on verify's exit code: not at all by default (shared/CONTRACT.md: exit 0
// only when DMARC passes, nothing more), and under --strict as failed checks (1) or, when only a DNS failure
// kept a rule from a verdict, as a temporary failure (3). Pure.
import type { RequirementsVerdict } from './types.js';

/** A message's sender-requirements verdict as an exit code under --strict (worseExitCode combines messages). */
export function requirementsExitCode(verdict: RequirementsVerdict): 0 | 1 | 3 {
  if (verdict.result === 'fail') return 1;
  return verdict.result === 'temperror' ? 3 : 0;
}

/** The more serious of two exit codes: a failure (1) outranks "no verdict" (3), which outranks success (0). */
export function worseExitCode(a: 0 | 1 | 3, b: 0 | 1 | 3): 0 | 1 | 3 {
  if (a === 1 || b === 1) return 1;
  return a === 3 || b === 3 ? 3 : 0;
}
