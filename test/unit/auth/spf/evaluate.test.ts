// check_host() edge cases beyond the openspf suite, each named by the RFC 7208 section it holds us to, over
// zones parsed in memory (our own zone resolver: CNAMEs, NXDOMAIN vs NODATA) and resolvers that fail on purpose.
import { describe, expect, it } from 'vitest';
import { checkHost } from '../../../../src/auth/spf/evaluate.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import type { Lookup, RRType, RecordOf, Resolver, TemporaryStatus } from '../../../../src/dns/types.js';
import { zoneOf } from '../../../helpers/zones.js';

const zone = zoneOf`$ORIGIN t.example.
@        SOA ns hostmaster 1 3600 600 604800 300
         NS  ns
ns       A   192.0.2.53
@        TXT "v=spf1 ip4:192.0.2.0/24 -all"
mapped   TXT "v=spf1 -ip6:::ffff:0:0/96 ip4:192.0.2.1 -all"
case     TXT "V=SPF1 IP4:192.0.2.1 A:HOST.T.EXAMPLE -ALL"
host     A   198.51.100.1
spaces   TXT "v=spf1   ip4:192.0.2.1    -all   "
tab      TXT "v=spf1 ip4:192.0.2.1\t-all"
cname    CNAME target
target   TXT "v=spf1 ip4:192.0.2.7 -all"
viacname TXT "v=spf1 a:alias.t.example -all"
alias    CNAME host
twice    TXT "v=spf1 -all"
         TXT "v=spf1 " "-all"
other    TXT "v=spf1 include:broken.t.example ~all"
broken   TXT "just text"
redir    TXT "v=spf1 redirect=nowhere.t.example"
heloonly TXT "v=spf1 exists:%{l}.%{h}.allow.t.example -all"
postmaster.mail.t.example.allow A 127.0.0.2
nullmx   TXT "v=spf1 mx -all"
         MX  0 .
explain  TXT "v=spf1 ip4:192.0.2.1 ~all exp=why.t.example"
explain2 TXT "v=spf1 ip4:192.0.2.1 -all exp=why.t.example"
why      TXT "%{i} may not send for %{d} (%{s}, helo %{h})"
limit10  TXT "v=spf1 a a a a a a a a a a ip4:192.0.2.1 -all"
         A   198.51.100.2
limit11  TXT "v=spf1 a a a a a a a a a a a ip4:192.0.2.1 -all"
         A   198.51.100.2
void2    TXT "v=spf1 a:n1.t.example a:n2.t.example ip4:192.0.2.1 -all"
void3    TXT "v=spf1 a:n1.t.example a:n2.t.example a:n3.t.example ip4:192.0.2.1 -all"
slowa    TXT "v=spf1 a:slow.t.example -all"
slowinc  TXT "v=spf1 include:slow.t.example -all"
ptrfail  TXT "v=spf1 ptr ip4:192.0.2.1 -all"
six      TXT "v=spf1 ip6:2001:db8::/32 a//64 -all"
         AAAA 2001:db9::1
`;

/** The zone, but every question about `slow.t.example` (or the PTR tree) fails with `status`. */
function resolverWith(status?: TemporaryStatus, failing = /^slow\.|in-addr\.arpa$/): Resolver {
  const base = layered([zone], offlineResolver());
  return {
    lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
      if (status && failing.test(name)) return Promise.resolve({ status, server: 'test' });
      return base.lookup(name, type);
    },
  };
}

const check = (ip: string, domain: string, extra: { sender?: string; helo?: string; resolver?: Resolver } = {}) =>
  checkHost(extra.resolver ?? resolverWith(), {
    ip,
    domain,
    sender: extra.sender ?? `user@${domain}`,
    helo: extra.helo ?? 'mail.t.example',
  });

describe('check_host() (RFC 7208)', () => {
  it('§4.6.2: the first matching mechanism decides; §4.7: nothing matched → its qualifier, else neutral', async () => {
    expect((await check('192.0.2.9', 't.example')).result).toBe('pass');
    expect(await check('198.51.100.9', 't.example')).toMatchObject({
      result: 'fail',
      matched: [{ domain: 't.example', term: '-all' }],
    });
  });

  it('§5 and §5.6: an IPv4-mapped IPv6 client is IPv4: ip4 matches it, ip6 does not', async () => {
    const r = await check('::ffff:192.0.2.1', 'mapped.t.example');
    expect(r).toMatchObject({ result: 'pass', matched: [{ term: 'ip4:192.0.2.1' }] });
  });

  it('§4.6.1: names and the version are case-insensitive', async () => {
    expect((await check('198.51.100.1', 'case.t.example')).result).toBe('pass');
    expect((await check('192.0.2.1', 'case.t.example')).result).toBe('pass');
  });

  it('§4.6.1, §12: any number of spaces separate terms, a tab does not', async () => {
    expect((await check('192.0.2.1', 'spaces.t.example')).result).toBe('pass');
    const tab = await check('192.0.2.1', 'tab.t.example');
    expect(tab.result).toBe('permerror');
    expect(tab.reason).toMatch(/U\+0009/);
  });

  it('§4.4 with RFC 1034 §3.6.2: the record is found through a CNAME, and so are a: targets', async () => {
    expect((await check('192.0.2.7', 'cname.t.example')).result).toBe('pass');
    expect((await check('198.51.100.1', 'viacname.t.example')).result).toBe('pass');
  });

  // Identical RRs are one record (RFC 2181 §5); the same text split into other strings is a second one.
  it('§4.5: two SPF records, even identical ones, are a permerror', async () => {
    expect((await check('192.0.2.1', 'twice.t.example')).result).toBe('permerror');
  });

  it('§4.5 and §4.3: no record is none; a name that does not exist is none', async () => {
    expect((await check('192.0.2.1', 'broken.t.example')).result).toBe('none');
    expect((await check('192.0.2.1', 'nxdomain.t.example')).result).toBe('none');
    expect((await check('192.0.2.1', 'localhost')).result).toBe('none');
  });

  it('§5.2: include of a domain with no SPF record is a permerror; §6.1: so is redirect to one', async () => {
    expect(await check('192.0.2.1', 'other.t.example')).toMatchObject({
      result: 'permerror',
      reason: /include target broken\.t\.example has no SPF record/,
    });
    expect(await check('192.0.2.1', 'redir.t.example')).toMatchObject({
      result: 'permerror',
      reason: /redirect target nowhere\.t\.example does not exist/,
    });
  });

  it('§2.4 and §4.3: an empty MAIL FROM is postmaster@<helo>, and %{l} is postmaster', async () => {
    const r = await checkHost(resolverWith(), {
      ip: '192.0.2.99',
      sender: '',
      helo: 'mail.t.example',
      domain: 'heloonly.t.example',
    });
    expect(r).toMatchObject({ result: 'pass', matched: [{ term: 'exists:%{l}.%{h}.allow.t.example' }] });
  });

  it('§5.4: a null MX ("MX 0 .") has no host to match', async () => {
    expect((await check('192.0.2.1', 'nullmx.t.example')).result).toBe('fail');
  });

  it('§6.2: exp= explains a fail, with macros; never a softfail', async () => {
    expect((await check('198.51.100.5', 'explain.t.example')).explanation).toBeUndefined();
    const r = await check('198.51.100.5', 'explain2.t.example', { sender: 'bob@explain2.t.example' });
    expect(r).toMatchObject({
      result: 'fail',
      explanation: '198.51.100.5 may not send for explain2.t.example (bob@explain2.t.example, helo mail.t.example)',
    });
  });

  it('§4.6.4: 10 DNS-querying terms are allowed, the 11th is a permerror', async () => {
    expect(await check('192.0.2.1', 'limit10.t.example')).toMatchObject({ result: 'pass', lookups: 10 });
    expect(await check('192.0.2.1', 'limit11.t.example')).toMatchObject({
      result: 'permerror',
      lookups: 11,
      reason: /number 11; the limit is 10/,
    });
  });

  it('§4.6.4: 2 void lookups are allowed, the 3rd is a permerror', async () => {
    expect(await check('192.0.2.1', 'void2.t.example')).toMatchObject({ result: 'pass', voidLookups: 2 });
    const r = await check('192.0.2.1', 'void3.t.example');
    expect(r).toMatchObject({ result: 'permerror', voidLookups: 3 });
    expect(r.steps.at(-1)).toMatchObject({ term: 'a:n3.t.example', outcome: 'error', detail: /void lookup number 3/ });
  });

  it.each(['timeout', 'servfail', 'refused', 'malformed'] as const)(
    '§2.6.7 and §5: a %s is temperror, never "no record"',
    async (status) => {
      const resolver = resolverWith(status);
      expect(await check('192.0.2.1', 'slowa.t.example', { resolver })).toMatchObject({
        result: 'temperror',
        reason: /slow\.t\.example/,
      });
      expect((await check('192.0.2.1', 'slowinc.t.example', { resolver })).result).toBe('temperror');
      expect((await check('192.0.2.1', 'slow.t.example', { resolver })).result).toBe('temperror');
    },
  );

  it('§5.5: a failing PTR lookup makes "ptr" not match instead of temperror', async () => {
    const r = await check('192.0.2.1', 'ptrfail.t.example', { resolver: resolverWith('timeout') });
    expect(r).toMatchObject({ result: 'pass', matched: [{ term: 'ip4:192.0.2.1' }] });
  });

  it('§5.3 and §5.6: IPv6 clients match ip6 and AAAA with the IPv6 prefix length', async () => {
    expect((await check('2001:db8:1::5', 'six.t.example')).result).toBe('pass');
    expect((await check('2001:db9::ffff', 'six.t.example')).result).toBe('pass');
    expect((await check('2001:dba::1', 'six.t.example')).result).toBe('fail');
  });

  it('records each step with running totals', async () => {
    const r = await check('192.0.2.1', 'void2.t.example');
    expect(r.steps.map((s) => [s.term, s.outcome, s.lookups, s.voidLookups])).toEqual([
      ['v=spf1 a:n1.t.example a:n2.t.example ip4:192.0.2.1 -all', 'record', 0, 0],
      ['a:n1.t.example', 'no-match', 1, 1],
      ['a:n2.t.example', 'no-match', 2, 2],
      ['ip4:192.0.2.1', 'match', 2, 2],
    ]);
  });
});

describe('check_host() time limit (RFC 7208 §4.6.4)', () => {
  it('gives temperror once the overall limit has passed, whatever the per-query timeouts', async () => {
    const slow: Resolver = {
      lookup: async (name, type, o) => {
        await new Promise((r) => setTimeout(r, 30));
        return resolverWith().lookup(name, type, o);
      },
    };
    const r = await checkHost(slow, {
      ip: '192.0.2.1',
      domain: 'limit10.t.example',
      sender: 'a@limit10.t.example',
      deadlineMs: 100,
    });
    expect(r).toMatchObject({ result: 'temperror', reason: expect.stringMatching(/100 ms limit/) });
  });
});
