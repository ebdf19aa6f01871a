import { describe, expect, it } from 'vitest';
import { checkDmarc } from '../../../../src/auth/dmarc/check.js';
import type { Resolver } from '../../../../src/dns/types.js';
import { fixtureResolver } from '../../../helpers/zones.js';

const resolver = fixtureResolver(['dmarc.test.zone', 'dmarc-none.test.zone', 'reports.test.zone']);
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
    expect(ids(r)).toEqual(['dmarc.alignment.strict', 'dmarc.policy.enforced', 'dmarc.report.authorized']);
    expect(r.destinations.map((d) => [d.tag, d.domain, d.external, d.authorized, d.authorizationName])).toEqual([
      ['rua', 'dmarc.test', false, null, null],
      ['rua', 'reports.test', true, true, 'dmarc.test._report._dmarc.reports.test'],
      ['ruf', 'dmarc.test', false, null, null],
    ]);
    expect(r.steps.map((s) => s.summary.split(' →')[0])).toEqual([
      'TXT _dmarc.dmarc.test',
      'TXT dmarc.test._report._dmarc.reports.test',
    ]);
  });

  it('falls back to the organizational domain and applies its subdomain policy (RFC 7489 §6.6.3)', async () => {
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
      'TXT _dmarc.dmarc.test',
      'TXT dmarc.test._report._dmarc.reports.test',
    ]);
  });

  it('fails when neither the domain nor its organizational domain has a record', async () => {
    const r = await checkDmarc('www.dmarc-none.test', ctx);
    expect(r).toMatchObject({ recordDomain: null, record: null, policy: null, orgDomain: 'dmarc-none.test' });
    expect(ids(r)).toEqual(['dmarc.record.missing']);
    expect(r.findings[0]!.advice).toContain('_dmarc.dmarc-none.test.');
  });

  it.each([
    ['none.dmarc.test', ['dmarc.policy.none', 'dmarc.rua.missing']],
    ['pct.dmarc.test', ['dmarc.pct.partial', 'dmarc.policy.enforced']],
    ['spnone.dmarc.test', ['dmarc.policy.enforced', 'dmarc.subdomain-policy.weaker']],
    ['case.dmarc.test', ['dmarc.policy.enforced', 'dmarc.version.case']],
    ['badp.dmarc.test', ['dmarc.policy.invalid']],
    ['badp-norua.dmarc.test', ['dmarc.policy.invalid', 'dmarc.rua.missing']],
    ['nop.dmarc.test', ['dmarc.policy.missing']],
    ['nosemi.dmarc.test', ['dmarc.policy.missing', 'dmarc.rua.missing', 'dmarc.version.invalid']],
    ['multi.dmarc.test', ['dmarc.record.multiple']],
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

  // mailauth 4.13.3's getDmarcRecord falls back to the organizational domain here and returns its p=reject.
  it('applies no policy with several records and does not fall back (RFC 7489 §6.6.3 step 5)', async () => {
    const r = await checkDmarc('multi.dmarc.test', ctx);
    expect(r).toMatchObject({ recordDomain: 'multi.dmarc.test', policy: null, appliedPolicy: null });
    expect(r.steps).toHaveLength(1);
    expect(r.records).toHaveLength(2);
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
