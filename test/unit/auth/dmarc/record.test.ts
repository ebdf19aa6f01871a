import { describe, expect, it } from 'vitest';
import { dmarcValues, isDmarcRecord, parseDmarcRecord } from '../../../../src/auth/dmarc/record.js';
import { lintDmarc } from '../../../../src/auth/dmarc/lint.js';

const opts = { domain: 'example.test', recordDomain: 'example.test' };
const ids = (text: string, o = opts) =>
  lintDmarc(parseDmarcRecord(text), o)
    .map((f) => `${f.id}:${f.severity}`)
    .sort();

describe('parseDmarcRecord (RFC 9989 §4.7, §4.8)', () => {
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
      t: null,
      psd: null,
      unknownTags: [],
    });
    expect(parseDmarcRecord('v=DMARC1; p=none; t=y; psd=n')).toMatchObject({ t: 'y', psd: 'n', unknownTags: [] });
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

  it('applies RFC 9989 defaults and §4.10.1 for broken policies', () => {
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject'))).toEqual({
      policy: 'reject',
      subdomainPolicy: 'reject',
      nonexistentPolicy: 'reject',
      degraded: null,
      pct: 100,
      testing: false,
      psd: 'u',
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
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject; t=Y; psd=n'))).toMatchObject({ testing: true, psd: 'n' });
    expect(dmarcValues(parseDmarcRecord('v=DMARC1; p=reject; t=maybe; psd=x'))).toMatchObject({
      testing: false,
      psd: 'u',
    });
  });

  // The two readings where they differ (RFC 9989 §4.7 and §4.10.1 against RFC 7489 §6.6.3 step 6).
  it.each([
    // [record, RFC 9989 policy/sub/np, RFC 7489 policy/sub/np]
    ['v=DMARC1; sp=quarantine; np=reject', ['none', 'quarantine', 'reject'], [null, null, null]],
    ['v=DMARC1; rua=mailto:a@x.test', ['none', 'none', 'none'], ['none', 'none', 'none']],
    ['v=DMARC1; p=reject; np=bogus', [null, null, null], ['reject', 'reject', 'reject']],
    ['v=DMARC1; p=reject; np=bogus; rua=mailto:a@x.test', ['none', 'none', 'none'], ['reject', 'reject', 'reject']],
    ['v=DMARC1; p=reject; sp=none; np=quarantine', ['reject', 'none', 'quarantine'], ['reject', 'none', 'none']],
  ])('%s: RFC 9989 %j, RFC 7489 %j', (text, now, old) => {
    const r = parseDmarcRecord(text);
    const triple = (v: ReturnType<typeof dmarcValues>) => [v.policy, v.subdomainPolicy, v.nonexistentPolicy];
    expect(triple(dmarcValues(r))).toEqual(now);
    expect(triple(dmarcValues(r, 'rfc7489'))).toEqual(old);
  });

  it('t= is RFC 9989 only: the RFC 7489 reading never tests', () => {
    const r = parseDmarcRecord('v=DMARC1; p=reject; t=y');
    expect(dmarcValues(r).testing).toBe(true);
    expect(dmarcValues(r, 'rfc7489').testing).toBe(false);
  });

  it.each([
    ['v=DMARC1; p=none', true],
    ['v = DMARC1; p=none', true],
    ['  V=DMARC1; p=none', true],
    ['v=DMARC1', true],
    // The value is case-sensitive (RFC 9989 §4.7, §4.8 %s"DMARC1") and the tag ends at ";".
    ['  v=dmarc1; p=none', false],
    ['v=DMARC1 p=none', false],
    ['v=DMARC10; p=none', false],
    ['p=none; v=DMARC1', false],
    ['v=DMARC2; p=none', false],
    ['v=spf1 -all', false],
  ])('isDmarcRecord(%j) = %s (RFC 9989 §4.10 step 2)', (text, expected) => expect(isDmarcRecord(text)).toBe(expected));
});

describe('lintDmarc: record → finding ids', () => {
  const RUA = 'rua=mailto:agg@example.test';
  it.each([
    [`v=DMARC1; p=reject; ${RUA}`, ['dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=quarantine; ${RUA}`, ['dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=none; ${RUA}`, ['dmarc.policy.none:warn']],
    ['v=DMARC1; p=reject', ['dmarc.policy.enforced:ok', 'dmarc.rua.missing:warn']],
    [`v=DMARC1; ${RUA}`, ['dmarc.policy.missing:fail']],
    ['v=DMARC1; sp=quarantine; np=reject', ['dmarc.policy.missing:fail', 'dmarc.rua.missing:warn']],
    [`v=DMARC1; p=block; ${RUA}`, ['dmarc.policy.invalid:fail']],
    ['v=DMARC1; p=block', ['dmarc.policy.invalid:fail', 'dmarc.rua.missing:warn']],
    [
      `v=DMARC1; p=reject; pct=25; ${RUA}`,
      ['dmarc.pct.partial:warn', 'dmarc.policy.enforced:ok', 'dmarc.tag.removed:info'],
    ],
    [`v=DMARC1; p=none; pct=25; ${RUA}`, ['dmarc.policy.none:warn', 'dmarc.tag.removed:info']],
    [
      `v=DMARC1; p=reject; pct=abc; ${RUA}`,
      ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn', 'dmarc.tag.removed:info'],
    ],
    [`v=DMARC1; p=reject; t=y; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.testing:warn']],
    [`v=DMARC1; p=none; t=y; ${RUA}`, ['dmarc.policy.none:warn', 'dmarc.testing:info']],
    [`v=DMARC1; p=reject; t=n; ${RUA}`, ['dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=reject; t=maybe; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn']],
    [`v=DMARC1; p=reject; psd=n; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.tag.added:info']],
    [`v=DMARC1; p=reject; psd=x; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn']],
    [`v=DMARC1; p=reject; psd=u; ${RUA}`, ['dmarc.policy.enforced:ok']],
    [`v=DMARC1; p=reject; rua=mailto:a@example.test!10m`, ['dmarc.policy.enforced:ok', 'dmarc.uri.size-limit:info']],
    [`v=DMARC1; p=reject; sp=none; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.subdomain-policy.weaker:warn']],
    [`v=DMARC1; p=reject; np=none; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.subdomain-policy.weaker:warn']],
    [`v=DMARC1; p=reject; sp=bogus; ${RUA}`, ['dmarc.tag.invalid:fail']],
    [`v=DMARC1; p=reject; np=bogus; ${RUA}`, ['dmarc.tag.invalid:fail']],
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
    [
      `v=DMARC1; p=reject; ${RUA}; rf=iodef`,
      ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn', 'dmarc.tag.removed:info'],
    ],
    [
      `v=DMARC1; p=reject; ${RUA}; ri=soon`,
      ['dmarc.policy.enforced:ok', 'dmarc.tag.invalid:warn', 'dmarc.tag.removed:info'],
    ],
    [`v=DMARC1; p=reject; ${RUA}; foo=bar`, ['dmarc.policy.enforced:ok', 'dmarc.tag.unknown:warn']],
    [`v=DMARC1; p=reject; ${RUA}; p=none`, ['dmarc.policy.enforced:ok', 'dmarc.tag.duplicate:warn']],
    [`v=DMARC1; p=reject; ${RUA}; oops`, ['dmarc.policy.enforced:ok', 'dmarc.record.syntax:fail']],
    [`v=dmarc1; p=reject; ${RUA}`, ['dmarc.policy.enforced:ok', 'dmarc.version.case:fail']],
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
