// budget.ts on its own: the budget resolver releases pending lookups at once, expiry() fires a grace period after
// the budget runs out (never before), and a check raced against it (as checkPosture does) gives its value when it
// comes in time.
import { describe, expect, it } from 'vitest';
import { budgetResolver, expiry } from '../../../src/posture/budget.js';
import type { Resolver } from '../../../src/dns/types.js';

const never: Resolver = { lookup: () => new Promise(() => {}) };
const settled = <T>(p: Promise<T>) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]);

describe('budget', () => {
  it('expiry() resolves null graceMs after the abort, not before; at once plus grace when already aborted', async () => {
    const ac = new AbortController();
    const e = expiry(ac.signal, 40);
    await new Promise((r) => setTimeout(r, 60));
    expect(await settled(e)).toBe(false);
    const start = performance.now();
    ac.abort();
    expect(await e).toBeNull();
    expect(performance.now() - start).toBeGreaterThanOrEqual(35);
    expect(await expiry(ac.signal, 10)).toBeNull();
  });

  it('budgetResolver releases every pending lookup as "timeout" when the budget runs out, and answers new ones at once', async () => {
    const ac = new AbortController();
    const r = budgetResolver(never, ac.signal);
    const pending: Promise<unknown>[] = [r.lookup('a.test', 'A'), r.lookup('b.test', 'MX')];
    expect(await settled(pending[0]!)).toBe(false);
    ac.abort();
    for (const l of await Promise.all(pending)) expect(l).toMatchObject({ status: 'timeout', server: 'budget' });
    expect(await r.lookup('c.test', 'A')).toMatchObject({ status: 'timeout', server: 'budget' });
  });

  it('a check raced against expiry() gives the value that comes in time, and null after the signal and grace', async () => {
    const ac = new AbortController();
    const expired = expiry(ac.signal, 10);
    expect(await Promise.race([Promise.resolve(7), expired])).toBe(7);
    const slow = Promise.race([new Promise(() => {}), expired]);
    ac.abort();
    expect(await slow).toBeNull();
  });
});
