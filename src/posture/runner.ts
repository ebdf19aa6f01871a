// Runs the registry's checks for one domain: every applicable check at once, each stage as soon as the first
// results it needs are there (registry-types.ts), then each check's finish, then its settle. Concurrency is the
// entries' own: nothing waits for a check it does not name in `needs`.
import type { Context } from '../core/context.js';
import type { AnswerNote } from '../dns/trace.js';
import { checkEntries } from './registry.js';
import type { AnyCheckEntry, CheckOptions, Deps, RunInput } from './registry-types.js';
import type { PostureChecks } from './types.js';

export interface RunnerIo {
  /** The domain's context (its resolver within the budget). */
  ctx: Context;
  /** A check's own context (its steps, or its answer notes). */
  cx(check: string): Context;
  /** A check's promise, raced against the budget; a failure becomes a finding on that check, and null. */
  guard<T>(check: string, p: Promise<T>): Promise<T | null>;
  /** A synchronous stage that threw: a finding on that check, as guard() makes of a rejected promise. */
  error(check: string, e: unknown): void;
  /** Every DNS answer of the checks' results, in check order (for a settle stage). */
  answers(checks: PostureChecks): AnswerNote[];
  start: number;
}

const NONE: Deps = Object.freeze({});

/** Every applicable check's finished result, in registry order (the order of `checks` in the JSON). */
export async function runChecks(domain: string, opts: CheckOptions, io: RunnerIo): Promise<PostureChecks> {
  const active = checkEntries().filter((e) => !e.applies || e.applies(opts));
  const byKey = new Map(active.map((e) => [e.key, e]));
  const inputs = new Map<string, RunInput>();
  const inputOf = (e: AnyCheckEntry): RunInput => {
    let x = inputs.get(e.key);
    if (!x) inputs.set(e.key, (x = { domain, ctx: io.cx(e.key), shared: io.ctx, opts, start: io.start }));
    return x;
  };
  const first = new Map<string, Promise<unknown>>();
  const starting = new Set<string>();
  // A check's first result, started on first demand: in registry order, or earlier when a check before it needs it.
  const firstOf = (key: string): Promise<unknown> => {
    const known = first.get(key);
    if (known) return known;
    const e = byKey.get(key);
    if (!e) return Promise.resolve(undefined); // not applicable here: its key stays absent
    if (starting.has(key)) throw new Error(`posture checks wait for each other: ${[...starting, key].join(' → ')}`);
    starting.add(key);
    const x = inputOf(e);
    const p = io.guard(key, e.needs?.length ? depsOf(e.needs).then((d) => e.run(x, d)) : attempt(() => e.run(x, NONE)));
    starting.delete(key);
    first.set(key, p);
    return p;
  };
  const depsOf = (needs: readonly string[]): Promise<Deps> => {
    // The first results of checks this one needs, never its own (its own is the entry's to wait for, in a stage).
    const own = needs.map((k) => (starting.has(k) ? Promise.resolve(undefined) : firstOf(k)));
    return Promise.all(own).then((values) => {
      const d: Record<string, unknown> = {};
      needs.forEach((k, i) => (d[k] = values[i]));
      return d;
    });
  };

  for (const e of active) firstOf(e.key);
  const alongside = new Map<string, Promise<unknown>>();
  for (const e of active) {
    const a = e.alongside;
    if (a)
      alongside.set(
        e.key,
        io.guard(
          e.key,
          depsOf(a.needs).then((d) => a.run(inputOf(e), d)),
        ),
      );
  }
  const [values] = await Promise.all([Promise.all(active.map((e) => first.get(e.key))), ...alongside.values()]);

  // First results in registry order (the order of `checks`), then each amended by its finish.
  const firsts: Record<string, unknown> = {};
  const checks: Record<string, unknown> = {};
  active.forEach((e, i) => (firsts[e.key] = checks[e.key] = values[i]));
  for (const e of active) {
    const r = firsts[e.key];
    if (!e.finish || !r) continue;
    const d: Record<string, unknown> = {};
    for (const k of e.finish.needs) d[k] = firsts[k];
    const more = e.alongside ? await alongside.get(e.key) : undefined;
    let done: unknown;
    try {
      done = e.finish.run(r, inputOf(e), d, more);
    } catch (err) {
      io.error(e.key, err);
      continue;
    }
    // A promise (e.g. TLS handshakes) races the budget; on failure or timeout the first result stays.
    if (done instanceof Promise) done = (await io.guard(e.key, done)) ?? r;
    checks[e.key] = done;
  }
  // Last, what reads every finished result.
  for (const e of active) {
    const r = checks[e.key];
    if (e.settle && r) checks[e.key] = e.settle(r, { domain, answers: () => io.answers(checks as PostureChecks) });
  }
  return checks as PostureChecks;
}

/** The promise of f(), or its synchronous throw as a rejection (so guard() reports it like any other). */
function attempt<T>(f: () => Promise<T>): Promise<T> {
  try {
    return f();
  } catch (e) {
    return Promise.reject(e);
  }
}
