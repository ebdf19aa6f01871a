// A per-domain time budget: once it runs out, every lookup still pending and every new one answers "timeout" at
// once, so each check winds down by itself and reports unknown. One slow domain cannot stall a batch.
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from '../dns/types.js';

type Release = (l: Lookup<never>) => void;

const EXPIRED = { status: 'timeout', server: 'budget', error: "the domain's time budget ran out" } as const;

/**
 * One listener on the budget signal releases every pending lookup (instead of one AbortSignal per lookup, which
 * costs more than the lookup itself at batch rates). Each lookup is one promise settled by whichever comes first,
 * its answer or the release; releasing one already settled does nothing, so nobody keeps track of which are
 * still pending. The query behind a released lookup still ends by its own timeout; nobody waits for it.
 */
export function budgetResolver(inner: Resolver, signal: AbortSignal): Resolver {
  let releases: Release[] = [];
  signal.addEventListener(
    'abort',
    () => {
      for (const release of releases) release(EXPIRED as Lookup<never>);
      releases = [];
    },
    { once: true },
  );
  return {
    lookup<T extends RRType>(name: string, type: T, o?: LookupOptions): Promise<Lookup<RecordOf<T>>> {
      if (signal.aborted) return Promise.resolve(EXPIRED as Lookup<RecordOf<T>>);
      return new Promise((resolve, reject) => {
        releases.push(resolve as Release);
        inner.lookup(name, type, o).then(resolve, reject);
      });
    },
  };
}

/**
 * Resolves with `null` `graceMs` after the signal fires. One per domain, raced by each of its checks: one listener
 * instead of an add and a remove per check (EventTarget listeners are slow enough to show in a batch profile).
 */
export function expiry(signal: AbortSignal, graceMs: number): Promise<null> {
  return new Promise((resolve) => {
    const start = () => void setTimeout(() => resolve(null), graceMs);
    if (signal.aborted) start();
    else signal.addEventListener('abort', start, { once: true });
  });
}
