// runBatch: bounded concurrency, input order with a bounded reorder window, completion order, errors; readDomains.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readDomains, runBatch } from '../../../src/posture/batch.js';
import { addToStats, createBatchStats } from '../../../src/posture/batch-stats.js';
import { invalidInput } from '../../../src/posture/check.js';
import type { PostureResult } from '../../../src/posture/types.js';

async function* from<T>(items: T[], onRead?: (i: number) => void): AsyncGenerator<T> {
  for (let i = 0; i < items.length; i++) {
    onRead?.(i);
    yield items[i]!;
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runBatch', () => {
  it('keeps input order while running concurrently, and never exceeds the concurrency', async () => {
    let running = 0;
    let peak = 0;
    const inputs = Array.from({ length: 40 }, (_, i) => i);
    const out: number[] = [];
    const start = performance.now();
    for await (const item of runBatch(
      from(inputs),
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(n % 3 === 0 ? 30 : 5);
        running--;
        return n * 2;
      },
      { concurrency: 8, order: 'input' },
    )) {
      out.push(item.result);
      expect(item.result).toBe(item.input * 2);
    }
    expect(out).toEqual(inputs.map((n) => n * 2));
    expect(peak).toBe(8);
    // Sequential would take ~530 ms.
    expect(performance.now() - start).toBeLessThan(300);
  });

  it('in completion order, a slow domain does not hold back the others', async () => {
    const out: string[] = [];
    for await (const item of runBatch(
      from(['slow', 'a', 'b', 'c']),
      async (s) => {
        await sleep(s === 'slow' ? 80 : 5);
        return s;
      },
      { concurrency: 4, order: 'completion' },
    ))
      out.push(item.result);
    expect(out[out.length - 1]).toBe('slow');
    expect(out.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
  });

  it('in input order, reading stops at the window behind a stuck domain (memory stays bounded)', async () => {
    let read = 0;
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const gen = runBatch(
      from(
        Array.from({ length: 1000 }, (_, i) => i),
        () => read++,
      ),
      async (n) => {
        if (n === 0) await stuck;
        return n;
      },
      { concurrency: 4, order: 'input', window: 16 },
    );
    const first = gen.next();
    await sleep(50);
    expect(read).toBeLessThanOrEqual(17);
    release();
    expect((await first).value).toMatchObject({ index: 0 });
    let n = 1;
    for await (const item of gen) expect(item.index).toBe(n++);
    expect(n).toBe(1000);
  });

  it('rethrows a failure of the work (a bug), after letting the rest settle', async () => {
    const run = async () => {
      const results = runBatch(
        from([1, 2, 3]),
        async (n) => {
          if (n === 2) throw new Error('bug');
          return n;
        },
        { concurrency: 2, order: 'input' },
      );
      while (!(await results.next()).done);
    };
    await expect(run()).rejects.toThrow('bug');
  });

  it('handles an empty input', async () => {
    const out = [];
    for await (const item of runBatch(from([]), async (x) => x, { concurrency: 4, order: 'input' })) out.push(item);
    expect(out).toEqual([]);
  });
});

describe('readDomains', () => {
  it('skips blank lines and comments, trims, and reads CRLF files', async () => {
    const out: string[] = [];
    for await (const d of readDomains(
      Readable.from([
        '# header\r\n',
        'example.com\r\n',
        '\r\n',
        '  b.example  # trailing comment\n',
        '#c.example\n',
        'c.example',
      ]),
    ))
      out.push(d);
    expect(out).toEqual(['example.com', 'b.example', 'c.example']);
  });
});

describe('batch stats', () => {
  it('counts domains by outcome and checks by verdict, without keeping results', () => {
    const s = createBatchStats();
    const result = (verdicts: Record<string, 'pass' | 'fail' | 'unknown'>, ok = false): PostureResult => ({
      kind: 'posture',
      domain: 'x',
      ok,
      checks: {} as never,
      ms: 1,
      summary: Object.entries(verdicts).map(([check, verdict]) => ({
        check: check as never,
        verdict,
        severity: 'ok',
        state: verdict === 'pass' ? 'pass' : verdict,
        reason: '',
        id: null,
      })),
      findings: verdicts.mx === 'fail' ? [{ id: 'mx.none', severity: 'fail', message: '', check: 'mx' }] : [],
    });
    addToStats(s, result({ mx: 'pass', spf: 'pass' }, true));
    addToStats(s, result({ mx: 'fail', spf: 'unknown' }));
    addToStats(s, result({ mx: 'pass', spf: 'unknown' }));
    addToStats(s, invalidInput('bad..x', 'not a domain'));
    expect(s).toMatchObject({
      domains: 4,
      ok: 1,
      failed: 1,
      unknown: 1,
      invalid: 1,
      perCheck: { mx: { pass: 2, fail: 1, unknown: 0 }, spf: { pass: 1, fail: 0, unknown: 2 } },
      failures: { 'mx.none': 1 },
    });
  });
});
