// How many processes verify and with which V8 flags (src/verify/prestart.ts), and what a helper is sent (pool.ts).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { batchSize } from '../../../src/verify/pool.js';
import { HELPER_THRESHOLD, threadsFor, v8FlagsFor } from '../../../src/verify/prestart.js';

describe('verify pool sizing', () => {
  it('one process below the helper threshold, one per core above it, never more than messages', () => {
    expect(threadsFor(HELPER_THRESHOLD - 1)).toBe(1);
    expect(threadsFor(HELPER_THRESHOLD)).toBe(Math.min(availableParallelism(), HELPER_THRESHOLD));
    expect(threadsFor(3, 8)).toBe(3);
    expect(threadsFor(1000, 1)).toBe(1);
  });

  it('short runs go without the optimizing compiler, long ones keep it', () => {
    expect(v8FlagsFor(1)).toEqual(['--no-opt']);
    expect(v8FlagsFor(9_999)).toEqual(['--no-opt']);
    expect(v8FlagsFor(10_000)).toEqual([]);
  });
});

describe('what a helper is sent', () => {
  it('whole batches of 8 up to 24 held while the queue is long', () => {
    expect(batchSize(1000, 0)).toBe(8);
    expect(batchSize(1000, 16)).toBe(8);
    expect(batchSize(1000, 17)).toBe(0); // 7 would fit: wait for a whole batch
    expect(batchSize(1000, 24)).toBe(0);
  });

  it('near the end, no more held than is left for all, and at least one task to work on', () => {
    expect(batchSize(10, 0)).toBe(8);
    expect(batchSize(10, 4)).toBe(6);
    expect(batchSize(10, 10)).toBe(0);
    expect(batchSize(3, 1)).toBe(2);
    expect(batchSize(1, 0)).toBe(1);
    expect(batchSize(1, 1)).toBe(1); // MIN_HELD: the next one travels while this one is worked on
    expect(batchSize(1, 2)).toBe(0);
    expect(batchSize(0, 0)).toBe(0);
  });

  it('never more than is left, and never beyond the window, for any state', () => {
    for (let rest = 0; rest < 60; rest++)
      for (let held = 0; held <= 24; held++) {
        const n = batchSize(rest, held);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(Math.min(8, rest));
        if (n) expect(held + n).toBeLessThanOrEqual(Math.min(24, Math.max(2, rest)));
        // Something is always in flight or sent while tasks are left: the run cannot stall.
        if (rest > 0 && held === 0) expect(n).toBeGreaterThan(0);
      }
  });
});
