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

/** What the totals need of one result: small, plain data, so a worker thread can send it with the line it wrote. */
export interface ResultTally {
  /** The line was not a domain name. */
  invalid: boolean;
  ok: boolean;
  verdicts: [CheckName, Verdict][];
  /** Ids of the (non-temporary) failures, each once. */
  failures: string[];
}

export function tallyOf(r: PostureResult): ResultTally {
  if (r.findings.some((f) => f.id === 'posture.input.invalid'))
    return { invalid: true, ok: false, verdicts: [], failures: [] };
  return {
    invalid: false,
    ok: r.ok,
    verdicts: r.summary.map((x) => [x.check, x.verdict]),
    failures: [...new Set(r.findings.filter((f) => f.severity === 'fail' && !f.temporary).map((f) => f.id))],
  };
}

export function addToStats(s: BatchStats, r: PostureResult): void {
  addTally(s, tallyOf(r));
}

export function addTally(s: BatchStats, t: ResultTally): void {
  s.domains++;
  if (t.invalid) {
    s.invalid++;
    return;
  }
  if (t.verdicts.some(([, v]) => v === 'fail')) s.failed++;
  else if (t.verdicts.some(([, v]) => v === 'unknown')) s.unknown++;
  if (t.ok) s.ok++;
  for (const [check, verdict] of t.verdicts) {
    const c = (s.perCheck[check] ??= { pass: 0, fail: 0, unknown: 0 });
    c[verdict]++;
  }
  for (const id of t.failures) s.failures[id] = (s.failures[id] ?? 0) + 1;
}
