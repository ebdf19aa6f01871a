// Running totals of a batch, kept as counters so memory stays flat however many domains go by. Pure.
import type { CheckName, PostureResult, Verdict } from './types.js';

export interface BatchStats {
  domains: number;
  ok: number;
  /** At least one check failed. */
  failed: number;
  /** Nothing failed, but some check had no verdict. */
  unknown: number;
  /** Lines that were not a domain name. */
  invalid: number;
  perCheck: Partial<Record<CheckName, Record<Verdict, number>>>;
  /** Counts of the finding ids that failed, for "the most common problems". */
  failures: Record<string, number>;
}

export function createBatchStats(): BatchStats {
  return { domains: 0, ok: 0, failed: 0, unknown: 0, invalid: 0, perCheck: {}, failures: {} };
}

export function addToStats(s: BatchStats, r: PostureResult): void {
  s.domains++;
  if (r.findings.some((f) => f.id === 'posture.input.invalid')) {
    s.invalid++;
    return;
  }
  const verdicts = r.summary.map((x) => x.verdict);
  if (verdicts.includes('fail')) s.failed++;
  else if (verdicts.includes('unknown')) s.unknown++;
  if (r.ok) s.ok++;
  for (const x of r.summary) {
    const c = (s.perCheck[x.check] ??= { pass: 0, fail: 0, unknown: 0 });
    c[x.verdict]++;
  }
  for (const id of new Set(r.findings.filter((f) => f.severity === 'fail' && !f.temporary).map((f) => f.id))) {
    s.failures[id] = (s.failures[id] ?? 0) + 1;
  }
}
