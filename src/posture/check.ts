// `checkPosture`: the whole mail posture of one domain. Only calls the other check* functions (concurrently, on one
// shared resolver so every name is asked once) and nests their results; then the cross-checks, the policy and the
// summary. A time budget turns whatever has not finished into "unknown".
import type { Context } from '../core/context.js';
import { finding, type Step } from '../core/result.js';
import { stepAnswers } from '../auth/dnssec/lint.js';
import { quietSteps, type AnswerNote } from '../dns/trace.js';
import { budgetResolver, expiry } from './budget.js';
import { crossFindings } from './cross.js';
import { isIgnored, type Policy } from './policy.js';
import { policyFindings } from './policy-eval.js';
import { postureProfile, profileFindings, relaxForProfile, wildcardSpf, type PostureProfile } from './profile.js';
import { checkEntries } from './registry.js';
import type { CheckOptions } from './registry-types.js';
import { runChecks } from './runner.js';
import { summarize } from './summary.js';
import type { CheckName, PostureChecks, PostureFinding, PostureResult } from './types.js';

export interface PostureOptions extends CheckOptions {
  policy?: Policy;
  strict?: boolean;
  /** Record each check's DNS steps (default true). A batch that streams results without them turns this off:
   *  lookups then build no step, and DNSSEC's count of authenticated answers comes from bare notes instead. */
  steps?: boolean;
}

/** After the budget runs out, checks get this long to wind down with their "timeout" answers. */
const GRACE_MS = 250;

export async function checkPosture(domain: string, ctx: Context, opts: PostureOptions = {}): Promise<PostureResult> {
  const start = performance.now();
  const budget = new AbortController();
  const timer = opts.budgetMs ? setTimeout(() => budget.abort(), opts.budgetMs) : undefined;
  const c: Context = opts.budgetMs
    ? Object.assign({}, ctx, { resolver: budgetResolver(ctx.resolver, budget.signal) })
    : ctx;
  // Without steps, each check gets its own answer notes, kept in check order as its steps would have been.
  const notes = opts.steps === false ? new Map<string, AnswerNote[]>() : undefined;
  // A check asked twice (DNSSEC, then the MX hosts' zones) adds to its notes, as its steps are appended.
  const cx = (check: string): Context => {
    if (!notes) return c;
    let log = notes.get(check);
    if (!log) notes.set(check, (log = []));
    return Object.assign({}, c, { resolver: quietSteps(c.resolver, log) });
  };
  const errors: PostureFinding[] = [];
  // Without a budget nothing ever expires; with one, every check races the same expiry.
  const expired = opts.budgetMs ? expiry(budget.signal, GRACE_MS) : undefined;
  // A bug in one check must not sink a batch of thousands: it becomes a finding on that check.
  const error = (check: string, e: unknown) =>
    errors.push({
      ...finding(
        'posture.check.error',
        'fail',
        `The ${check} check failed with an internal error: ${(e as Error)?.message ?? String(e)}.`,
      ),
      check: check as CheckName,
    });
  const guard = <T>(check: string, p: Promise<T>): Promise<T | null> =>
    (expired ? Promise.race([p, expired]) : p).catch((e: unknown) => {
      error(check, e);
      return null;
    });

  try {
    const answers = (checks: PostureChecks) => (notes ? allNotes(checks, notes) : allAnswers(checks));
    const checks = await runChecks(domain, opts, { ctx: c, cx, guard, error, answers, start });
    // A domain that sends no mail is judged by what it needs (profile.ts); a parked one gets one more query.
    const profile = postureProfile(checks);
    const wildcard = profile.name === 'parked' ? await guard('spf', wildcardSpf(domain, c.resolver)) : undefined;
    const extra = [
      ...errors,
      ...unfinished(checks, opts.budgetMs),
      ...profileFindings(profile, checks, domain, wildcard),
    ];
    return assemble(domain, checks, extra, { ...opts, profile }, start);
  } finally {
    clearTimeout(timer);
  }
}

/** Flattens the findings (each tagged with its check), adds cross-checks and policy, and summarizes. Pure. */
export function assemble(
  domain: string,
  checks: PostureChecks,
  extra: PostureFinding[],
  opts: Pick<PostureOptions, 'policy' | 'strict'> & { profile?: PostureProfile },
  start = performance.now(),
): PostureResult {
  const profile = opts.profile ?? postureProfile(checks);
  let findings: PostureFinding[] = [];
  const results = checks as Record<string, unknown>;
  for (const e of checkEntries()) {
    const r = results[e.key];
    const check = e.key as CheckName;
    // Object.assign, not { ...f, check }: V8 (Node 20) takes a slow path for a property added after a spread
    // (~1 µs against ~0.1, for each of a batch's ~25 findings per domain). Same keys, same order.
    if (r) for (const f of e.findings(r)) findings.push(Object.assign({}, f, { check }));
  }
  findings.push(...crossFindings(checks), ...extra);
  findings = relaxForProfile(findings, profile);
  if (opts.policy) findings.push(...policyFindings(opts.policy, checks));
  const ignore = opts.policy?.ignore;
  if (ignore?.length) {
    findings = findings.map((f) =>
      !f.temporary && (f.severity === 'fail' || f.severity === 'warn') && isIgnored(f.id, ignore)
        ? { ...f, severity: 'info' as const, message: `(ignored by policy) ${f.message}`, ignored: true }
        : f,
    );
  }
  const strict = opts.strict ?? opts.policy?.strict ?? false;
  const ok = !findings.some((f) => f.temporary || f.severity === 'fail' || (strict && f.severity === 'warn'));
  return {
    kind: 'posture',
    domain,
    ok,
    checks,
    summary: summarize(checks, findings),
    findings,
    ms: Math.round(performance.now() - start),
    profile,
  };
}

/** A batch line that is not a domain name: reported in its place in the stream, so output stays aligned with input. */
export function invalidInput(input: string, message: string): PostureResult {
  // Every check that always runs, with no result; those an option asks for are absent, as when not asked.
  const none: Record<string, null> = {};
  for (const e of checkEntries()) if (!e.applies) none[e.key] = null;
  const checks = none as unknown as PostureChecks;
  return {
    kind: 'posture',
    domain: input,
    ok: false,
    checks,
    summary: [],
    findings: [{ ...finding('posture.input.invalid', 'fail', message), check: 'posture' }],
    ms: 0,
  };
}

/** The same result without the DNS step logs: what a batch streams (steps are a large share of the bytes). */
export function withoutSteps(r: PostureResult): PostureResult {
  // Copied key by key: an object rest ({ steps, ...rest }) and a spread followed by a property take V8's slow
  // paths, and this runs for every line of a batch. Key order is kept.
  const checks: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.checks)) {
    if (v && typeof v === 'object' && 'steps' in v) {
      const rest: Record<string, unknown> = {};
      for (const key in v) if (key !== 'steps') rest[key] = (v as unknown as Record<string, unknown>)[key];
      checks[k] = rest;
    } else {
      checks[k] = v;
    }
  }
  return Object.assign({}, r, { checks: checks as unknown as PostureChecks });
}

function unfinished(checks: PostureChecks, budgetMs: number | undefined): PostureFinding[] {
  const results = checks as Record<string, unknown>;
  const keys = checkEntries().map((e) => e.key as CheckName);
  return keys
    .filter((n) => results[n] === null)
    .map((check) => ({
      ...finding(
        'posture.budget.exceeded',
        'fail',
        `The ${check} check did not finish within the domain's time budget${budgetMs ? ` of ${budgetMs} ms` : ''}: no verdict.`,
        { temporary: true },
      ),
      check,
    }));
}

function allAnswers(checks: PostureChecks): AnswerNote[] {
  const results = checks as Record<string, { steps?: Step[] } | null | undefined>;
  return checkEntries().flatMap((e) => stepAnswers(results[e.key]?.steps ?? []));
}

/** The notes of the checks that finished, in check order: what allAnswers() reads from their steps. */
function allNotes(checks: PostureChecks, notes: Map<string, AnswerNote[]>): AnswerNote[] {
  const results = checks as Record<string, unknown>;
  const out: AnswerNote[] = [];
  for (const e of checkEntries()) if (results[e.key]) for (const a of notes.get(e.key) ?? []) out.push(a);
  return out;
}
