// checkSpf over fixtures/zones/spf.test.zone (the zone knot serves in integration tests): one name per finding,
// the tree's costs and running totals, the contract's JSON fields, and temporary failures kept apart.
import { describe, expect, it } from 'vitest';
import { checkSpf } from '../../../../src/auth/spf/check.js';
import { lintSpf } from '../../../../src/auth/spf/lint.js';
import type { SpfTree, SpfTreeTerm } from '../../../../src/auth/spf/types.js';
import type { Context } from '../../../../src/core/context.js';
import type { Lookup, RRType, RecordOf, Resolver } from '../../../../src/dns/types.js';
import { fixtureResolver } from '../../../helpers/zones.js';

const zones = fixtureResolver(['spf.test.zone']);
const ctx = (resolver: Resolver = zones): Context => ({
  resolver,
  timeoutMs: 1000,
  now: () => new Date('2026-01-01T00:00:00Z'),
  onEvent: () => {},
});
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);

describe('checkSpf: one fixture name per finding', () => {
  it.each([
    ['spf.test', ['spf.record.valid', 'spf.all.fail', 'spf.lookups.ok']],
    ['none.spf.test', ['spf.record.none']],
    ['nonexistent.spf.test', ['spf.record.none']],
    ['lead.spf.test', ['spf.record.none', 'spf.record.ignored']],
    ['multiple.spf.test', ['spf.record.multiple']],
    ['syntax.spf.test', ['spf.record.syntax']],
    ['ctrl.spf.test', ['spf.record.syntax']],
    ['passall.spf.test', ['spf.all.pass']],
    ['neutralall.spf.test', ['spf.all.neutral']],
    ['noall.spf.test', ['spf.all.missing']],
    ['after.spf.test', ['spf.term.unreachable']],
    ['redirall.spf.test', ['spf.redirect.ignored']],
    ['ptr.spf.test', ['spf.ptr.used']],
    ['modifier.spf.test', ['spf.modifier.unknown']],
    ['brokeninclude.spf.test', ['spf.include.no-record']],
    ['loop.spf.test', ['spf.include.loop']],
    ['near.spf.test', ['spf.lookups.near-limit']],
    ['toomany.spf.test', ['spf.lookups.exceeded']],
    ['void1.spf.test', ['spf.void.present']],
    ['voids.spf.test', ['spf.void.exceeded']],
    ['mx11.spf.test', ['spf.mx.too-many']],
    ['long.spf.test', ['spf.record.too-long']],
    ['expbad.spf.test', ['spf.exp.unusable']],
    ['macro.spf.test', ['spf.macro.needs-ip']],
  ])('%s → %j', async (domain, expected) => {
    const r = await checkSpf({ domain }, ctx());
    expect(ids(r)).toEqual(expect.arrayContaining(expected));
    for (const f of r.findings) expect(f.id).toMatch(/^spf\.[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('the obsolete SPF RR type (99) is asked only on request (RFC 7208 §3.1, §14.1)', async () => {
    const asked: string[] = [];
    const counting: Resolver = { lookup: (name, type, o) => (asked.push(type), zones.lookup(name, type, o)) };
    const plain = await checkSpf({ domain: 'rrtype.spf.test' }, ctx(counting));
    expect(asked).not.toContain('SPF');
    expect(ids(plain)).toContain('spf.record.valid');
    expect(ids(plain)).not.toContain('spf.rr-type.spf');
    expect(plain).not.toHaveProperty('spfRrType');
    const audited = await checkSpf({ domain: 'rrtype.spf.test' }, ctx(counting), { spfRrType: true });
    expect(asked).toContain('SPF');
    expect(ids(audited)).toEqual(expect.arrayContaining(['spf.record.valid', 'spf.rr-type.spf']));
  });

  it('a healthy record is only ok findings and no others', async () => {
    const r = await checkSpf({ domain: 'spf.test' }, ctx());
    expect(r.findings.every((f) => f.severity === 'ok')).toBe(true);
    expect(ids(await checkSpf({ domain: 'redir.spf.test' }, ctx()))).not.toContain('spf.all.missing');
  });
});

describe('checkSpf: the contract JSON', () => {
  it('has domain, record, lookups, voidLookups, tree and findings, and no result without --ip', async () => {
    const r = await checkSpf({ domain: 'spf.test' }, ctx());
    expect(r).toMatchObject({
      kind: 'spf',
      domain: 'spf.test',
      record: 'v=spf1 mx ip4:192.0.2.0/25 include:_spf.spf.test -all',
      lookups: 3,
      voidLookups: 0,
    });
    expect(r).not.toHaveProperty('result');
    expect(r.tree!.terms.map((t) => t.raw)).toEqual(['mx', 'ip4:192.0.2.0/25', 'include:_spf.spf.test', '-all']);
    expect(r.tree!.terms[2]!.child).toMatchObject({
      domain: '_spf.spf.test',
      record: 'v=spf1 ip6:2001:db8::/32 a:relay.spf.test ~all',
      lookups: 1,
    });
    expect(r.steps.length).toBeGreaterThan(0);
    JSON.parse(JSON.stringify(r));
  });

  it('with --ip: result, explanation (exp=, with macros) and the evaluation', async () => {
    const r = await checkSpf(
      { domain: 'explained.spf.test', ip: '198.51.100.99', sender: 'eve@explained.spf.test' },
      ctx(),
    );
    expect(r).toMatchObject({
      result: 'fail',
      explanation:
        "198.51.100.99 is not one of explained.spf.test's mail servers; see https://spf.test/why?s=eve%40explained.spf.test",
    });
    expect(r.findings[0]).toMatchObject({ id: 'spf.result.fail', severity: 'fail' });
    const pass = await checkSpf({ domain: 'spf.test', ip: '2001:db8:ffff::1' }, ctx());
    expect(pass).toMatchObject({
      result: 'pass',
      evaluation: {
        matched: [{ term: 'include:_spf.spf.test' }, { domain: '_spf.spf.test', term: 'ip6:2001:db8::/32' }],
      },
    });
    expect(pass.findings[0]).toMatchObject({ id: 'spf.result.pass', severity: 'ok' });
  });

  it('the domain defaults to the sender domain, then to the HELO name (postmaster@<helo>)', async () => {
    expect((await checkSpf({ sender: 'a@near.spf.test', ip: '192.0.2.1' }, ctx())).domain).toBe('near.spf.test');
    const helo = await checkSpf({ sender: '', helo: 'spf.test', ip: '192.0.2.25' }, ctx());
    expect(helo).toMatchObject({ domain: 'spf.test', result: 'pass', identity: { sender: 'postmaster@spf.test' } });
  });

  it('follows an include through a CNAME and shows the record it found', async () => {
    const r = await checkSpf({ domain: 'cnamed.spf.test' }, ctx());
    expect(r.tree!.terms[0]!.child).toMatchObject({
      domain: 'alias.spf.test',
      status: 'ok',
      record: 'v=spf1 ip6:2001:db8::/32 a:relay.spf.test ~all',
    });
  });
});

describe('buildSpfTree accounting (RFC 7208 §4.6.4)', () => {
  const flat = (tree: SpfTree): { term: SpfTreeTerm; domain: string }[] =>
    tree.terms.flatMap((term) => [{ term, domain: tree.domain }, ...(term.child ? flat(term.child) : [])]);

  it('continues past the limit, numbering every term, and marks where evaluation stops', async () => {
    const r = await checkSpf({ domain: 'toomany.spf.test' }, ctx());
    expect(r.lookups).toBe(12);
    const counted = flat(r.tree!).filter((x) => x.term.cost.lookups > 0);
    expect(counted.map((x) => x.term.runningLookups)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const stop = flat(r.tree!).filter((x) => x.term.stopsEvaluation);
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({
      domain: 'l3.spf.test',
      term: { raw: 'a:h8.spf.test', stopsEvaluation: 'lookups', runningLookups: 11 },
    });
    expect(r.tree!.terms.map((t) => t.cost.lookups + (t.child?.lookups ?? 0))).toEqual([4, 4, 4, 0, 0]);
    const f = r.findings.find((x) => x.id === 'spf.lookups.exceeded')!;
    expect(f.message).toContain("'a:h8.spf.test' in l3.spf.test");
    expect(f.message).toContain('include:l1.spf.test 4');
  });

  it('counts void lookups per term and marks the third', async () => {
    const r = await checkSpf({ domain: 'voids.spf.test' }, ctx());
    expect(r.voidLookups).toBe(3);
    expect(r.tree!.terms.map((t) => [t.raw, t.cost.voidLookups, t.stopsEvaluation])).toEqual([
      ['a:nx1.spf.test', 1, undefined],
      ['a:nx2.spf.test', 1, undefined],
      ['mx:nx3.spf.test', 1, 'void'],
      ['ip4:192.0.2.1', 0, undefined],
      ['-all', 0, undefined],
    ]);
  });

  it('explains how exp, redirect and mx are counted', async () => {
    const exp = await checkSpf({ domain: 'explained.spf.test' }, ctx());
    expect(exp.tree!.terms.find((t) => t.name === 'exp')!.cost).toMatchObject({
      lookups: 0,
      note: expect.stringMatching(/only after a fail.*RFC 7208 §4\.6\.4/),
    });
    const redir = await checkSpf({ domain: 'redir.spf.test' }, ctx());
    expect(redir.tree!.terms[0]!.cost).toMatchObject({
      lookups: 1,
      note: expect.stringMatching(/TXT _spf\.spf\.test/),
    });
    expect(redir.lookups).toBe(2);
    const mx = await checkSpf({ domain: 'spf.test' }, ctx());
    expect(mx.tree!.terms[0]!.cost).toMatchObject({
      lookups: 1,
      queries: 2,
      note: expect.stringMatching(/limited separately, to 10/),
    });
    const unreachable = await checkSpf({ domain: 'redirall.spf.test' }, ctx());
    expect(unreachable.lookups).toBe(0);
    expect(unreachable.tree!.terms[1]).toMatchObject({ unreachable: true, cost: { lookups: 0 } });
  });

  it('expands macros with --ip, and leaves them unexpanded (cost unknown) without', async () => {
    const without = await checkSpf({ domain: 'macro.spf.test' }, ctx());
    expect(without.tree!.terms[0]).toMatchObject({ cost: { lookups: 1, voidLookups: null } });
    const withIp = await checkSpf({ domain: 'macro.spf.test', ip: '192.0.2.7', sender: 'alice@macro.spf.test' }, ctx());
    expect(withIp.tree!.terms[0]).toMatchObject({
      target: '7.2.0.192.alice.allow.spf.test',
      lookup: 'ok',
      cost: { voidLookups: 0 },
    });
    expect(withIp.result).toBe('pass');
  });
});

describe('temporary failures are unknown, never "no record"', () => {
  const failing = (pattern: RegExp): Resolver => ({
    lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
      return pattern.test(name)
        ? Promise.resolve({ status: 'timeout', server: '127.0.0.1:53' })
        : zones.lookup(name, type);
    },
  });

  it('a TXT timeout on the domain: spf.record.temporary, temporary, no spf.record.none', async () => {
    const r = await checkSpf({ domain: 'spf.test' }, ctx(failing(/^spf\.test$/)));
    expect(r.findings).toEqual([expect.objectContaining({ id: 'spf.record.temporary', temporary: true })]);
    expect(r.record).toBeNull();
    const withIp = await checkSpf({ domain: 'spf.test', ip: '192.0.2.1' }, ctx(failing(/^spf\.test$/)));
    expect(withIp.result).toBe('temperror');
  });

  it('a timeout below an include is temporary too', async () => {
    const r = await checkSpf({ domain: 'spf.test' }, ctx(failing(/^_spf\./)));
    expect(r.findings).toContainEqual(expect.objectContaining({ id: 'spf.lookup.temporary', temporary: true }));
    expect(ids(r)).not.toContain('spf.include.no-record');
  });
});

describe('lintSpf (pure)', () => {
  it('flags a character-string over 255 bytes', () => {
    const text = `v=spf1 ${'ip4:192.0.2.1 '.repeat(20)}-all`;
    const tree: SpfTree = {
      domain: 'x.example',
      record: text,
      strings: [text],
      status: 'ok',
      errors: [],
      terms: [],
      lookups: 0,
      voidLookups: 0,
    };
    expect(lintSpf(tree).map((f) => f.id)).toContain('spf.record.string-too-long');
  });
});

describe('buildSpfTree: an included record is parsed once per run', () => {
  const zone = (include: string) =>
    fakeTxt({
      'a.test': 'v=spf1 include:_spf.provider.test -all',
      'b.test': 'v=spf1 a include:_spf.provider.test ~all',
      '_spf.provider.test': include,
    });
  function fakeTxt(records: Record<string, string>): Resolver {
    return {
      async lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
        const meta = { ttl: 60, cnames: [], aa: true, ad: false, server: 'fake' };
        const text = type === 'TXT' ? records[name] : undefined;
        if (text) return { status: 'ok', records: [[text]] as RecordOf<T>[], ...meta };
        return { status: name in records ? 'nodata' : 'nxdomain', ...meta };
      },
    };
  }

  it('shares the include parse (frozen) between the trees of two domains, and parses a changed record anew', async () => {
    const a = await checkSpf({ domain: 'a.test' }, ctx(zone('v=spf1 ip4:192.0.2.0/24 -all')));
    const b = await checkSpf({ domain: 'b.test' }, ctx(zone('v=spf1 ip4:192.0.2.0/24 -all')));
    const include = (r: typeof a) => r.tree!.terms.find((t) => t.name === 'include')!.child!;
    expect(include(a).errors).toBe(include(b).errors);
    expect(Object.isFrozen(include(a).errors)).toBe(true);
    // The trees themselves, and the domains' own records, are each their own.
    expect(include(a)).not.toBe(include(b));
    expect(Object.isFrozen(a.tree!.errors)).toBe(false);
    expect(include(a).terms.map((t) => t.raw)).toEqual(['ip4:192.0.2.0/24', '-all']);
    const changed = await checkSpf({ domain: 'a.test' }, ctx(zone('v=spf1 ip4:198.51.100.0/24 ip4: -all')));
    expect(include(changed).terms.map((t) => t.raw)).toEqual(['ip4:198.51.100.0/24', 'ip4:', '-all']);
    expect(include(changed).errors).toHaveLength(1);
    expect(changed.findings.map((f) => f.id)).toContain('spf.include.invalid');
  });
});
