import { describe, expect, it } from 'vitest';
import { dmarcValues, isDmarcRecord, parseDmarcRecord } from '../../../../src/auth/dmarc/record.js';
import { lintDmarc } from '../../../../src/auth/dmarc/lint.js';

const opts = { domain: 'example.test', recordDomain: 'example.test' };
const ids = (text: string, o = opts) =>
  lintDmarc(parseDmarcRecord(text), o)
    .map((f) => `${f.id}:${f.severity}`)
    .sort();

describe('parseDmarcRecord (RFC 7489 §6.3, §6.4)', () => {
  it('reads every tag, case-insensitively by name, with offsets', () => {
    const raw =
      'v=DMARC1; P=quarantine; sp=reject; np=reject; pct=50; RUA=mailto:a@x.test,mailto:b@y.test!10m; ruf=mailto:f@x.test; adkim=s; aspf=r; fo=1:d; rf=afrf; ri=3600';
    const r = parseDmarcRecord(raw);
    expect(r).toMatchObject({
      version: 'DMARC1',
      versionFirst: true,
      p: 'quarantine',
      sp: 'reject',
      np: 'reject',
      pct: '50',
      adkim: 's',
      aspf: 'r',
      fo: '1:d',
      rf: 'afrf',
      ri: '3600',
      unknownTags: [],
    });
    expect(r.rua.map((u) => [u.raw, u.address, u.domain, u.sizeLimit, u.error])).toEqual([
      ['mailto:a@x.test', 'a@x.test', 'x.test', null, undefined],
      ['mailto:b@y.test!10m', 'b@y.test', 'y.test', '10m', undefined],
    ]);
    expect(raw.slice(r.rua[1]!.start, r.rua[1]!.end)).toBe('mailto:b@y.test!10m');
  });

  it.each([
    ['dmarc@x.test', 'an address without "mailto:"'],
    ['https://x.test/r', undefined],
    ['mailto:nobody', "'nobody' is not an email address"],
    ['mailto:a@x.test!10x', "'!10x' is not a size limit (digits, then k, m, g or t)"],
    ['mailto:a%ZZ@x.test', 'bad percent-encoding'],
    ['mailto:a%40b@x.test', undefined],
  ])('report URI %j → error %j', (uri, error) => {
    expect(parseDmarcRecord(`v=DMARC1; p=none; rua=${uri}`).rua[0]!.error).toBe(error);
  });

  it('applies RFC 7489 defaults and §6.6.3 step 6 for broken policies', () => {
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject'))).toEqual({
      policy: 'reject',
      subdomainPolicy: 'reject',
      nonexistentPolicy: 'reject',
      degraded: null,
      pct: 100,
      adkim: 'r',
      aspf: 'r',
      fo: ['0'],
      rf: ['afrf'],
      ri: 86400,
    });
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject; sp=none; np=quarantine'))).toMatchObject({
      policy: 'reject',
      subdomainPolicy: 'none',
      nonexistentPolicy: 'quarantine',
    });
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=block; rua=mailto:a@x.test'))).toMatchObject({
      policy: 'none',
      subdomainPolicy: 'none',
      degraded: 'none',
    });
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=block'))).toMatchObject({
      policy: null,
      subdomainPolicy: null,
      degraded: 'ignored',
    });
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject; sp=bogus'))).toMatchObject({
      policy: null,
      degraded: 'ignored',
    });
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject; pct=150; adkim=x'))).toMatchObject({
      pct: 100,
      adkim: 'r',
    });
  });

  it.each([
    ['v=DMARC1; p=none', true],
    ['v = DMARC1; p=none', true],
    ['  v=dmarc1; p=none', true],
    ['p=none; v=DMARC1', false],
    ['v=DMARC2; p=none', false],
    ['v=spf1 -all', false],
  ])('isDmarcRecord(%j) = %s (RFC 7489 §6.6.3 step 2)', (text, expected) => expect(isDmarcRecord(text)).toBe(expected));
});

describe('lintDmarc: record → finding ids', () => {
  const RUA = 'rua=mailto:agg@example.test';
  it.each([
    [`v=DMARC1; p=reject; ${RUA}`, ['dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=quarantine; ${RUA}`, ['dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=none; ${RUA}`, ['dmarc.policy.none:warn']],
    ['v=DMARC1; p=reject', ['dmarc.policy.enforced:ok', 'dmarc.rua.missing:warn']],
    [`v=DMARC1; ${RUA}`, ['dmarc.policy.missing:fail']],
    [`v=DMARC1; p=block; ${RUA}`, ['dmarc.policy.invalid:fail']],
    ['v=DMARC1; p=block', ['dmarc.policy.invalid:fail', 'dmarc.rua.missing:warn']],
    [`v=DMARC1; p=reject; pct=25; ${RUA}`, ['dmarc.pct.partial:warn', 'dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=none; pct=25; ${RUA}`, ['dmarc.policy.none:warn']],
    [`v=DMARC1; p=reject; pct=abc; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:fail']],
    [`v=DMARC1; p=reject; sp=none; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.subdomain-policy.weaker:warn']],
    [`v=DMARC1; p=reject; np=none; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.subdomain-policy.weaker:warn']],
    [`v=DMARC1; p=reject; sp=bogus; ${RUA}`, ['dmarc.tag.invalid:fail']],
    [`v=DMARC1; p=reject; np=bogus; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn']],
    [
      `v=DMARC1; p=reject; adkim=s; aspf=s; ${RUA}`,
      ['dmarc.alignment.strict:info', 'dmarc.alignment.strict:info', 'dmarc.policy.enforced:ok'],
    ],
    [`v=DMARC1; p=reject; aspf=x; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:fail']],
    [
      `v=DMARC1; p=reject; rua=agg@example.test`,
      ['dmarc.policy.enforced:ok', 'dmarc.rua.missing:warn', 'dmarc.uri.invalid:fail'],
    ],
    [`v=DMARC1; p=reject; rua=https://example.test/r`, ['dmarc.policy.enforced:ok', 'dmarc.uri.scheme:warn']],
    [`v=DMARC1; p=reject; ${RUA}; ruf=mailto:x`, ['dmarc.policy.enforced:ok', 'dmarc.uri.invalid:fail']],
    [`v=DMARC1; p=reject; ${RUA},`, ['dmarc.policy.enforced:ok', 'dmarc.uri.invalid:fail']],
    [`v=DMARC1; p=reject; ${RUA}; fo=1`, ['dmarc.fo.without-ruf:info', 'dmarc.policy.enforced:ok']],
    [
      `v=DMARC1; p=reject; ${RUA}; ruf=mailto:f@example.test; fo=2`,
      ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn'],
    ],
    [`v=DMARC1; p=reject; ${RUA}; rf=iodef`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn']],
    [`v=DMARC1; p=reject; ${RUA}; ri=soon`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn']],
    [`v=DMARC1; p=reject; ${RUA}; foo=bar`, ['dmarc.policy.enforced:ok', 'dmarc.tag.unknown:warn']],
    [`v=DMARC1; p=reject; ${RUA}; p=none`, ['dmarc.policy.enforced:ok', 'dmarc.tag.duplicate:warn']],
    [`v=DMARC1; p=reject; ${RUA}; oops`, ['dmarc.policy.enforced:ok', 'dmarc.record.syntax:fail']],
    [`v=dmarc1; p=reject; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.version.case:warn']],
    [`p=reject; v=DMARC1; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.version.invalid:fail']],
  ])('%#: %s', (text, expected) => expect(ids(text)).toEqual(expected.sort()));

  it('judges an inherited record by its subdomain policy', () => {
    const sub = { domain: 'sub.example.test', recordDomain: 'example.test' };
    expect(ids('v=DMARC1; p=reject; sp=none; rua=mailto:a@example.test', sub)).toEqual([
      'dmarc.policy.none:warn',
      'dmarc.subdomain-policy.weaker:warn',
    ]);
    expect(ids('v=DMARC1; p=none; sp=reject; rua=mailto:a@example.test', sub)).toEqual(['dmarc.policy.enforced:ok']);
  });

  it('marks the offending part', () => {
    const text = 'v=DMARC1; p=block; rua=mailto:a@example.test, dmarc@example.test';
    const f = lintDmarc(parseDmarcRecord(text), opts);
    expect(text.slice(...f.find((x) => x.id === 'dmarc.policy.invalid')!.span!)).toBe('block');
    expect(text.slice(...f.find((x) => x.id === 'dmarc.uri.invalid')!.span!)).toBe('dmarc@example.test');
    expect(f.find((x) => x.id === 'dmarc.uri.invalid')!.advice).toBe('Write it as mailto:dmarc@example.test.');
  });
});
