import { describe, expect, it } from 'vitest';
import { checkDmarc } from '../../../../src/auth/dmarc/check.js';
import type { Resolver } from '../../../../src/dns/types.js';
import { fixtureResolver } from '../../../helpers/zones.js';

const resolver = fixtureResolver([
  'dmarc.test.zone',
  'dmarc-none.test.zone',
  'reports.test.zone',
  'dmarcbis.test.zone',
  'psd.test.zone',
]);
const ctx = { resolver };
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id).sort();

describe('checkDmarc', () => {
  it('gives the contract fields for a healthy record, checking the external rua', async () => {
    const r = await checkDmarc('dmarc.test', ctx);
    expect(r).toMatchObject({
      kind: 'dmarc',
      domain: 'dmarc.test',
      recordDomain: 'dmarc.test',
      policy: 'reject',
      subdomainPolicy: 'reject',
      pct: 100,
      adkim: 's',
      aspf: 'r',
      rua: ['mailto:agg@dmarc.test', 'mailto:dmarc@reports.test!10m'],
      ruf: ['mailto:fr@dmarc.test'],
      orgDomain: 'dmarc.test',
      appliedPolicy: 'reject',
    });
    expect(r.record).toMatch(/^v=DMARC1; p=reject;/);
    expect(ids(r)).toEqual([
      'dmarc.alignment.strict',
      'dmarc.policy.enforced',
      'dmarc.report.authorized',
      'dmarc.uri.size-limit',
    ]);
    expect(r.destinations.map((d) => [d.tag, d.domain, d.external, d.authorized, d.authorizationName])).toEqual([
      ['rua', 'dmarc.test', false, null, null],
      ['rua', 'reports.test', true, true, 'dmarc.test._report._dmarc.reports.test'],
      ['ruf', 'dmarc.test', false, null, null],
    ]);
    // The record is the domain's own; the tree walk goes on above it for the Organizational Domain (§4.10.2).
    expect(r.steps.map((s) => s.summary.split(' →')[0])).toEqual([
      'TXT _dmarc.dmarc.test',
      'TXT _dmarc.test',
      'TXT dmarc.test._report._dmarc.reports.test',
    ]);
    expect(r).toMatchObject({
      testing: false,
      psd: 'u',
      discovery: { method: 'rfc9989-tree-walk', queries: ['_dmarc.dmarc.test', '_dmarc.test'], source: 'author' },
      rfc7489: { orgDomain: 'dmarc.test', recordDomain: 'dmarc.test', appliedPolicy: 'reject', pct: 100 },
    });
  });

  it('falls back to the Organizational Domain by DNS tree walk and applies its subdomain policy (RFC 9989 §4.10.1)', async () => {
    const r = await checkDmarc('deep.sub.dmarc.test', ctx);
    expect(r).toMatchObject({
      recordDomain: 'dmarc.test',
      orgDomain: 'dmarc.test',
      policy: 'reject',
      appliedPolicy: 'reject',
    });
    expect(ids(r)).toContain('dmarc.record.inherited');
    expect(r.steps.map((s) => s.summary.split(' →')[0])).toEqual([
      'TXT _dmarc.deep.sub.dmarc.test',
      'TXT _dmarc.sub.dmarc.test',
      'TXT _dmarc.dmarc.test',
      'TXT _dmarc.test',
      'TXT dmarc.test._report._dmarc.reports.test',
    ]);
  });

  it('fails when no name up the tree has a record; the advice names the registered domain', async () => {
    const r = await checkDmarc('www.dmarc-none.test', ctx);
    // With no record anywhere, the Organizational Domain is the domain itself (RFC 9989 §4.10.2); the PSL's is
    // what an RFC 7489 receiver would take.
    expect(r).toMatchObject({ recordDomain: null, record: null, policy: null, orgDomain: 'www.dmarc-none.test' });
    expect(r.rfc7489).toMatchObject({ orgDomain: 'dmarc-none.test', recordDomain: null });
    expect(ids(r)).toEqual(['dmarc.record.missing']);
    expect(r.findings[0]!.advice).toContain('_dmarc.dmarc-none.test.');
  });

  it.each([
    ['none.dmarc.test', ['dmarc.policy.none', 'dmarc.rua.missing']],
    ['pct.dmarc.test', ['dmarc.pct.partial', 'dmarc.policy.enforced', 'dmarc.tag.removed']],
    ['spnone.dmarc.test', ['dmarc.policy.enforced', 'dmarc.subdomain-policy.weaker']],
    // Discarded (the version is case-sensitive, RFC 9989 §4.7): the apex record applies.
    [
      'case.dmarc.test',
      [
        'dmarc.alignment.strict',
        'dmarc.policy.enforced',
        'dmarc.record.inherited',
        'dmarc.report.authorized',
        'dmarc.uri.size-limit',
        'dmarc.version.case',
      ],
    ],
    ['badp.dmarc.test', ['dmarc.policy.invalid']],
    ['badp-norua.dmarc.test', ['dmarc.policy.invalid', 'dmarc.rua.missing']],
    ['nop.dmarc.test', ['dmarc.policy.missing']],
    // "v=DMARC1 p=reject" has no v=DMARC1 tag (§4.8): discarded, the apex record applies.
    [
      'nosemi.dmarc.test',
      [
        'dmarc.alignment.strict',
        'dmarc.policy.enforced',
        'dmarc.record.inherited',
        'dmarc.report.authorized',
        'dmarc.uri.size-limit',
        'dmarc.version.invalid',
      ],
    ],
    [
      'multi.dmarc.test',
      [
        'dmarc.alignment.strict',
        'dmarc.policy.enforced',
        'dmarc.record.inherited',
        'dmarc.record.multiple',
        'dmarc.report.authorized',
        'dmarc.rfc7489.differs',
        'dmarc.uri.size-limit',
      ],
    ],
    [
      'tags.dmarc.test',
      [
        'dmarc.fo.without-ruf',
        'dmarc.policy.enforced',
        'dmarc.tag.invalid',
        'dmarc.tag.invalid',
        'dmarc.tag.invalid',
        'dmarc.tag.invalid',
        'dmarc.tag.invalid',
        'dmarc.tag.removed',
        'dmarc.tag.removed',
        'dmarc.tag.removed',
        'dmarc.tag.unknown',
      ],
    ],
    ['uris.dmarc.test', ['dmarc.policy.enforced', 'dmarc.uri.invalid', 'dmarc.uri.invalid', 'dmarc.uri.scheme']],
    ['syntax.dmarc.test', ['dmarc.policy.enforced', 'dmarc.record.syntax', 'dmarc.tag.duplicate']],
    // The ESC ] 0 ; … BEL sequence holds a ';', so it also splits the tag list.
    ['ctrl.dmarc.test', ['dmarc.policy.none', 'dmarc.record.syntax', 'dmarc.record.syntax', 'dmarc.tag.unknown']],
    ['other.dmarc.test', ['dmarc.policy.enforced', 'dmarc.record.other-txt']],
  ])('%s → %j', async (domain, expected) => expect(ids(await checkDmarc(domain, ctx))).toEqual(expected.sort()));

  // mailauth 4.13.3's getDmarcRecord returns p=block as is; receivers must not (RFC 7489 §6.6.3 step 6).
  it('degrades an invalid p= to none when rua= is valid, to nothing otherwise (RFC 7489 §6.6.3 step 6)', async () => {
    expect(await checkDmarc('badp.dmarc.test', ctx)).toMatchObject({
      policy: 'none',
      record: 'v=DMARC1; p=block; rua=mailto:agg@dmarc.test',
    });
    expect(await checkDmarc('badp-norua.dmarc.test', ctx)).toMatchObject({ policy: null });
  });

  // RFC 7489 §6.6.3 step 5 stopped here with no DMARC at all; RFC 9989 §4.10 step 2 discards every record of the
  // name and the walk goes on. The finding names both outcomes.
  it('discards several records and walks on (RFC 9989 §4.10); an RFC 7489 receiver applies no DMARC', async () => {
    const r = await checkDmarc('multi.dmarc.test', ctx);
    expect(r).toMatchObject({ recordDomain: 'dmarc.test', policy: 'reject', appliedPolicy: 'reject' });
    expect(r.records).toEqual([r.record]);
    expect(r.discarded.filter((d) => d.name === '_dmarc.multi.dmarc.test')).toHaveLength(2);
    expect(r.rfc7489).toMatchObject({ recordDomain: null, appliedPolicy: null });
    expect(r.findings.find((f) => f.id === 'dmarc.rfc7489.differs')!.message).toMatch(
      /RFC 9989 .*apply reject from the record at _dmarc\.dmarc\.test; .*RFC 7489 .*apply no DMARC/,
    );
  });

  it('discards records not starting with v=DMARC1 and falls back to the organizational domain', async () => {
    for (const d of ['ver.dmarc.test', 'order.dmarc.test']) {
      const r = await checkDmarc(d, ctx);
      expect(r.recordDomain).toBe('dmarc.test');
      expect(r.discarded).toEqual([expect.objectContaining({ name: `_dmarc.${d}` })]);
      expect(ids(r)).toEqual(expect.arrayContaining(['dmarc.record.discarded', 'dmarc.record.inherited']));
      expect(r.findings.find((f) => f.id === 'dmarc.record.discarded')!.severity).toBe('fail');
    }
  });

  it('follows a CNAME at _dmarc', async () => {
    expect(await checkDmarc('cname.dmarc.test', ctx)).toMatchObject({
      recordDomain: 'cname.dmarc.test',
      policy: 'quarantine',
      pct: 25,
    });
  });

  it('checks each external report destination for authorization (RFC 7489 §7.1), wildcards included', async () => {
    const r = await checkDmarc('ext.dmarc.test', ctx);
    expect(r.destinations.map((d) => [d.domain, d.authorized])).toEqual([
      ['reports.test', true],
      ['wild.reports.test', true],
      ['nope.reports.test', false],
      ['bogus.reports.test', false],
    ]);
    expect(r.findings.filter((f) => f.id === 'dmarc.report.unauthorized').map((f) => f.message)).toEqual([
      expect.stringContaining('nope.reports.test has not authorized reports for ext.dmarc.test'),
      expect.stringContaining('bogus.reports.test has not authorized'),
    ]);
  });

  it('asks the authorization of the domain the record came from, for an inherited record', async () => {
    const r = await checkDmarc('sub.dmarc.test', ctx);
    expect(r.destinations.find((d) => d.external)!.authorizationName).toBe('dmarc.test._report._dmarc.reports.test');
  });

  describe('RFC 9989: tree walk, psd=, t=, and what an RFC 7489 receiver reads instead', () => {
    it('an invalid record at the domain applies, with no fallback; RFC 7489 applies no DMARC (issue #16)', async () => {
      const r = await checkDmarc('nop.dmarcbis.test', ctx);
      expect(r).toMatchObject({ recordDomain: 'nop.dmarcbis.test', policy: 'none', appliedPolicy: 'none' });
      expect(r.rfc7489).toMatchObject({ recordDomain: 'nop.dmarcbis.test', appliedPolicy: null });
      expect(ids(r)).toEqual(['dmarc.policy.missing', 'dmarc.rfc7489.differs', 'dmarc.rua.missing']);
      expect(r.findings.find((f) => f.id === 'dmarc.policy.missing')!.message).toMatch(
        /RFC 9989 receivers treat it as p=none .*RFC 7489 receivers as no DMARC at all/,
      );
    });

    it('psd=n: the department is its own Organizational Domain; the PSL says otherwise', async () => {
      const r = await checkDmarc('x.dept.dmarcbis.test', ctx);
      expect(r).toMatchObject({
        recordDomain: 'dept.dmarcbis.test',
        orgDomain: 'dept.dmarcbis.test',
        appliedPolicy: 'quarantine',
        psd: 'n',
        discovery: { source: 'organizational', queries: ['_dmarc.x.dept.dmarcbis.test', '_dmarc.dept.dmarcbis.test'] },
      });
      expect(r.rfc7489).toMatchObject({ orgDomain: 'dmarcbis.test', recordDomain: 'dmarcbis.test' });
      expect(ids(r)).toEqual(expect.arrayContaining(['dmarc.rfc7489.differs', 'dmarc.tag.added']));
    });

    it('below a Public Suffix Domain (psd=y) with no record of its own, the PSD record applies', async () => {
      const r = await checkDmarc('orphan.psd.test', ctx);
      expect(r).toMatchObject({
        recordDomain: 'psd.test',
        orgDomain: 'orphan.psd.test',
        appliedPolicy: 'reject',
        discovery: { source: 'psd' },
      });
      expect(r.findings.find((f) => f.id === 'dmarc.record.inherited')!.message).toMatch(
        /Public Suffix Domain psd.test/,
      );
      const own = await checkDmarc('giant.psd.test', ctx);
      expect(own).toMatchObject({ recordDomain: 'giant.psd.test', orgDomain: 'giant.psd.test' });
    });

    it('np= is the policy of a subdomain that does not exist (§4.10.1)', async () => {
      expect(await checkDmarc('ghost.dmarcbis.test', ctx)).toMatchObject({ appliedPolicy: 'reject' });
      expect(await checkDmarc('sub.dmarcbis.test', ctx)).toMatchObject({ appliedPolicy: 'quarantine' });
    });

    it('t=y: a warning with both readings; pct=: removed, with both readings', async () => {
      const t = await checkDmarc('testing.dmarcbis.test', ctx);
      expect(t).toMatchObject({ testing: true, appliedPolicy: 'reject' });
      expect(t.findings.find((f) => f.id === 'dmarc.testing')).toMatchObject({ severity: 'warn' });
      expect(t.findings.find((f) => f.id === 'dmarc.testing')!.message).toMatch(
        /RFC 9989 receivers apply quarantine instead of reject.*RFC 7489 .*apply reject/,
      );
      const p = await checkDmarc('pct.dmarcbis.test', ctx);
      expect(p.rfc7489).toMatchObject({ pct: 50 });
      expect(ids(p)).toEqual(expect.arrayContaining(['dmarc.pct.partial', 'dmarc.tag.removed']));
    });

    it('walks at most 8 names for a deep domain (§4.10)', async () => {
      const r = await checkDmarc('a.b.c.d.e.f.g.h.i.j.k.dmarcbis.test', ctx);
      expect(r.discovery.queries).toHaveLength(8);
      expect(r).toMatchObject({ recordDomain: 'dmarcbis.test', orgDomain: 'dmarcbis.test' });
    });
  });

  describe('temporary failures are unknown, never "no record"', () => {
    const failing = (match: RegExp, status: 'timeout' | 'servfail' = 'timeout'): Resolver => ({
      lookup: (n, t, o) =>
        match.test(n) ? Promise.resolve({ status, server: '192.0.2.53:53' }) : resolver.lookup(n, t, o),
    });

    it('on the record lookup', async () => {
      const r = await checkDmarc('dmarc.test', { resolver: failing(/^_dmarc\.dmarc\.test$/) });
      expect(r).toMatchObject({ record: null, recordDomain: null });
      expect(r.findings).toEqual([expect.objectContaining({ id: 'dmarc.lookup.temporary', temporary: true })]);
    });

    it('on the organizational-domain fallback', async () => {
      const r = await checkDmarc('x.dmarc-none.test', { resolver: failing(/^_dmarc\.dmarc-none\.test$/, 'servfail') });
      expect(ids(r)).toEqual(['dmarc.lookup.temporary']);
      expect(r.findings[0]!.message).toContain('SERVFAIL');
    });

    it('on a report authorization', async () => {
      const r = await checkDmarc('dmarc.test', { resolver: failing(/_report\._dmarc/) });
      expect(r.destinations.find((d) => d.external)).toMatchObject({ authorized: null, lookup: 'timeout' });
      expect(r.findings.find((f) => f.id === 'dmarc.report.temporary')).toMatchObject({ temporary: true });
    });
  });
});
