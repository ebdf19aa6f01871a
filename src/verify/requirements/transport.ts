// Requirements without what their rule says (its scope and source): receive's line carries them so, and verify's
// helpers send them so to the main process, which puts the rule's back — a fifth of a result's bytes.
import { ruleOf } from './judge.js';
import type { Requirement, RequirementLine } from './types.js';

/** A judged requirement without its rule's scope and source (RequirementLine; `advisory` only when true). */
export function requirementLine(r: Requirement): RequirementLine {
  const line: RequirementLine = { id: r.id, result: r.result, reason: r.reason };
  if (r.advisory) line.advisory = true;
  if (r.temporary) line.temporary = true;
  if (r.problems) line.problems = r.problems;
  return line;
}

/** requirementLine undone: the requirement as judgeRequirements made it, its rule's scope and source back. */
export function withRule(l: RequirementLine): Requirement {
  const rule = ruleOf(l.id);
  if (!rule) throw new Error(`no requirement rule has the id '${l.id}'`);
  // The keys in judgeRequirements' order: the JSON of a message verified by a helper is the same text.
  const r: Requirement = {
    id: l.id,
    result: l.result,
    reason: l.reason,
    scope: rule.scope,
    advisory: !!l.advisory,
    ref: rule.ref,
  };
  if (l.temporary) r.temporary = true;
  if (l.problems) r.problems = l.problems;
  return r;
}
