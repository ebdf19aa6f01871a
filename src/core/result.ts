// Plain data every check returns: findings (the verdicts) and steps (the story the report tells).
// The result objects are the JSON of shared/CONTRACT.md; renderers only format them.

export type Severity = 'ok' | 'info' | 'warn' | 'fail';

export interface Finding {
  /** Stable, dotted, part of the API: 'mx.exchange.cname', 'spf.lookups.exceeded'. */
  id: string;
  severity: Severity;
  /** One sentence: what is wrong and why it matters. */
  message: string;
  /** What to publish or change. */
  advice?: string;
  /** 'RFC 7505 §3' */
  ref?: string;
  /** A timeout or SERVFAIL prevented a verdict: exit code 3, never "no record". Its severity is always `warn`. */
  temporary?: boolean;
}

export interface Step {
  kind: 'dns' | 'smtp' | 'tcp' | 'tls' | 'auth' | 'info';
  /** Plain text, no colour: "MX example.com → 2 records". */
  summary: string;
  ms: number;
  ok?: boolean;
  detail?: unknown;
}

export interface CheckResult {
  kind: string;
  findings: Finding[];
}

/**
 * A finding. A temporary one (no verdict: a timeout, SERVFAIL, a refused connection) always gets severity `warn`,
 * whatever the caller asked: it is no failure (exit 3, never 1), so a script counting `severity == "fail"` counts
 * real failures only, and `temporary` says why there is no verdict.
 */
export function finding(
  id: string,
  severity: Severity,
  message: string,
  extra: Partial<Pick<Finding, 'advice' | 'ref' | 'temporary'>> = {},
): Finding {
  // Key by key, not `...extra`: a spread after other keys costs a runtime call a key in V8's interpreter, and verify
  // and receive make a few findings a message (short verify runs stay in the interpreter).
  const f: Finding = { id, severity: extra.temporary ? 'warn' : severity, message };
  if (extra.advice !== undefined) f.advice = extra.advice;
  if (extra.ref !== undefined) f.ref = extra.ref;
  if (extra.temporary !== undefined) f.temporary = extra.temporary;
  return f;
}

const RANK: Record<Severity, number> = { ok: 0, info: 1, warn: 2, fail: 3 };

export function worstSeverity(findings: readonly Finding[]): Severity {
  let worst: Severity = 'ok';
  for (const f of findings) if (RANK[f.severity] > RANK[worst]) worst = f.severity;
  return worst;
}

export function severityRank(s: Severity): number {
  return RANK[s];
}
