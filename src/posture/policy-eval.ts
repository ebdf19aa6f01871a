// The CI gate: each requirement of the policy file compared with the posture, as findings `policy.<check>.<key>`
// (fail when unmet, ok when met), check by check in registry order, each by its own section (policy-sections.ts).
// A check without a verdict (timeout, SERVFAIL) is left unknown, never failed. Pure.
import { finding, type Finding } from '../core/result.js';
import type { Policy } from './policy.js';
import { checkEntries } from './registry.js';
import type { PostureChecks, PostureFinding } from './types.js';

export { allQualifier } from './policy-sections.js';

export function policyFindings(p: Policy, c: PostureChecks): PostureFinding[] {
  const out: PostureFinding[] = [];
  const sections = p as unknown as Record<string, unknown>;
  const results = c as unknown as Record<string, { findings: { temporary?: boolean }[] } | null | undefined>;
  for (const e of checkEntries()) {
    const rules = sections[e.key];
    if (!e.policy || !rules) continue;
    const owner = e.key as PostureFinding['check'];
    const tag = (f: Finding): PostureFinding => ({ ...f, check: owner });
    const result = results[e.key];
    if (result === undefined) {
      if (e.policy.notRun) out.push(...e.policy.notRun(rules, p.source).map(tag));
      continue;
    }
    // Unknown stays unknown: a requirement is not judged on an answer we never got.
    if (!result || result.findings.some((x) => x.temporary)) continue;
    // The id's middle part: the check's name in kebab case (mta-sts), as finding ids are written.
    const check = e.policyId;
    e.policy.judge(
      rules,
      result,
      (key, met, message, severity) =>
        out.push(
          tag(
            finding(
              `policy.${check}.${key}`,
              met ? 'ok' : (severity ?? 'fail'),
              `${met ? 'Meets' : 'Fails'} the policy (${p.source}): ${message}`,
            ),
          ),
        ),
      { source: p.source, add: (f) => out.push(tag(f)) },
    );
  }
  return out;
}
