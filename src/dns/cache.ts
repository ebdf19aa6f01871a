// A caching, de-duplicating Resolver decorator: answers kept for their TTL (RFC 1035 §7.4), negative ones
// for the SOA-derived negative TTL (RFC 2308 §5), temporary failures briefly (RFC 9520 §3.2: a question that just
// timed out is not asked again at once); identical questions in flight share one query.
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from './types.js';
import { isTemporary } from './types.js';

export interface CacheOptions {
  /** Milliseconds clock (tests inject one). */
  now?: () => number;
  /** Answers kept at most (default 4096, ~550 bytes each). A batch needs ~19 per domain in flight, so the default
   *  holds every answer of ~200 concurrent domains; a bigger cache only makes the heap (and V8's slack) grow:
   *  at 10,000 entries a 10,000-domain batch peaked ~20 MB higher for no query saved. */
  maxEntries?: number;
  /** Negative TTL when the answer did not say (no SOA), and the cap on any negative TTL: RFC 2308 §5 allows a short default. */
  negativeTtl?: number;
  /** Upper bound on any positive TTL, in seconds (RFC 2181 §8 says TTLs are at most 2^31-1; one day is plenty for a CLI). */
  maxTtl?: number;
  /** Seconds a temporary failure (timeout, SERVFAIL…) is kept (default 2; RFC 9520 §3.2 asks for at least 1): long
   *  enough that a check asking a name again right after it failed (DANE after DNSSEC asks the MX once more) gets
   *  the failure at once instead of a second timeout, short enough that a batch retries a flaky name soon. */
  failureTtl?: number;
}

/** An entry is also a link in the recency list: `prev` is the less recently used neighbour. */
interface Entry {
  bucket: Bucket;
  name: string;
  value: Lookup<unknown>;
  expires: number;
  prev: Entry | undefined;
  next: Entry | undefined;
}
interface Flight {
  bucket: Bucket;
  name: string;
  promise: Promise<Lookup<unknown>>;
  controller: AbortController | undefined;
  waiters: number;
}
/** One question kind (type, and whether CNAMEs are followed): its answers and queries in flight by name. Keyed by
 *  the name string itself, whose hash V8 keeps with the string: a key built per lookup would be hashed anew each time. */
interface Bucket {
  entries: Map<string, Entry>;
  flights: Map<string, Flight>;
}

export interface CachedResolver extends Resolver {
  /** Entries currently held (expired ones are dropped lazily). */
  readonly size: number;
  clear(): void;
}

export function cached(inner: Resolver, opts: CacheOptions = {}): CachedResolver {
  const now = opts.now ?? Date.now;
  const maxEntries = Math.max(1, opts.maxEntries ?? 4096);
  const negativeCap = opts.negativeTtl ?? 300;
  const maxTtl = opts.maxTtl ?? 86_400;
  const failureTtl = opts.failureTtl ?? 2;
  // Least recently used order in a linked list beside the Map. (Evicting through the Map's own insertion order,
  // entries.keys().next(), walks over every deleted slot at the front of V8's table: ~7 µs per eviction at 10,000
  // entries, and a batch evicts on every new answer.)
  const buckets = new Map<string, Bucket>();
  const unfollowed = new Map<string, Bucket>();
  let size = 0;
  let oldest: Entry | undefined;
  let newest: Entry | undefined;

  function bucketOf(type: RRType, noFollow: boolean | undefined): Bucket {
    const m = noFollow ? unfollowed : buckets;
    let b = m.get(type);
    if (!b) m.set(type, (b = { entries: new Map(), flights: new Map() }));
    return b;
  }

  function unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else oldest = e.next;
    if (e.next) e.next.prev = e.prev;
    else newest = e.prev;
    e.prev = e.next = undefined;
  }

  function append(e: Entry): void {
    e.prev = newest;
    e.next = undefined;
    if (newest) newest.next = e;
    else oldest = e;
    newest = e;
  }

  function drop(e: Entry): void {
    unlink(e);
    e.bucket.entries.delete(e.name);
    size--;
  }

  function remember(bucket: Bucket, name: string, value: Lookup<unknown>): void {
    const seconds = isTemporary(value) ? failureTtl : ttlOf(value, negativeCap, maxTtl);
    if (seconds <= 0) return;
    const old = bucket.entries.get(name);
    if (old) drop(old);
    const e: Entry = { bucket, name, value, expires: now() + seconds * 1000, prev: undefined, next: undefined };
    bucket.entries.set(name, e);
    size++;
    append(e);
    while (size > maxEntries && oldest) drop(oldest);
  }

  // Not async: a hit is one resolved promise, a miss the shared query's own promise (an async function would wrap
  // each in another promise and two more turns of the microtask queue, on every one of a batch's lookups).
  function lookup<T extends RRType>(name: string, type: T, o: LookupOptions = {}): Promise<Lookup<RecordOf<T>>> {
    try {
      return lookupNow(name, type, o) as Promise<Lookup<RecordOf<T>>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  function lookupNow(name: string, type: RRType, o: LookupOptions): Promise<Lookup<unknown>> {
    const lower = name.toLowerCase();
    const key = lower.endsWith('.') ? lower.slice(0, -1) : lower;
    const bucket = bucketOf(type, o.noFollow);
    const hit = bucket.entries.get(key);
    if (hit) {
      if (hit.expires > now()) {
        if (hit !== newest) {
          unlink(hit);
          append(hit);
        }
        return Promise.resolve(hit.value);
      }
      drop(hit);
    }
    const flights = bucket.flights;
    let flight = flights.get(key);
    if (!flight) {
      // The shared query has its own signal: one caller giving up must not cancel it for the others. A first caller
      // without a signal waits to the end, so nothing could ever cancel the query: then it gets no signal at all
      // (an AbortController and its listeners per query are a measurable share of a batch's CPU).
      const controller = o.signal ? new AbortController() : undefined;
      const promise = inner.lookup(name, type, controller ? { ...o, signal: controller.signal } : o).then(
        (value) => {
          if (flights.get(key) === flight) flights.delete(key);
          // A query we cancelled (nobody waited any more) says nothing about the name.
          if (!controller?.signal.aborted) remember(bucket, key, value);
          return value as Lookup<unknown>;
        },
        (e: unknown) => {
          if (flights.get(key) === flight) flights.delete(key);
          throw e;
        },
      );
      flight = { bucket, name: key, promise, controller, waiters: 0 };
      flights.set(key, flight);
    }
    return join(flight, o.signal);
  }

  /** Waits for the shared query, or for the caller's signal; the query is aborted once nobody waits for it. */
  function join(flight: Flight, signal: AbortSignal | undefined): Promise<Lookup<unknown>> {
    flight.waiters++;
    if (!signal) return flight.promise;
    if (signal.aborted) return Promise.resolve(leave(flight));
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(leave(flight));
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  function leave(flight: Flight): Lookup<unknown> {
    if (--flight.waiters === 0) {
      flight.controller?.abort();
      // Let a later caller start afresh instead of joining a query that is being cancelled.
      if (flight.bucket.flights.get(flight.name) === flight) flight.bucket.flights.delete(flight.name);
    }
    return { status: 'timeout', server: 'cache', error: 'aborted' };
  }

  return {
    lookup,
    get size() {
      return size;
    },
    clear: () => {
      for (const m of [buckets, unfollowed]) for (const b of m.values()) b.entries.clear();
      size = 0;
      oldest = newest = undefined;
    },
  };
}

/** Seconds an answer may be kept: the answer's TTL for ok; for NXDOMAIN/NODATA the negative TTL the resolver attached, else the default. */
function ttlOf(value: Lookup<unknown>, negativeCap: number, maxTtl: number): number {
  if (value.status === 'ok') return Math.min(value.ttl, maxTtl);
  const attached = (value as { ttl?: unknown }).ttl;
  return typeof attached === 'number' ? Math.min(attached, negativeCap) : negativeCap;
}
