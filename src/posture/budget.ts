// A per-domain time budget: once it runs out, queries in flight are aborted and new ones answer "timeout" at once,
// so every check winds down by itself and reports unknown. One slow domain cannot stall a batch.
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from '../dns/types.js';

export function budgetResolver(inner: Resolver, signal: AbortSignal): Resolver {
  return {
    lookup<T extends RRType>(name: string, type: T, o: LookupOptions = {}): Promise<Lookup<RecordOf<T>>> {
      if (signal.aborted) return Promise.resolve({ status: 'timeout', server: 'budget', error: "the domain's time budget ran out" });
      return inner.lookup(name, type, { ...o, signal: o.signal ? AbortSignal.any([o.signal, signal]) : signal });
    },
  };
}

/** Resolves with the value, or with `null` once the signal fires (plus `graceMs` for work that is winding down). */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | null> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve(null), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
