// One implementation per protocol (issue #18): the same record through both entry points must give the same
// verdict. DMARC: `mailcheck dmarc` (and `check`, which nests the same result) against `verify` (and `receive`,
// which runs verify's verdict) on a message from the domain. SPF: `spf --ip` against `verify --ip`.
import { describe, expect, it } from 'vitest';
import { checkDmarc } from '../../../src/auth/dmarc/check.js';
import { checkSpf } from '../../../src/auth/spf/check.js';
import type { Context } from '../../../src/core/context.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { fixtureResolver } from '../../helpers/zones.js';

const resolver = fixtureResolver([
  'dmarc.test.zone',
  'dmarc-none.test.zone',
  'reports.test.zone',
  'dmarcbis.test.zone',
  'psd.test.zone',
  'cross.test.zone',
]);
const ctx: Context = { resolver, timeoutMs: 1000, now: () => new Date(), onEvent: () => {} };
const message = (from: string) =>
  Buffer.from(`From: ${from}\r\nTo: b@example.net\r\nSubject: t\r\nMessage-ID: <t@example.net>\r\n\r\nHello\r\n`);

describe('DMARC: `dmarc` and `verify` say the same thing about the same record', () => {
  it.each([
    // RFC 9989 discovery and the tags it added
    'dmarcbis.test',
    'sub.dmarcbis.test',
    'ghost.dmarcbis.test', // does not exist: np=
    'x.dept.dmarcbis.test', // psd=n
    'team.dept.dmarcbis.test',
    'testing.dmarcbis.test', // t=y
    'pct.dmarcbis.test',
    'removed.dmarcbis.test',
    'a.b.c.d.e.f.g.h.i.j.k.dmarcbis.test', // more than 8 labels
    'giant.psd.test', // below a PSD, with a record
    'orphan.psd.test', // below a PSD, without one: the PSD's record
    // Issue #16: an invalid record at the From: domain (no p=, no rua=)
    'nop.dmarcbis.test',
    // Issue #18's table: bad sp=, bad p= with and without rua=, bad np=, unknown tags
    'badsp.dmarcbis.test',
    'badp.dmarcbis.test',
    'badp-rua.dmarcbis.test',
    'badnp.dmarcbis.test',
    'unknown.dmarcbis.test',
    'multi.dmarcbis.test',
    'case.dmarcbis.test',
    'nosemi.dmarcbis.test',
    // The record-check fixtures
    'dmarc.test',
    'deep.sub.dmarc.test',
    'none.dmarc.test',
    'pct.dmarc.test',
    'spnone.dmarc.test',
    'badp.dmarc.test',
    'badp-norua.dmarc.test',
    'nop.dmarc.test',
    'nosemi.dmarc.test',
    'multi.dmarc.test',
    'tags.dmarc.test',
    'syntax.dmarc.test',
    'ver.dmarc.test',
    'order.dmarc.test',
    'cname.dmarc.test',
    'other.dmarc.test',
    'www.dmarc-none.test',
  ])('%s', async (domain) => {
    const [record, message_] = await Promise.all([
      checkDmarc(domain, ctx),
      verifyMessage(message(`a@${domain}`), { authservId: 'mx.test' }, ctx),
    ]);
    const v = message_.dmarc;
    // Which record applies, the policy mail from the domain gets, and whether DMARC applies at all.
    expect(v.recordDomain).toBe(record.recordDomain);
    expect(v.policy).toBe(record.appliedPolicy);
    expect(v.result === 'none').toBe(record.appliedPolicy === null);
    expect(v.testing).toBe(record.testing);
    expect(v.pct).toBe(record.pct);
    // Where a receiver still on RFC 7489 differs, both entry points say the same about it too.
    const old = v.rfc7489 ?? v;
    expect(old.policy).toBe(record.rfc7489.appliedPolicy);
    expect(old.recordDomain).toBe(record.rfc7489.recordDomain);
    // And `check` nests the `dmarc` result as it is: the same function, the same record.
  });
});

describe('SPF: `spf --ip` and `verify --ip` give the same result for the same record', () => {
  it.each([
    'pass',
    'fail',
    'softfail',
    'neutral',
    'plusall',
    'dupexp',
    'badexp',
    'bareip6',
    'explained',
    'redirloop',
    'incloop',
    'incnone',
    'unknownmod',
    'syntax',
    'multiple',
    'notspf',
    'voids',
    'toomany',
    'nothing',
  ])('%s.cross.test', async (name) => {
    const sender = `x@${name}.cross.test`;
    const [direct, message_] = await Promise.all([
      checkSpf({ ip: '192.0.2.1', sender }, ctx),
      verifyMessage(message('a@cross.test'), { authservId: 'mx.test', ip: '192.0.2.1', sender }, ctx),
    ]);
    expect(message_.spf!.result).toBe(direct.result);
    expect(message_.spf!.explanation).toBe(direct.explanation);
    expect(message_.spf!.domain).toBe(direct.domain);
  });
});
