// shard.ts: a stable split of a batch by a hash of each domain (FNV-1a of the lower-cased key, modulo N), the
// K/N syntax, and --shards N with a Kubernetes Indexed Job's JOB_COMPLETION_INDEX.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SHARDS, parseShard, shardFromIndex, shardOf } from '../../../src/posture/shard.js';
import { fuzz } from '../fuzz/settings.js';

describe('shardOf', () => {
  it('is FNV-1a (32-bit) of the lower-cased UTF-8 key, modulo N, from 1', () => {
    // The published FNV-1a 32 test vectors: "" = 0x811c9dc5, "a" = 0xe40c292c, "foobar" = 0xbf9cf968.
    expect(shardOf('', 0x7fffffff)).toBe((0x811c9dc5 % 0x7fffffff) + 1);
    expect(shardOf('a', 1000)).toBe((0xe40c292c % 1000) + 1);
    expect(shardOf('foobar', 7)).toBe((0xbf9cf968 % 7) + 1);
    expect(shardOf('EXAMPLE.com', 7)).toBe(shardOf('example.com', 7));
  });

  it('puts every key in exactly one shard of 1…N, whatever else is in the batch', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const s = shardOf(key, n);
        expect(Number.isInteger(s) && s >= 1 && s <= n).toBe(true);
        expect(shardOf(key, n)).toBe(s);
      }),
      fuzz(2000),
    );
  });

  it('spreads domains evenly: 100,000 names over 8 shards within 2% of an eighth each', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 100_000; i++) counts[shardOf(`d${i}.example`, 8) - 1]!++;
    for (const c of counts) expect(Math.abs(c - 12_500)).toBeLessThan(250);
  });
});

describe('parseShard and shardFromIndex', () => {
  it('reads K/N, and says what is wrong with anything else', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard('0/8')).toMatch(/from 1 to 8/);
    expect(parseShard('9/8')).toMatch(/from 1 to 8/);
    expect(parseShard('1/0')).toMatch(/from 1 to/);
    expect(parseShard(`1/${MAX_SHARDS + 1}`)).toMatch(/from 1 to 100000/);
    for (const bad of ['', '2', '2/', '/8', 'a/b', '2/8/1', '-1/8', '1.5/8']) expect(parseShard(bad)).toMatch(/K\/N/);
  });

  it('--shards N with JOB_COMPLETION_INDEX i is shard i+1 of N (the index is 0-based)', () => {
    expect(shardFromIndex('4', '0')).toEqual({ index: 1, count: 4 });
    expect(shardFromIndex('4', '3')).toEqual({ index: 4, count: 4 });
    expect(shardFromIndex('4', '4')).toMatch(/from 0 to 3/);
    expect(shardFromIndex('4', 'x')).toMatch(/from 0 to 3/);
    expect(shardFromIndex('4', undefined)).toMatch(/JOB_COMPLETION_INDEX/);
    expect(shardFromIndex('0', '0')).toMatch(/--shards/);
    expect(shardFromIndex('four', '0')).toMatch(/--shards/);
  });
});
