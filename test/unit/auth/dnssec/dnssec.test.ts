import { describe, expect, it } from 'vitest';
import { checkDnssec } from '../../../../src/auth/dnssec/check.js';
import { answerAuthentication, answerFindings, stepAnswers } from '../../../../src/auth/dnssec/lint.js';
import { dsDigest, dsMatch, keyTag } from '../../../../src/auth/dnssec/record.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import type { DnskeyRecord, DsRecord } from '../../../../src/dns/types.js';
import { traceResolver } from '../../../../src/dns/trace.js';
import { fakeResolver, ok } from '../../../helpers/fake-resolver.js';
import { zoneOf } from '../../../helpers/zones.js';

// RFC 4034 §5.4 and RFC 4509 §2.3: the same DNSKEY with its SHA-1 and SHA-256 DS.
const KEY: DnskeyRecord = {
  flags: 256,
  protocol: 3,
  algorithm: 5,
  key: 'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==',
};
const DS_SHA1: DsRecord = {
  keyTag: 60485,
  algorithm: 5,
  digestType: 1,
  digest: '2bb183af5f22588179a53b0a98631fad1a292118',
};
const DS_SHA256: DsRecord = {
  keyTag: 60485,
  algorithm: 5,
  digestType: 2,
  digest: 'd4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a',
};

describe('DNSSEC arithmetic', () => {
  it('computes the key tag of RFC 4034 §5.4 (Appendix B)', () => {
    expect(keyTag(KEY)).toBe(60485);
  });
  it('computes the DS digests of RFC 4034 §5.4 (SHA-1) and RFC 4509 §2.3 (SHA-256)', () => {
    expect(dsDigest('dskey.example.com', KEY, 1)).toBe(DS_SHA1.digest);
    expect(dsDigest('DSKEY.example.com.', KEY, 2)).toBe(DS_SHA256.digest);
  });
  it('matches a DS to its key, and not to another owner name', () => {
    expect(dsMatch('dskey.example.com', DS_SHA256, [KEY]).matched).toBe(KEY);
    expect(dsMatch('other.example.com', DS_SHA256, [KEY]).matched).toBeNull();
    expect(dsMatch('dskey.example.com', { ...DS_SHA256, digestType: 3 }, [KEY])).toEqual({
      matched: null,
      computable: false,
    });
  });
});

describe('checkDnssec', () => {
  const d = 'dskey.example.com';
  it('a signed zone validated by the resolver', async () => {
    const r = await checkDnssec(d, {
      resolver: fakeResolver({ [`${d} DS`]: ok([DS_SHA256], { ad: true }), [`${d} DNSKEY`]: ok([KEY], { ad: true }) }),
    });
    expect(r).toMatchObject({
      signed: true,
      validated: true,
      source: 'resolver',
      ds: [{ keyTag: 60485, matched: true, digestName: 'SHA-256' }],
      dnskeys: [{ keyTag: 60485, sep: false, algorithmName: 'RSASHA1' }],
    });
    // RSASHA1 is signed with but "NOT RECOMMENDED" (RFC 8624 §3.1).
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([
      ['dnssec.algorithm.deprecated', 'warn'],
      ['dnssec.validated', 'ok'],
    ]);
  });

  it('a DS that points at no published key breaks the chain', async () => {
    const r = await checkDnssec(d, {
      resolver: fakeResolver({ [`${d} DS`]: ok([{ ...DS_SHA256, keyTag: 1234 }]), [`${d} DNSKEY`]: ok([KEY]) }),
    });
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['dnssec.ds.mismatch', 'dnssec.not-validated']));
  });

  it('a DS with no DNSKEY at all is bogus; only SHA-1 DS is deprecated', async () => {
    const r = await checkDnssec(d, {
      resolver: fakeResolver({
        [`${d} DS`]: ok([DS_SHA1]),
        [`${d} DNSKEY`]: { status: 'nodata', server: 'x', cnames: [], aa: false, ad: false },
      }),
    });
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual(
      expect.arrayContaining([
        ['dnssec.dnskey.missing', 'fail'],
        ['dnssec.ds.digest-deprecated', 'warn'],
      ]),
    );
  });

  it('an unsigned domain costs one DS query (two for a subdomain)', async () => {
    const log: string[] = [];
    const r = await checkDnssec('example.org', {
      resolver: fakeResolver(
        { 'example.org DS': { status: 'nodata', server: 'x', cnames: [], aa: false, ad: false } },
        log,
      ),
    });
    expect(r.findings.map((f) => f.id)).toEqual(['dnssec.unsigned']);
    expect(r.signed).toBe(false);
    expect(log).toEqual(['example.org DS']);
    log.length = 0;
    await checkDnssec('mail.example.org', { resolver: fakeResolver({}, log) });
    expect(log).toEqual(['mail.example.org DS', 'example.org DS']);
  });

  it('a SERVFAIL is unknown (and may mean bogus), not unsigned', async () => {
    const r = await checkDnssec(d, {
      resolver: fakeResolver({ [`${d} DS`]: { status: 'servfail', server: '192.0.2.1:53' } }),
    });
    expect(r.signed).toBeNull();
    expect(r.findings).toEqual([
      expect.objectContaining({
        id: 'dnssec.lookup.temporary',
        temporary: true,
        message: expect.stringMatching(/bogus/),
      }),
    ]);
  });

  it('answers from a zone file are local: DNSKEYs reported, no validation claimed', async () => {
    const zone = zoneOf`$ORIGIN signed.test.
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
@ DNSKEY 257 3 5 ${KEY.key}
`;
    const r = await checkDnssec('signed.test', { resolver: layered([zone], offlineResolver()) });
    expect(r).toMatchObject({ source: 'zone', validated: false, dnskeys: [{ sep: true }] });
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'dnssec.local', message: expect.stringContaining('1 DNSKEY record') }),
    ]);
  });
});

describe('AD on the answers of a posture check', () => {
  it('counts answers under the domain only, and flags unauthenticated ones of a validated zone', async () => {
    const t = traceResolver(
      fakeResolver({
        'a.test MX': ok([{ preference: 10, exchange: 'mx.a.test' }], { ad: true }),
        'mx.a.test A': ok(['192.0.2.1']),
        '_spf.provider.test TXT': ok([['v=spf1 -all']]),
      }),
    );
    await t.lookup('a.test', 'MX');
    await t.lookup('mx.a.test', 'A');
    await t.lookup('_spf.provider.test', 'TXT');
    const a = answerAuthentication(stepAnswers(t.steps), 'a.test');
    expect(a).toEqual({ total: 2, authenticated: 1, unauthenticated: ['A mx.a.test'] });
    expect(answerFindings({ domain: 'a.test', validated: true }, a)).toEqual([
      expect.objectContaining({ id: 'dnssec.answers.unauthenticated', severity: 'warn' }),
    ]);
    expect(answerFindings({ domain: 'a.test', validated: false }, a)).toEqual([]);
  });
});
