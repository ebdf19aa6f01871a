// DMARC in `verify` (and so `receive`), on messages against zone files: RFC 9989's verdict (tree walk, psd=, t=,
// np=), the RFC 7489 edge cases of issue #16 (several From: addresses, an invalid record at the From: domain) and
// of issue #18 (bad sp=, bad p= with and without rua=), and the RFC 7489 outcome kept where it differs.
import { describe, expect, it } from 'vitest';
import type { Resolver } from '../../../src/dns/types.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { fixtureResolver } from '../../helpers/zones.js';
import { makeKey, mailauthSign, txt } from './keys.js';
import { parseZone } from '../../../src/dns/zone/parse.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { loadFixtureZone } from '../../helpers/zones.js';

const resolver = fixtureResolver(['dmarcbis.test.zone', 'psd.test.zone', 'mail.test.zone', 'mailer.test.zone']);
const ctx = { resolver, now: () => new Date() };

const message = (from: string, extra = '') =>
  Buffer.from(
    `From: ${from}\r\nTo: Bob <bob@example.net>\r\nSubject: test\r\nDate: Sat, 29 Nov 2025 10:00:00 +0000\r\nMessage-ID: <t@example.net>\r\n${extra}\r\nHello\r\n`,
  );
/** Unsigned, and without a client IP: nothing authenticates it, so DMARC fails wherever a policy applies. */
const unauthenticated = (from: string, r: Resolver = resolver) =>
  verifyMessage(message(from), { authservId: 'mx.test' }, { resolver: r, now: () => new Date() });
/** SPF passes for 192.0.2.1 at every sender domain of the fixtures: aligned or not, as the sender's domain says. */
const viaSpf = (from: string, sender: string) =>
  verifyMessage(message(from), { authservId: 'mx.test', ip: '192.0.2.1', sender }, ctx);

describe('RFC 9989 policy discovery by DNS tree walk (§4.10, §4.10.1)', () => {
  it('a subdomain without a record gets the Organizational Domain record and its sp= (the domain exists)', async () => {
    const v = await unauthenticated('a@sub.dmarcbis.test');
    expect(v.dmarc).toMatchObject({
      result: 'fail',
      recordDomain: 'dmarcbis.test',
      source: 'organizational',
      orgDomain: 'dmarcbis.test',
      policy: 'quarantine',
      disposition: 'quarantine',
    });
    expect(v.dmarc.rfc7489).toBeUndefined();
  });

  it('np= for a subdomain that does not exist (NXDOMAIN, Appendix A.4); RFC 7489 has no np= and says sp=', async () => {
    const v = await unauthenticated('a@ghost.dmarcbis.test');
    expect(v.dmarc).toMatchObject({ result: 'fail', policy: 'reject', disposition: 'reject' });
    expect(v.dmarc.rfc7489).toMatchObject({ result: 'fail', policy: 'quarantine', recordDomain: 'dmarcbis.test' });
    expect(v.findings.map((f) => f.id)).toContain('verify.dmarc.rfc7489');
  });

  it('psd=n makes a department its own Organizational Domain; the PSL (RFC 7489) says the apex', async () => {
    const v = await unauthenticated('a@x.dept.dmarcbis.test');
    expect(v.dmarc).toMatchObject({ recordDomain: 'dept.dmarcbis.test', orgDomain: 'dept.dmarcbis.test' });
    expect(v.dmarc).toMatchObject({ policy: 'quarantine', disposition: 'quarantine' });
    expect(v.dmarc.rfc7489).toMatchObject({ recordDomain: 'dmarcbis.test', policy: 'quarantine' });
  });

  it('relaxed alignment compares Organizational Domains found by tree walk, not by the PSL', async () => {
    // team.dept's Organizational Domain is dept.dmarcbis.test (psd=n), the MAIL FROM's is dmarcbis.test.
    const v = await viaSpf('a@team.dept.dmarcbis.test', 'bounce@dmarcbis.test');
    expect(v.spf).toMatchObject({ result: 'pass', domain: 'dmarcbis.test' });
    expect(v.dmarc).toMatchObject({ result: 'fail', aligned: { spf: false, dkim: false }, policy: 'none' });
    expect(v.dmarc.rfc7489).toMatchObject({ result: 'pass' });
    // The same MAIL FROM aligns with a sibling that has no psd= of its own (both under dmarcbis.test).
    expect((await viaSpf('a@sub.dmarcbis.test', 'bounce@dmarcbis.test')).dmarc).toMatchObject({
      result: 'pass',
      aligned: { spf: true },
    });
  });

  it('a Public Suffix Domain (psd=y): the name below it is the Organizational Domain (Appendix B.4.3)', async () => {
    const own = await viaSpf('a@giant.psd.test', 'bounce@mail.giant.psd.test');
    expect(own.dmarc).toMatchObject({ result: 'pass', aligned: { spf: true }, recordDomain: 'giant.psd.test' });
    const other = await viaSpf('a@giant.psd.test', 'bounce@mail.mega.psd.test');
    expect(other.dmarc).toMatchObject({ result: 'fail', aligned: { spf: false }, policy: 'none' });
    // The PSL knows nothing of psd.test: for RFC 7489 both are under psd.test, so they align.
    expect(other.dmarc.rfc7489).toMatchObject({ result: 'pass' });
    // Below the PSD with no record of its own: the PSD's record applies (§4.10.1), as a subdomain's.
    expect((await unauthenticated('a@orphan.psd.test')).dmarc).toMatchObject({
      result: 'fail',
      source: 'psd',
      recordDomain: 'psd.test',
      orgDomain: 'orphan.psd.test',
      policy: 'reject',
    });
  });

  it('asks at most 8 _dmarc names, however many labels the From: domain has (§4.10)', async () => {
    const asked: string[] = [];
    const counting: Resolver = {
      lookup: (n, t, o) => {
        if (n.startsWith('_dmarc.')) asked.push(n);
        return resolver.lookup(n, t, o);
      },
    };
    const v = await unauthenticated('a@a.b.c.d.e.f.g.h.i.j.k.dmarcbis.test', counting);
    expect(v.dmarc).toMatchObject({ result: 'fail', recordDomain: 'dmarcbis.test', policy: 'reject' });
    expect(new Set(asked).size).toBeLessThanOrEqual(8);
    expect([...new Set(asked)]).toEqual([
      '_dmarc.a.b.c.d.e.f.g.h.i.j.k.dmarcbis.test',
      '_dmarc.g.h.i.j.k.dmarcbis.test',
      '_dmarc.h.i.j.k.dmarcbis.test',
      '_dmarc.i.j.k.dmarcbis.test',
      '_dmarc.j.k.dmarcbis.test',
      '_dmarc.k.dmarcbis.test',
      '_dmarc.dmarcbis.test',
      '_dmarc.test',
    ]);
  });

  it('several records at the From: domain are discarded and the walk goes on; RFC 7489 applies no DMARC', async () => {
    const v = await unauthenticated('a@multi.dmarcbis.test');
    expect(v.dmarc).toMatchObject({ result: 'fail', recordDomain: 'dmarcbis.test', policy: 'quarantine' });
    expect(v.dmarc.rfc7489).toMatchObject({ result: 'none', policy: null });
  });

  it.each(['case', 'nosemi'])(
    '%s: a v= that is not exactly "DMARC1" up to ";" is no DMARC record (§4.7), so the walk goes on',
    async (name) => {
      const v = await unauthenticated(`a@${name}.dmarcbis.test`);
      expect(v.dmarc).toMatchObject({ result: 'fail', recordDomain: 'dmarcbis.test', policy: 'quarantine' });
    },
  );
});

describe('t= and the removed pct= (RFC 9989 §4.7, Appendix A.6)', () => {
  it('t=y: the policy applies one level weaker; RFC 7489 receivers ignore t= and reject', async () => {
    const v = await unauthenticated('a@testing.dmarcbis.test');
    expect(v.dmarc).toMatchObject({ result: 'fail', policy: 'reject', testing: true, disposition: 'quarantine' });
    expect(v.dmarc.rfc7489).toMatchObject({ result: 'fail', policy: 'reject', disposition: 'reject' });
    const f = v.findings.find((x) => x.id === 'verify.dmarc.rfc7489')!;
    expect(f.message).toMatch(/RFC 7489 .*reject/);
    expect(v.authenticationResults).toContain('dmarc=fail (p=REJECT dis=QUARANTINE)');
  });

  it('pct=50: RFC 9989 applies the policy to every failing message; RFC 7489 to half of them', async () => {
    const v = await unauthenticated('a@pct.dmarcbis.test');
    expect(v.dmarc).toMatchObject({ result: 'fail', policy: 'reject', disposition: 'reject', pct: 50 });
    expect(v.dmarc.rfc7489).toMatchObject({ result: 'fail', disposition: 'reject', pct: 50 });
    expect(v.findings.find((x) => x.id === 'verify.dmarc.rfc7489')!.message).toMatch(/50%/);
  });
});

describe('broken records (RFC 9989 §4.7, §4.10.1; RFC 7489 §6.6.3 step 6)', () => {
  it('an invalid record at the From: domain applies; the organizational domain is not asked (issue #16)', async () => {
    // _dmarc.nop = "v=DMARC1; sp=quarantine; np=reject": no p=, no rua=. Before: the apex's p=reject applied.
    const v = await unauthenticated('a@nop.dmarcbis.test');
    // RFC 9989 §4.7: a missing p= is p=none.
    expect(v.dmarc).toMatchObject({
      result: 'fail',
      recordDomain: 'nop.dmarcbis.test',
      policy: 'none',
      disposition: 'none',
    });
    // RFC 7489 §6.6.3 step 6: no valid p= and no valid rua= → no DMARC processing.
    expect(v.dmarc.rfc7489).toMatchObject({ result: 'none', recordDomain: 'nop.dmarcbis.test', policy: null });
  });

  it.each([
    // [name, RFC 9989 result, policy, RFC 7489 outcome when it differs]
    ['badsp', 'fail', 'none', undefined], // invalid sp= with a valid rua= → p=none (verify said reject)
    ['badp', 'none', null, undefined], // invalid p= and no valid rua= → no DMARC (verify said fail)
    ['badp-rua', 'fail', 'none', undefined], // invalid p= with a valid rua= → p=none
    ['badnp', 'fail', 'none', { result: 'fail', policy: 'reject' }], // RFC 7489 has no np=
    ['unknown', 'fail', 'reject', undefined], // unknown tags are ignored
  ])('%s: %s with policy %s', async (name, result, policy, rfc7489) => {
    const v = await unauthenticated(`a@${name}.dmarcbis.test`);
    expect(v.dmarc).toMatchObject({ result, policy, recordDomain: `${name}.dmarcbis.test` });
    if (rfc7489) expect(v.dmarc.rfc7489).toMatchObject(rfc7489);
    else expect(v.dmarc.rfc7489).toBeUndefined();
  });

  it('a record that applies no DMARC says why, instead of "publishes no DMARC record"', async () => {
    const v = await unauthenticated('a@badp.dmarcbis.test');
    const f = v.findings.find((x) => x.id === 'verify.unauthenticated')!;
    expect(f.message).toMatch(/_dmarc\.badp\.dmarcbis\.test .*no valid rua=/);
  });
});

describe('several From: addresses (RFC 7489 §6.6.1, RFC 9989 §5.3.1 and §11.5)', () => {
  it('evaluates each author domain and applies the strictest failing policy (it was permerror)', async () => {
    const v = await unauthenticated('Bad User <spoof@mailer.test>, Test User <test@dmarcbis.test>');
    expect(v.dmarc).toMatchObject({ result: 'fail', policy: 'reject', disposition: 'reject', domain: 'dmarcbis.test' });
    expect(v.dmarc.authors).toEqual([
      expect.objectContaining({ domain: 'mailer.test', result: 'none' }),
      expect.objectContaining({ domain: 'dmarcbis.test', result: 'fail', policy: 'reject' }),
    ]);
    expect(v.findings.find((f) => f.severity === 'fail')!.id).toBe('verify.dmarc.fail');
  });

  it('the strictest of several failing policies; pass only when every author with a policy passes', async () => {
    const two = await unauthenticated('a@sub.dmarcbis.test, b@testing.dmarcbis.test');
    // sub: quarantine; testing: reject with t=y → quarantine; both quarantine, the first wins.
    expect(two.dmarc).toMatchObject({ result: 'fail', disposition: 'quarantine' });
    const pass = await viaSpf('a@sub.dmarcbis.test, b@dmarcbis.test', 'x@dmarcbis.test');
    expect(pass.dmarc).toMatchObject({ result: 'pass' });
    const mixed = await viaSpf('a@dmarcbis.test, b@pct.dmarcbis.test', 'x@dmarcbis.test');
    // b@pct.dmarcbis.test aligns too (same Organizational Domain by tree walk: dmarcbis.test).
    expect(mixed.dmarc.result).toBe('pass');
  });

  it('two addresses in one domain are one author domain: an ordinary verdict', async () => {
    const v = await unauthenticated('a@dmarcbis.test, b@dmarcbis.test');
    expect(v.dmarc).toMatchObject({ result: 'fail', policy: 'reject' });
    expect(v.dmarc.authors).toBeUndefined();
  });

  it('too many author domains, several From: fields, or no usable address stay permerror', async () => {
    const many = Array.from({ length: 6 }, (_, i) => `a@d${i}.dmarcbis.test`).join(', ');
    expect((await unauthenticated(many)).dmarc).toMatchObject({ result: 'permerror' });
    const fields = await verifyMessage(
      message('a@dmarcbis.test', 'From: b@mailer.test\r\n'),
      { authservId: 'mx.test' },
      ctx,
    );
    expect(fields.dmarc).toMatchObject({ result: 'permerror', reason: 'the message has 2 From: fields' });
    expect((await unauthenticated('undisclosed-recipients:;')).dmarc.result).toBe('permerror');
  });
});

describe('alignment and DNS failures', () => {
  it('strict DKIM alignment needs the same name (RFC 9989 §4.4); a passing DKIM aligns as reported', async () => {
    const key = makeKey('ed25519');
    const zone = parseZone(
      `$ORIGIN sig.test.\n@ SOA ns h 1 3600 600 604800 300\n@ NS ns\nns A 192.0.2.53\n` +
        `_dmarc TXT "v=DMARC1; p=reject; adkim=s"\ns._domainkey.mail TXT ${txt(`v=DKIM1; k=ed25519; p=${key.p}`)}\n` +
        `s._domainkey TXT ${txt(`v=DKIM1; k=ed25519; p=${key.p}`)}\n`,
    );
    const r = layered([zone, loadFixtureZone('dmarcbis.test.zone')], offlineResolver());
    const c = { resolver: r, now: () => new Date() };
    const sign = (d: string) =>
      mailauthSign(message('a@sig.test'), [
        { signingDomain: d, selector: 's', privateKey: key.privatePem, algorithm: 'ed25519-sha256' },
      ]);
    const sub = await verifyMessage(await sign('mail.sig.test'), { authservId: 'mx.test' }, c);
    expect(sub.dkim[0]).toMatchObject({ result: 'pass', aligned: false });
    expect(sub.dmarc).toMatchObject({ result: 'fail', adkim: 's' });
    const same = await verifyMessage(await sign('sig.test'), { authservId: 'mx.test' }, c);
    expect(same.dkim[0]).toMatchObject({ result: 'pass', aligned: true });
    expect(same.dmarc).toMatchObject({ result: 'pass', aligned: { dkim: true } });
  });

  it('signatures that do not verify cost no tree walk each, whatever d= they name (RFC 9989 §4.10.2)', async () => {
    const asked = new Set<string>();
    const counting: Resolver = {
      lookup: (n, t, o) => {
        if (n.startsWith('_dmarc.')) asked.add(n);
        return resolver.lookup(n, t, o);
      },
    };
    const sigs = Array.from(
      { length: 6 },
      (_, i) =>
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=x${i}.dmarcbis.test; s=s; h=from; bh=${'A'.repeat(43)}=; b=AAAA\r\n`,
    ).join('');
    const v = await verifyMessage(
      Buffer.concat([Buffer.from(sigs), message('a@sub.dmarcbis.test')]),
      { authservId: 'mx.test' },
      { resolver: counting, now: () => new Date() },
    );
    expect(v.dkim).toHaveLength(6);
    expect(v.dkim.every((d) => d.result !== 'pass')).toBe(true);
    // Each is under the From: domain's Organizational Domain, which the author's own walk found.
    expect(v.dkim.every((d) => d.aligned)).toBe(true);
    expect([...asked].sort()).toEqual(['_dmarc.dmarcbis.test', '_dmarc.sub.dmarcbis.test', '_dmarc.test']);
  });

  it('a DNS failure on the policy lookup is temperror, not "no record"', async () => {
    const failing: Resolver = { lookup: async () => ({ status: 'servfail' as const, server: '192.0.2.53:53' }) };
    expect((await unauthenticated('a@dmarcbis.test', failing)).dmarc.result).toBe('temperror');
  });

  it('a DNS failure in the walk for an identifier leaves the alignment undecided: temperror', async () => {
    const flaky: Resolver = {
      lookup: (n, t, o) =>
        n === '_dmarc.dmarcbis.test' && t === 'TXT' && !o
          ? Promise.resolve({ status: 'timeout' as const, server: '192.0.2.53:53' })
          : resolver.lookup(n, t, o),
    };
    // sub has no record: its discovery needs _dmarc.dmarcbis.test, which times out.
    expect((await unauthenticated('a@sub.dmarcbis.test', flaky)).dmarc.result).toBe('temperror');
  });
});
