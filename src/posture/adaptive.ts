// Batch concurrency that finds its own level: as many domains in flight as keep this process busy, and no more.
// Against a resolver across a network a domain mostly waits for answers, the event loop idles, and the limit
// climbs to the maximum. Against a resolver on the same machine the checks are CPU-bound: more domains in flight
// then only add live objects for the garbage collector to trace (bench/batch.mjs, 10,000 domains: 627 domains/s
// and ~200 MB at a fixed 64, 810–874 and ~150 MB at 16), so the limit comes down while the loop is saturated.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface ConcurrencyLimit {
  /** Domains that may be in flight now. */
  limit(): number;
  /** Resolves when the limit next goes up: a batch whose domains all hang (a silent server) must not wait for one
   *  of them to finish before it starts more. A new promise per call, so waiters that lost a race are collected. */
  raised(): Promise<void>;
  stop(): void;
}

export interface AdaptiveOptions {
  /** Never fewer in flight than this (default 4, or max when smaller). */
  min?: number;
  /** Where to start (default 8). */
  start?: number;
  /** How often to look at the event loop (ms, default 100). */
  intervalMs?: number;
  /** Event-loop utilization since the last call, 0–1 (default: node:perf_hooks'; tests pass their own). */
  utilization?: () => number;
}

/** Above this share of busy time the loop is saturated: fewer domains in flight. */
const SATURATED = 0.95;
/** Below it the loop waits for the network: more. */
const WAITING = 0.85;

/** One step of the controller: multiplicative both ways, so it crosses 4…64 in a second or two. Pure. */
export function nextLimit(limit: number, utilization: number, min: number, max: number): number {
  if (utilization > SATURATED) return Math.max(min, Math.floor(limit * 0.8));
  if (utilization < WAITING) return Math.min(max, Math.ceil(limit * 1.25));
  return limit;
}

export function adaptiveConcurrency(max: number, o: AdaptiveOptions = {}): ConcurrencyLimit {
  const min = Math.min(max, o.min ?? 4);
  let limit = Math.max(min, Math.min(max, o.start ?? 8));
  let last: EventLoopUtilization | undefined;
  const utilization =
    o.utilization ??
    (() => {
      const now = performance.eventLoopUtilization();
      const u = last ? performance.eventLoopUtilization(now, last).utilization : 0;
      last = now;
      return u;
    });
  let wake: (() => void) | undefined;
  utilization();
  const timer = setInterval(() => {
    const next = nextLimit(limit, utilization(), min, max);
    if (next > limit) {
      wake?.();
      wake = undefined;
    }
    limit = next;
  }, o.intervalMs ?? 100);
  // A batch ends when its last domain does, not when this timer says so.
  timer.unref();
  return {
    limit: () => limit,
    raised: () => new Promise<void>((resolve) => (wake = resolve)),
    stop: () => clearInterval(timer),
  };
}
