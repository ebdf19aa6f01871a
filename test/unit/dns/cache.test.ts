// cached(): one query for identical questions in flight, TTL expiry on an injected clock, negative caching,
// temporary failures kept briefly (RFC 9520), bounded size, and aborts that only cancel what nobody waits for.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cached } from '../../../src/dns/cache.js';
import { networkResolver } from '../../../src/dns/network.js';
import type { Lookup, LookupOptions, Resolver } from '../../../src/dns/types.js';
import { startTestDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';

/** A scripted inner resolver: answers by name, after `delay` ms, counting calls and keeping the signals it got. */
function fake(answers: Record<string, Lookup<unknown>>, delay = 10) {
  const calls: { name: string; type: string; signal?: AbortSignal }[] = [];
  const resolver: Resolver = {
    lookup: async (name: string, type: string, o?: LookupOptions) => {
      calls.push({ name, type, signal: o?.signal });
      await new Promise((r) => setTimeout(r, delay));
      const a = answers[name];
      if (!a) throw new Error(`unexpected ${name}`);
      return a as never;
    },
  };
  return { resolver, calls };
}
const ok = (ttl: number): Lookup<unknown> => ({
  status: 'ok',
  records: ['192.0.2.1'],
  ttl,
  server: 's',
  cnames: [],
  aa: false,
  ad: false,
});
const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (s: number) => (t += s * 1000) };
};

describe('cached', () => {
  it('N concurrent identical questions make one query, and all get its answer', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(60) });
    const c = cached(resolver);
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => c.lookup(i % 2 ? 'A.test.' : 'a.test', 'A')));
    expect(calls).toHaveLength(1);
    expect(new Set(all.map((a) => a.status))).toEqual(new Set(['ok']));
  });

  it('keeps a positive answer for its TTL, then asks again', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(60) });
    const t = clock();
    const c = cached(resolver, { now: t.now });
    await c.lookup('a.test', 'A');
    t.advance(59);
    await c.lookup('a.test', 'A');
    expect(calls).toHaveLength(1);
    t.advance(2);
    await c.lookup('a.test', 'A');
    expect(calls).toHaveLength(2);
  });

  it('a TTL of 0 is never kept', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(0) });
    const c = cached(resolver);
    await c.lookup('a.test', 'A');
    await c.lookup('a.test', 'A');
    expect(calls).toHaveLength(2);
  });

  it('keeps negative answers for the negative TTL the resolver attached, else 300 s', async () => {
    const { resolver, calls } = fake({
      'soa.test': { status: 'nxdomain', server: 's', cnames: [], aa: true, ad: false, ttl: 30 } as Lookup<unknown>,
      'nosoa.test': { status: 'nodata', server: 's', cnames: [], aa: true, ad: false },
    });
    const t = clock();
    const c = cached(resolver, { now: t.now });
    await c.lookup('soa.test', 'A');
    await c.lookup('nosoa.test', 'A');
    t.advance(29);
    await c.lookup('soa.test', 'A');
    await c.lookup('nosoa.test', 'A');
    expect(calls).toHaveLength(2);
    t.advance(2);
    await c.lookup('soa.test', 'A');
    expect(calls).toHaveLength(3);
    t.advance(270);
    await c.lookup('nosoa.test', 'A');
    expect(calls).toHaveLength(4);
  });

  it('keeps a temporary failure for failureTtl only (RFC 9520 §3.2): no second timeout right after the first', async () => {
    const { resolver, calls } = fake({ 'a.test': { status: 'timeout', server: 's', error: 'no reply within 5 ms' } });
    const t = clock();
    const c = cached(resolver, { now: t.now });
    await c.lookup('a.test', 'A');
    expect(await c.lookup('a.test', 'A')).toMatchObject({ status: 'timeout' });
    expect(calls).toHaveLength(1);
    t.advance(2.1);
    await c.lookup('a.test', 'A');
    expect(calls).toHaveLength(2);
  });

  it('does not keep the outcome of a query it cancelled (nobody waited any more)', async () => {
    const calls: AbortSignal[] = [];
    const resolver: Resolver = {
      lookup: (_n: string, _t: string, o?: LookupOptions) =>
        new Promise((resolve) => {
          calls.push(o!.signal!);
          o!.signal!.addEventListener('abort', () =>
            resolve({ status: 'timeout', server: 's', error: 'aborted' } as never),
          );
        }),
    };
    const c = cached(resolver);
    const ac = new AbortController();
    const p = c.lookup('a.test', 'A', { signal: ac.signal });
    ac.abort();
    await p;
    await new Promise((r) => setTimeout(r, 5));
    void c.lookup('a.test', 'A', { signal: new AbortController().signal });
    expect(calls).toHaveLength(2);
  });

  it('different types and noFollow are different questions', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(60) });
    const c = cached(resolver);
    await Promise.all([
      c.lookup('a.test', 'A'),
      c.lookup('a.test', 'AAAA'),
      c.lookup('a.test', 'A', { noFollow: true }),
    ]);
    expect(calls).toHaveLength(3);
  });

  it('drops the least recently used entry beyond maxEntries', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(60), 'b.test': ok(60), 'c.test': ok(60) });
    const c = cached(resolver, { maxEntries: 2 });
    await c.lookup('a.test', 'A');
    await c.lookup('b.test', 'A');
    await c.lookup('a.test', 'A'); // a is now the most recent
    await c.lookup('c.test', 'A'); // evicts b
    expect(c.size).toBe(2);
    await c.lookup('a.test', 'A');
    expect(calls.map((x) => x.name)).toEqual(['a.test', 'b.test', 'c.test']);
    await c.lookup('b.test', 'A');
    expect(calls).toHaveLength(4);
  });

  it('evicts exactly like a reference LRU over any sequence of questions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 60 }),
        async (max, seq) => {
          const answers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i}.test`, ok(60)]));
          const { resolver, calls } = fake(answers, 0);
          const c = cached(resolver, { maxEntries: max });
          const model: string[] = [];
          let misses = 0;
          for (const i of seq) {
            const name = `n${i}.test`;
            const at = model.indexOf(name);
            if (at >= 0) model.splice(at, 1);
            else misses++;
            model.push(name);
            if (model.length > max) model.shift();
            await c.lookup(name, 'A');
          }
          expect(calls).toHaveLength(misses);
          expect(c.size).toBe(model.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one caller aborting does not cancel the query for the others; the last one does', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(60) }, 100);
    const c = cached(resolver);
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const p1 = c.lookup('a.test', 'A', { signal: ac1.signal });
    const p2 = c.lookup('a.test', 'A');
    ac1.abort();
    expect(await p1).toMatchObject({ status: 'timeout', error: 'aborted' });
    expect(await p2).toMatchObject({ status: 'ok' });
    expect(calls[0]!.signal!.aborted).toBe(false);

    c.clear();
    const p3 = c.lookup('a.test', 'A', { signal: ac2.signal });
    ac2.abort();
    await p3;
    expect(calls[1]!.signal!.aborted).toBe(true);
  });

  it('a query whose first caller has no signal gets none (nobody could cancel it); later callers may still leave', async () => {
    const { resolver, calls } = fake({ 'a.test': ok(60) }, 50);
    const c = cached(resolver);
    const ac = new AbortController();
    const p1 = c.lookup('a.test', 'A');
    const p2 = c.lookup('a.test', 'A', { signal: ac.signal });
    ac.abort();
    expect(await p2).toMatchObject({ status: 'timeout', error: 'aborted' });
    expect(await p1).toMatchObject({ status: 'ok' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal).toBeUndefined();
  });

  it('a name with and without the trailing dot, in any case, is one question', async () => {
    const { resolver, calls } = fake({ 'A.test.': ok(60) });
    const c = cached(resolver);
    await c.lookup('A.test.', 'A');
    await c.lookup('a.TEST', 'A');
    expect(calls).toHaveLength(1);
  });

  it('an inner exception reaches every waiter and is not kept', async () => {
    const { resolver, calls } = fake({});
    const c = cached(resolver);
    await expect(Promise.all([c.lookup('x.test', 'A'), c.lookup('x.test', 'A')])).rejects.toThrow(/unexpected/);
    await expect(c.lookup('x.test', 'A')).rejects.toThrow();
    expect(calls).toHaveLength(2);
  });
});

describe('cached over the network', () => {
  let s: TestDnsServer;
  afterAll(() => s.close());
  it('N concurrent lookups reach the server once', async () => {
    s = await startTestDnsServer({
      zone: '$ORIGIN c.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\nwww A 192.0.2.1\n',
      mode: 'slow:30',
    });
    const c = cached(networkResolver({ servers: [s.address], timeoutMs: 500 }));
    const all = await Promise.all(Array.from({ length: 8 }, () => c.lookup('www.c.test', 'A')));
    expect(all.every((a) => a.status === 'ok')).toBe(true);
    expect(s.count('www.c.test', 'A')).toBe(1);
    await c.lookup('www.c.test', 'A');
    expect(s.count('www.c.test', 'A')).toBe(1);
  });
});
