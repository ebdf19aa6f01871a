// Results by a short text value, bounded: a sender's From: (and a list's To:) comes message after message, and a
// parse costs a few µs where receive's and verify's short runs leave it unoptimized. The key is copied out of the
// message first (detached): a header value is a view into its whole header section, a stranger's megabytes.
import { detached } from './text.js';

/** Values up to this long are kept, this many of them (all dropped at once when full). */
const MAX_VALUE = 256;
const MAX_ENTRIES = 512;

/** `compute` by value; `keep` makes what is kept independent of the message too (e.g. texts quoting the value). */
export function valueCache<V>(compute: (value: string) => V, keep: (v: V) => V = (v) => v): (value: string) => V {
  const cache = new Map<string, V>();
  return (value) => {
    if (value.length > MAX_VALUE) return compute(value);
    let v = cache.get(value);
    if (v === undefined) {
      v = keep(compute(value));
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(detached(value), v);
    }
    return v;
  };
}
