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
    for await (const item of runBatch(
      (async function* () {
        yield* inputs;
      })(),
      async (n) => {
        running++;
        peaks[n] = running;
        await sleep(3);
        running--;
        // Halfway through, the controller lets more in.
        if (n === 10) limit = 6;
        return n;
      },
      { concurrency: 8, order: 'input', limit: { limit: () => limit, raised: () => new Promise(() => {}) } },
    ))
      out.push(item.result);
    expect(out).toEqual(inputs);
    expect(Math.max(...peaks.slice(0, 10))).toBeLessThanOrEqual(2);
    expect(Math.max(...peaks.slice(15))).toBeGreaterThan(2);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(6);
  });

  it('starts more as soon as the limit goes up, without waiting for a hanging domain to finish', async () => {
    let limit = 1;
    let wake: () => void = () => {};
    const started: number[] = [];
    const t0 = performance.now();
    setTimeout(() => {
      limit = 3;
      wake();
    }, 20);
    const items = [];
    for await (const item of runBatch(
      (async function* () {
        yield* [0, 1, 2];
      })(),
      async (n) => {
        started[n] = performance.now() - t0;
        await sleep(n === 0 ? 300 : 5);
        return n;
      },
      {
        concurrency: 8,
        order: 'input',
        limit: { limit: () => limit, raised: () => new Promise<void>((r) => (wake = r)) },
      },
    ))
      items.push(item.result);
    expect(items).toEqual([0, 1, 2]);
    // Domains 1 and 2 began when the limit rose, not when domain 0 ended ~300 ms in.
    expect(started[1]).toBeLessThan(150);
    expect(started[2]).toBeLessThan(150);
  });

  it('the controller wakes a waiting batch when it raises the limit', async () => {
    let u = 1;
    const level = adaptiveConcurrency(16, { start: 4, min: 4, intervalMs: 5, utilization: () => u });
    try {
      const woke = level.raised().then(() => level.limit());
      await sleep(30);
      u = 0;
      expect(await woke).toBeGreaterThan(4);
    } finally {
      level.stop();
    }
  });
});
