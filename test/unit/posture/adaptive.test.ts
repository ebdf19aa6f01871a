// Adaptive batch concurrency: the controller's step, its timer with a given utilization, and runBatch honouring
// a limit that changes while the batch runs.
import { describe, expect, it } from 'vitest';
import { adaptiveConcurrency, nextLimit } from '../../../src/posture/adaptive.js';
import { runBatch } from '../../../src/posture/batch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('nextLimit', () => {
  it('a saturated loop takes domains out of flight, down to the minimum', () => {
    expect(nextLimit(64, 0.99, 4, 64)).toBe(51);
    expect(nextLimit(5, 1, 4, 64)).toBe(4);
    expect(nextLimit(4, 1, 4, 64)).toBe(4);
  });

  it('a loop waiting for the network lets more in, up to the maximum', () => {
    expect(nextLimit(8, 0.2, 4, 64)).toBe(10);
    expect(nextLimit(60, 0, 4, 64)).toBe(64);
  });

  it('between the two marks it holds', () => {
    expect(nextLimit(16, 0.9, 4, 64)).toBe(16);
  });

  it('crosses the whole range within a couple of seconds of 100 ms steps', () => {
    let up = 4;
    let steps = 0;
    while (up < 64) {
      up = nextLimit(up, 0.1, 4, 64);
      steps++;
    }
    expect(steps).toBeLessThanOrEqual(14);
    let down = 64;
    steps = 0;
    while (down > 4) {
      down = nextLimit(down, 1, 4, 64);
      steps++;
    }
    expect(steps).toBeLessThanOrEqual(14);
  });
});

describe('adaptiveConcurrency', () => {
  it('follows the utilization it is given, within min and max', async () => {
    let u = 0;
    const level = adaptiveConcurrency(20, { start: 8, intervalMs: 5, utilization: () => u });
    try {
      await sleep(120);
      expect(level.limit()).toBe(20);
      u = 1;
      await sleep(200);
      expect(level.limit()).toBe(4);
    } finally {
      level.stop();
    }
  });

  it('never starts above a small maximum, and never goes below it as a minimum', () => {
    const level = adaptiveConcurrency(2, { utilization: () => 1 });
    expect(level.limit()).toBe(2);
    level.stop();
  });
});

describe('runBatch with a changing limit', () => {
  it('starts no more work than the limit allows at the time, and all of it completes in order', async () => {
    let limit = 2;
    let running = 0;
    const peaks: number[] = [];
    const inputs = Array.from({ length: 30 }, (_, i) => i);
    const out: number[] = [];
    for await (const item of runBatch((async function* () { yield* inputs; })(), async (n) => {
      running++;
      peaks[n] = running;
      await sleep(3);
      running--;
      // Halfway through, the controller lets more in.
      if (n === 10) limit = 6;
      return n;
    }, { concurrency: 8, order: 'input', limit: () => limit })) out.push(item.result);
    expect(out).toEqual(inputs);
    expect(Math.max(...peaks.slice(0, 10))).toBeLessThanOrEqual(2);
    expect(Math.max(...peaks.slice(15))).toBeGreaterThan(2);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(6);
  });
});
