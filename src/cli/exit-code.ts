// exitCode(results) → 0|1|3 of shared/CONTRACT.md (2 is the UsageError path in main.ts). Pure.
import type { CheckResult } from '../core/result.js';

export function exitCode(results: readonly CheckResult[], opts: { strict?: boolean } = {}): 0 | 1 | 3 {
  let failed = false;
  let temporary = false;
  for (const r of results) {
    for (const f of r.findings) {
      if (f.temporary) temporary = true;
      else if (f.severity === 'fail' || (opts.strict && f.severity === 'warn')) failed = true;
    }
  }
  // A definite failure is a verdict; a temporary one only says we could not reach one.
  if (failed) return 1;
  return temporary ? 3 : 0;
}
