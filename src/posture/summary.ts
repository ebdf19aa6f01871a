// The one-screen summary: per check a verdict (pass, fail or unknown — never two outcomes), its worst severity,
// and the one-line reason, taken from the finding that decided. Pure.
import { severityRank, type Severity } from '../core/result.js';
import { checkEntries } from './registry.js';
import { type CheckName, type CheckSummary, type PostureChecks, type PostureFinding, type Verdict } from './types.js';

export function summarize(checks: PostureChecks, findings: readonly PostureFinding[]): CheckSummary[] {
  const out: CheckSummary[] = [];
  const results = checks as Record<string, unknown>;
  for (const e of checkEntries()) {
    const check = e.key as CheckName;
    if (results[check] === undefined) continue;
    const own = findings.filter((f) => f.check === check);
    out.push(summarizeCheck(check, own, results[check] === null));
  }
  return out;
}

export function summarizeCheck(check: CheckName, own: readonly PostureFinding[], unfinished = false): CheckSummary {
  const definite = own.filter((f) => !f.temporary);
  const fail = definite.find((f) => f.severity === 'fail');
  const temporary = own.find((f) => f.temporary);
  let verdict: Verdict = 'pass';
  if (fail) verdict = 'fail';
  else if (temporary || unfinished) verdict = 'unknown';
  let severity: Severity = 'ok';
  for (const f of definite) if (severityRank(f.severity) > severityRank(severity)) severity = f.severity;
  // A passing check is best told by its ok finding ("p=reject: …"); an info one only when it has nothing else
  // to say ("publishes no MTA-STS policy").
  const decider = fail ?? temporary ?? pick(definite, 'warn') ?? pick(definite, 'ok') ?? pick(definite, 'info');
  let state: CheckSummary['state'] = verdict;
  if (verdict === 'pass' && severity === 'warn') state = 'warn';
  else if (verdict === 'pass' && decider && decider.severity !== 'ok') state = 'info';
  return {
    check,
    verdict,
    severity,
    state,
    reason: decider?.message ?? (unfinished ? 'did not finish within the time budget' : 'no findings'),
    id: decider?.id ?? null,
  };
}

function pick(findings: readonly PostureFinding[], s: Severity): PostureFinding | undefined {
  return findings.find((f) => f.severity === s);
}
