import { describe, expect, it } from 'vitest';
import type { DkimSignatureResult } from '../../../src/verify/dkim/verify.js';
import { evaluateDmarc, isAligned, organizationalDomain } from '../../../src/verify/dmarc.js';
import type { SpfVerdict } from '../../../src/verify/spf.js';
import { SOA, resolverFor } from './keys.js';

const resolver = resolverFor(`$ORIGIN example.com.\n${SOA}
_dmarc TXT "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; pct=50"
_dmarc.norecord TXT "not a dmarc record"
_dmarc.own TXT "v=DMARC1; p=none"
_dmarc.twice TXT "v=DMARC1; p=none"
_dmarc.twice TXT "v=DMARC1; p=reject"
_dmarc.nop TXT "v=DMARC1; rua=mailto:r@example.com"
_dmarc.bad TXT "v=DMARC1; p=maybe"
`);
const pass = (domain: string): DkimSignatureResult => ({
  result: 'pass',
  domain,
  selector: 's',
  algorithm: 'ed25519-sha256',
});
const spf = (result: SpfVerdict['result'], domain: string): SpfVerdict => ({
  result,
  domain,
  identity: 'mailfrom',
  sender: `x@${domain}`,
  ip: '192.0.2.1',
});
const input = (from: string, o: { dkim?: DkimSignatureResult[]; spf?: SpfVerdict | null } = {}) => ({
  fromAddresses: [`a@${from}`],
  fromFieldCount: 1,
  fromDomain: from,
  dkim: o.dkim ?? [],
  spf: o.spf ?? null,
});

describe('DMARC (RFC 7489)', () => {
  it('strict DKIM alignment needs the same name: d=sub of a strict From domain does not align (§3.1.1)', async () => {
    // mailauth's dmarc() gets this wrong: it passes { strict } where a boolean is expected.
    const v = await evaluateDmarc(input('example.com', { dkim: [pass('mail.example.com')] }), resolver);
    expect(v).toMatchObject({ result: 'fail', adkim: 's', aligned: { dkim: false, spf: false }, policy: 'reject' });
    expect((await evaluateDmarc(input('example.com', { dkim: [pass('example.com')] }), resolver)).result).toBe('pass');
  });

  it('relaxed SPF alignment takes the organizational domain (§3.1.2)', async () => {
    const v = await evaluateDmarc(input('example.com', { spf: spf('pass', 'bounces.example.com') }), resolver);
    expect(v).toMatchObject({ result: 'pass', aligned: { spf: true, dkim: false }, disposition: 'none' });
  });

  it('an SPF result other than pass never aligns', async () => {
    expect((await evaluateDmarc(input('example.com', { spf: spf('softfail', 'example.com') }), resolver)).result).toBe(
      'fail',
    );
  });

  it('a subdomain without its own record gets sp= from the organizational domain (§6.6.3, §6.3)', async () => {
    const v = await evaluateDmarc(input('news.example.com'), resolver);
    expect(v).toMatchObject({
      result: 'fail',
      recordDomain: 'example.com',
      policy: 'quarantine',
      pct: 50,
      disposition: 'quarantine',
    });
  });

  it("a subdomain with its own record gets that record's p=", async () => {
    expect(await evaluateDmarc(input('own.example.com'), resolver)).toMatchObject({
      recordDomain: 'own.example.com',
      policy: 'none',
    });
  });

  it('TXT records that are not DMARC are ignored, and discovery falls back to the organizational domain', async () => {
    expect((await evaluateDmarc(input('norecord.example.com'), resolver)).recordDomain).toBe('example.com');
  });

  it('two DMARC records mean none applies (§6.6.3)', async () => {
    const v = await evaluateDmarc(input('twice.example.com'), resolver);
    expect(v).toMatchObject({ result: 'none', policy: null });
    expect(v.reason).toMatch(/2 DMARC records/);
  });

  it('a record without a valid p= counts as p=none when it has rua=, else as no record (§6.6.3 step 6)', async () => {
    expect(await evaluateDmarc(input('nop.example.com'), resolver)).toMatchObject({
      recordDomain: 'nop.example.com',
      policy: 'none',
    });
    expect((await evaluateDmarc(input('bad.example.com'), resolver)).recordDomain).toBe('example.com');
  });

  it('no From:, several From: fields or several authors: permerror (§6.6.1)', async () => {
    expect((await evaluateDmarc({ ...input('example.com'), fromAddresses: [], fromDomain: '' }, resolver)).result).toBe(
      'permerror',
    );
    expect((await evaluateDmarc({ ...input('example.com'), fromFieldCount: 2 }, resolver)).result).toBe('permerror');
    expect(
      (await evaluateDmarc({ ...input('example.com'), fromAddresses: ['a@example.com', 'b@example.com'] }, resolver))
        .result,
    ).toBe('permerror');
  });

  it('a DNS failure is temperror, not "no record"', async () => {
    const failing = { lookup: async () => ({ status: 'servfail' as const, server: '192.0.2.53:53' }) };
    expect((await evaluateDmarc(input('example.com'), failing)).result).toBe('temperror');
  });

  it('organizational domains come from the Public Suffix List', async () => {
    expect(await organizationalDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(await isAligned('example.co.uk', 'other.co.uk', 'r')).toBe(false);
    expect(await isAligned('x.example.co.uk', 'y.example.co.uk', 'r')).toBe(true);
    expect(await isAligned('x.example.co.uk', 'y.example.co.uk', 's')).toBe(false);
  });
});
