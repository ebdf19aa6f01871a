// What a posture check is to `mailcheck check`: one registry entry (registry.ts) says its key in the JSON, its label,
// how it runs and on what it waits, whether it applies, where its findings are, and its part of the policy file.
// The runner (check.ts), the summary, JUnit, the batch table and the policy read the entries; none lists the checks.
import type { Context } from '../core/context.js';
import type { Finding } from '../core/result.js';
import type { AnswerNote } from '../dns/trace.js';
import type { PolicySection } from './policy-rules.js';

/** What the checks are asked to do (the options of `check` that reach them). */
export interface CheckOptions {
  /** DKIM selectors to look up; none means the built-in discovery list. */
  selectors?: string[];
  /** Probe every MX host over SMTP (STARTTLS, certificate), and match DANE against what they serve. */
  smtp?: boolean;
  /** With smtp: audit each MX address's TLS test by test (src/probe/tls-audit), within the domain's budget. */
  tlsAudit?: boolean;
  smtpPort?: number;
  /** Fetch BIMI assets (the logo, the mark certificate). */
  fetch?: boolean;
  /** Extra trust anchors (PEM) for HTTPS and SMTP certificates. */
  ca?: string[];
  /** Port for the MTA-STS policy host instead of 443 (tests). */
  mtaStsPort?: number;
  /** Fetch MTA-STS and BIMI from loopback, private or reserved addresses too (DNS names them; a lab, a test). */
  allowPrivate?: boolean;
  /** DNS blocklist zones to look every MX address up in. */
  dnsbl?: string[];
  /** The whole domain must finish within this many milliseconds, else what is left is "unknown". */
  budgetMs?: number;
}

export interface RunInput {
  domain: string;
  /** The check's own context: the DNS steps it records (or, without steps, its answer notes) are its own. */
  ctx: Context;
  /** The domain's context, recording nothing for any one check (e.g. TLS handshakes after the checks ran). */
  shared: Context;
  opts: CheckOptions;
  /** performance.now() when the domain started: deadlines within its budget. */
  start: number;
}

/**
 * The first results of the checks a stage waits for (its `needs`), by key: null where one failed or ran out of
 * time, undefined where it did not run (an option not given). Entries cast each to its check's result type.
 */
export type Deps = Readonly<Record<string, unknown>>;

/** A stage that waits for other checks' first results (never their finished ones: that would serialize them). */
export interface Stage<In extends unknown[], Out> {
  /** Keys of the checks whose first results it waits for (its own key too, for work on its own result). */
  needs: readonly string[];
  run(...args: In): Out;
}

export interface CheckEntry<K extends string = string, R = unknown, P = unknown, A = unknown> {
  /** Its key in the result's `checks` (the JSON name) and in the policy file; `checks` keeps registry order. */
  key: K;
  /** Its name in the summary table, the batch table and JUnit (the test case name). */
  label: string;
  /** Its part of policy finding ids, `policy.<policyId>.<key>` (finding ids are kebab-case, keys camelCase). */
  policyId: string;
  /** Runs only when this says so (an option asks for it); otherwise its key is absent from `checks`. */
  applies?(o: CheckOptions): boolean;
  /** Its first result, concurrently with every other check; with `needs`, once those have their first results. */
  needs?: readonly string[];
  run(x: RunInput, deps: Deps): Promise<R>;
  /** More work for this check that waits on first results (its own too), concurrent with the rest; merged by
   *  `finish`. Its failure is reported under this check, as the check's own. */
  alongside?: Stage<[x: RunInput, deps: Deps], Promise<A | null>>;
  /** Once every check has its first result: the result amended with what needed others' (synchronous, or a
   *  promise that races the budget; on failure or timeout the first result stays). Not called on null. */
  finish?: Stage<[r: NoInfer<R>, x: RunInput, deps: Deps, alongside: A | null | undefined], R | Promise<R>>;
  /** Last, once every check is finished: what needs all their results (e.g. DNSSEC's count of authenticated
   *  answers over every check's lookups). */
  settle?(r: NoInfer<R>, x: SettleInput): NoInfer<R>;
  /** Its findings (each is tagged with `check: key` in the flat list). */
  findings(r: NoInfer<R>): readonly Finding[];
  /** Its section of the policy file, if it has one. */
  policy?: PolicySection<NoInfer<R>, P>;
}

export interface SettleInput {
  domain: string;
  /** Every DNS answer the checks got, in check order (from their steps, or without steps their notes). */
  answers(): AnswerNote[];
}

/** Types an entry by what it is given (result, policy section, alongside work) and keeps its literal key. */
export function defineCheck<K extends string, R, P = never, A = never>(
  e: CheckEntry<K, R, P, A> & Pick<Required<CheckEntry>, 'applies'>,
): CheckEntry<K, R, P, A> & Pick<Required<CheckEntry>, 'applies'>;
export function defineCheck<K extends string, R, P = never, A = never>(
  e: CheckEntry<K, R, P, A>,
): CheckEntry<K, R, P, A>;
export function defineCheck<K extends string, R, P, A>(e: CheckEntry<K, R, P, A>): CheckEntry<K, R, P, A> {
  return e;
}

/** An entry of any check, as the runner and the renderers see it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCheckEntry = CheckEntry<string, any, any, any>;
