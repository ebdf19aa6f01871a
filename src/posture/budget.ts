// A per-domain time budget: once it runs out, every lookup still pending and every new one answers "timeout" at
// once, so each check winds down by itself and reports unknown. One slow domain cannot stall a batch.
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from '../dns/types.js';

type Pending = (l: Lookup<never>) => void;

const EXPIRED = { status: 'timeout', server: 'budget', error: "the domain's time budget ran out" } as const;

/**
 * One listener on the budget signal releases every pending lookup (instead of one AbortSignal per lookup, which
 * costs more than the lookup itself at batch rates). The query behind a released lookup still ends by its own
 * timeout; nobody waits for it.
 */
export function budgetResolver(inner: Resolver, signal: AbortSignal): Resolver {
  const pending = new Set<Pending>();
  signal.addEventListener(
    'abort',
    () => {
      for (const release of pending) release(EXPIRED as Lookup<never>);
      pending.clear();
    },
    { once: true },
  );
  return {
    lookup<T extends RRType>(name: string, type: T, o?: LookupOptions): Promise<Lookup<RecordOf<T>>> {
      if (signal.aborted) return Promise.resolve(EXPIRED as Lookup<RecordOf<T>>);
      return new Promise((resolve, reject) => {
        const release: Pending = (l) => resolve(l as Lookup<RecordOf<T>>);
        pending.add(release);
        inner.lookup(name, type, o).then(
          (l) => {
            pending.delete(release);
            resolve(l);
          },
          (e: unknown) => {
            pending.delete(release);
            reject(e);
          },
        );
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
