// checkPosture end to end in memory: the fixture zones, a real HTTPS policy host, the contract shape, the three
// outcomes, and the per-domain time budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPosture, invalidInput, withoutSteps } from '../../../src/posture/check.js';
import type { Step } from '../../../src/core/result.js';
import type { Lookup, Resolver } from '../../../src/dns/types.js';
import { GOOD_POLICY, postureFixture, type PostureFixture } from './fixture.js';

let fx: PostureFixture;
beforeAll(async () => {
  fx = await postureFixture();
});
afterAll(() => fx?.close());

const opts = () => ({ selectors: ['s1'], ca: [fx.ca.caPem], mtaStsPort: fx.https.port, allowPrivate: true });
const verdicts = (r: { summary: { check: string; verdict: string }[] }) =>
  Object.fromEntries(r.summary.map((s) => [s.check, s.verdict]));

describe('checkPosture', () => {
  it('passes a domain that is set up right, with every check nested as its own result', async () => {
    const r = await checkPosture('posture.test', fx.ctx(), opts());
    expect(r.ok).toBe(true);
    expect(Object.keys(r.checks)).toEqual(['mx', 'spf', 'dkim', 'dmarc', 'mtaSts', 'tlsRpt', 'bimi', 'dnssec', 'dane']);
    expect(r.checks).toMatchObject({
      mx: { kind: 'mx', domain: 'posture.test', nullMx: false },
      spf: { kind: 'spf', record: 'v=spf1 mx include:_spf.posture.test -all', lookups: 2 },
      dkim: { kind: 'dkim', selectors: [{ selector: 's1', found: true, keyType: 'rsa', keyBits: 2048 }] },
      dmarc: { kind: 'dmarc', policy: 'reject' },
      mtaSts: { kind: 'mta-sts', mode: 'enforce', id: '20261129T000000' },
      tlsRpt: { kind: 'tls-rpt', rua: ['mailto:tls-reports@posture.test'] },
      bimi: { kind: 'bimi', location: 'https://bimi.posture.test/logo.svg' },
      dnssec: { kind: 'dnssec', source: 'zone' },
      dane: { kind: 'dane', applicable: true },
    });
    expect(new Set(Object.values(verdicts(r)))).toEqual(new Set(['pass']));
    expect(r.summary.find((s) => s.check === 'mtaSts')).toMatchObject({ state: 'pass', id: 'mta-sts.ok' });
    expect(r.summary.find((s) => s.check === 'dane')).toMatchObject({ state: 'info', id: 'dane.none' });
    // The flattened findings carry their check; every check's findings are there.
    expect(r.findings.filter((f) => f.check === 'dmarc').map((f) => f.id)).toEqual(
      r.checks.dmarc!.findings.map((f) => f.id),
    );
    expect(r.checks.dnssec!.answers!.total).toBeGreaterThan(10);
  });

  it('finds what is wrong with a weak domain, including what needs two checks at once', async () => {
    const r = await checkPosture('weak.posture.test', fx.ctx(), opts());
    expect(r.ok).toBe(false);
    expect(verdicts(r)).toMatchObject({ dkim: 'fail', mtaSts: 'fail', bimi: 'fail', spf: 'pass', dmarc: 'pass' });
    const ids = r.findings.map((f) => `${f.check}:${f.id}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'bimi:bimi.dmarc.not-enforced',
        'tlsRpt:tls-rpt.recommended',
        'mtaSts:mta-sts.policy.host-missing',
        'dmarc:dmarc.policy.none',
      ]),
    );
  });

  it('fails an enforce policy that does not list an MX host', async () => {
    const r = await checkPosture('stale.posture.test', fx.ctx(), opts());
    expect(r.findings.find((f) => f.id === 'mta-sts.mx.unmatched')).toMatchObject({
      check: 'mtaSts',
      severity: 'fail',
      message: expect.stringContaining('mx3.stale.posture.test'),
    });
  });

  it('keeps unknown apart from fail: a SERVFAIL on one name makes only that check unknown', async () => {
    const flaky: Resolver = {
      lookup: (name, type, o) =>
        name === '_smtp._tls.posture.test'
          ? Promise.resolve({ status: 'servfail', server: '192.0.2.1:53' } as Lookup<never>)
          : fx.resolver.lookup(name, type, o),
    };
    const r = await checkPosture('posture.test', fx.ctx(flaky), opts());
    expect(verdicts(r)).toMatchObject({ tlsRpt: 'unknown', dmarc: 'pass', mx: 'pass' });
    expect(r.ok).toBe(false);
    expect(r.findings.find((f) => f.check === 'tlsRpt')).toMatchObject({ temporary: true });
  });

  it('gives each domain a time budget: what hangs is reported unknown, quickly', async () => {
    // A resolver that never answers for _dmarc names, unless aborted.
    const hanging: Resolver = {
      lookup: (name, type, o) =>
        name.startsWith('_dmarc.')
          ? new Promise((resolve) =>
              o?.signal?.addEventListener('abort', () =>
                resolve({ status: 'timeout', server: 'test', error: 'aborted' } as Lookup<never>),
              ),
            )
          : fx.resolver.lookup(name, type, o),
    };
    const start = performance.now();
    const r = await checkPosture('posture.test', fx.ctx(hanging), { ...opts(), budgetMs: 300 });
    expect(performance.now() - start).toBeLessThan(2000);
    expect(verdicts(r)).toMatchObject({ dmarc: 'unknown', mx: 'pass', spf: 'pass' });
  });

  it('a lookup that never settles is released by the budget: that check is unknown', async () => {
    const deaf: Resolver = {
      lookup: (name, type, o) =>
        name.startsWith('_smtp._tls.') ? new Promise(() => {}) : fx.resolver.lookup(name, type, o),
    };
    const r = await checkPosture('posture.test', fx.ctx(deaf), { ...opts(), budgetMs: 200 });
    expect(r.findings.find((f) => f.check === 'tlsRpt')).toMatchObject({
      id: 'tls-rpt.lookup.temporary',
      temporary: true,
    });
    expect(r.summary.find((s) => s.check === 'tlsRpt')).toMatchObject({ verdict: 'unknown' });
  });

  it('a check stuck outside DNS (an HTTPS server that never answers) is cut off at the budget and named', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', () => ok()));
    try {
      const port = (silent.address() as { port: number }).port;
      const start = performance.now();
      const r = await checkPosture(
        'posture.test',
        { ...fx.ctx(), timeoutMs: 10_000 },
        { ...opts(), mtaStsPort: port, budgetMs: 300 },
      );
      expect(performance.now() - start).toBeLessThan(2000);
      expect(r.checks.mtaSts).toBeNull();
      expect(r.findings.find((f) => f.check === 'mtaSts')).toMatchObject({
        id: 'posture.budget.exceeded',
        temporary: true,
        message: expect.stringContaining('300 ms'),
      });
      expect(r.summary.find((s) => s.check === 'mtaSts')).toMatchObject({ verdict: 'unknown' });
      expect(r.summary.find((s) => s.check === 'mx')).toMatchObject({ verdict: 'pass' });
    } finally {
      silent.close();
    }
  });

  it('an internal error in one check becomes a finding, not a crash', async () => {
    const broken: Resolver = {
      lookup: (name, type, o) =>
        type === 'DS' ? Promise.reject(new Error('boom')) : fx.resolver.lookup(name, type, o),
    };
    const r = await checkPosture('posture.test', fx.ctx(broken), opts());
    expect(r.findings.find((f) => f.id === 'posture.check.error')).toMatchObject({
      check: 'dnssec',
      severity: 'fail',
      message: expect.stringContaining('boom'),
    });
    expect(verdicts(r)).toMatchObject({ mx: 'pass', dnssec: 'fail' });
  });

  it('--strict turns warnings into failures for ok', async () => {
    fx.https.routes.set('mta-sts.posture.test/.well-known/mta-sts.txt', {
      body: GOOD_POLICY.replace('604800', '3600'),
    });
    try {
      const lax = await checkPosture('posture.test', fx.ctx(), opts());
      expect(lax.ok).toBe(true);
      expect(lax.findings.map((f) => f.id)).toContain('mta-sts.max-age.short');
      expect((await checkPosture('posture.test', fx.ctx(), { ...opts(), strict: true })).ok).toBe(false);
    } finally {
      fx.https.routes.set('mta-sts.posture.test/.well-known/mta-sts.txt', { body: GOOD_POLICY });
    }
  });

  it('without steps (a streaming batch) it gives what withoutSteps makes of a full result, DNSSEC counts included', async () => {
    // A validated zone (DS with AD) whose address answers come without AD: dnssec.answers.unauthenticated names
    // them in the order the checks' steps had.
    const signed: Resolver = {
      async lookup(name, type, o) {
        if (name === 'posture.test' && type === 'DS')
          return {
            status: 'ok',
            records: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: '00' }],
            ttl: 300,
            cnames: [],
            aa: false,
            ad: true,
            server: '192.0.2.53:53',
          } as unknown as Lookup<never>;
        const a = await fx.resolver.lookup(name, type, o);
        return a.status === 'ok' ? { ...a, ad: type !== 'A' && type !== 'AAAA' } : a;
      },
    };
    const full = await checkPosture('posture.test', fx.ctx(signed), opts());
    const quiet = await checkPosture('posture.test', fx.ctx(signed), { ...opts(), steps: false });
    const json = (r: object) => JSON.stringify(withoutSteps(r as never), (k, v: unknown) => (k === 'ms' ? 0 : v));
    expect(json(quiet)).toBe(json(full));
    expect(full.findings.find((f) => f.id === 'dnssec.answers.unauthenticated')?.message).toMatch(
      /^\d+ of \d+ answers for posture\.test came without AD \(A mx1\.posture\.test, AAAA mx1\.posture\.test, /,
    );
    expect(quiet.checks.dnssec!.answers).toEqual(full.checks.dnssec!.answers);
    for (const c of Object.values(quiet.checks))
      expect((c?.steps as Step[] | undefined)?.filter((s) => s.kind === 'dns')).toEqual([]);
    expect(full.checks.mx!.steps.length).toBeGreaterThan(0);
  });

  it('withoutSteps drops the DNS logs only; invalidInput keeps a bad line in its place', async () => {
    const r = await checkPosture('posture.test', fx.ctx(), opts());
    const slim = withoutSteps(r);
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(r).length * 0.8);
    for (const c of Object.values(slim.checks)) expect(c).not.toHaveProperty('steps');
    expect(slim.checks.mx).toMatchObject({ domain: 'posture.test', mx: r.checks.mx!.mx });
    expect(invalidInput('bad..name', 'not a domain')).toMatchObject({
      domain: 'bad..name',
      ok: false,
      summary: [],
      findings: [{ id: 'posture.input.invalid', check: 'posture' }],
    });
  });
});
