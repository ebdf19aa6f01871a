// exitCode(results) → 0|1|3 of shared/CONTRACT.md (2 is the UsageError path in main.ts). Pure.
import type { CheckResult, Finding } from '../core/result.js';

export function exitCode(results: readonly CheckResult[], opts: { strict?: boolean } = {}): 0 | 1 | 3 {
  let code: 0 | 1 | 3 = 0;
  for (const r of results) {
    const c = findingsExitCode(r.findings, opts);
    if (c === 1) return 1;
    if (c === 3) code = 3;
  }
  return code;
}

/** exitCode() of one result's findings (verify's tally weighs each message as it goes). */
export function findingsExitCode(findings: readonly Finding[], opts: { strict?: boolean } = {}): 0 | 1 | 3 {
  let temporary = false;
  for (const f of findings) {
    if (f.temporary) temporary = true;
    // A definite failure is a verdict; a temporary one only says we could not reach one.
    else if (f.severity === 'fail' || (opts.strict && f.severity === 'warn')) return 1;
  }
  return temporary ? 3 : 0;
}
