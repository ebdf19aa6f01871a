// How many processes verify, and with which V8 flags (src/verify/pool.ts).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HELPER_THRESHOLD, threadsFor, v8FlagsFor } from '../../../src/verify/pool.js';

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
