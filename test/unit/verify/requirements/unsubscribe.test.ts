// One-click unsubscribe (RFC 8058) on messages signed by mailauth over chosen header fields: what a receiver
// needs to trust the click, and each way a newsletter falls short of it.
import { describe, expect, it } from 'vitest';
import { listUnsubscribeUris } from '../../../../src/verify/requirements/unsubscribe.js';
import { verifyMessage } from '../../../../src/verify/verdict.js';
import { ONE_CLICK, ctx, message, signed, SIGNED_FIELDS } from './world.js';

const BOTH = [...SIGNED_FIELDS, 'list-unsubscribe', 'list-unsubscribe-post'];
const oneClick = async (raw: Buffer, resolver = ctx.resolver) => {
  const v = await verifyMessage(raw, { authservId: 'mx.test', bulk: true }, { ...ctx, resolver });
  return v.requirements.find((r) => r.id === 'unsubscribe.one-click')!;
};

describe('unsubscribe.one-click (RFC 8058)', () => {
  it('passes with an https URI, One-Click, both fields in the h= of a verified signature', async () => {
    expect(await oneClick(await signed(message({ extra: ONE_CLICK }), BOTH))).toMatchObject({
      result: 'pass',
      scope: 'bulk',
      advisory: false,
    });
  });

  it('fails when either field is outside h= (mailauth by default leaves out List-Unsubscribe-Post)', async () => {
    const r = await oneClick(await signed(message({ extra: ONE_CLICK }), [...SIGNED_FIELDS, 'list-unsubscribe']));
    expect(r).toMatchObject({
      result: 'fail',
      reason:
        'https URI and One-Click present, but no passing DKIM signature has both List-Unsubscribe and List-Unsubscribe-Post in h= (RFC 8058 §4)',
    });
    expect((await oneClick(await signed(message({ extra: ONE_CLICK })))).result).toBe('fail');
  });

  it('fails when the covering signature does not verify, or there is none', async () => {
    const tampered = Buffer.from(
      (await signed(message({ extra: ONE_CLICK }), BOTH)).toString('latin1').replace('Hello.', 'Hello!'),
      'latin1',
    );
    expect((await oneClick(tampered)).reason).toContain(
      'the DKIM signature covering them (d=bulk.test) did not verify (fail)',
    );
    expect((await oneClick(Buffer.from(message({ extra: ONE_CLICK })))).reason).toContain(
      'no DKIM signature verified, so nothing vouches for them',
    );
  });

  it('a key lookup failure for the covering signature is temporary', async () => {
    const dead = { lookup: async () => ({ status: 'servfail' as const, server: 'x' }) };
    expect(await oneClick(await signed(message({ extra: ONE_CLICK }), BOTH), dead as never)).toMatchObject({
      result: 'fail',
      temporary: true,
    });
  });

  it("names only the schemes of the URIs that are not https, never the sender's text", async () => {
    const lu = `List-Unsubscribe: <${'a'.repeat(20_000)}>, <MAILTO:u@bulk.test>, <mailto:v@bulk.test>`;
    expect((await oneClick(Buffer.from(message({ extra: [lu] })))).reason).toBe(
      'List-Unsubscribe has no https URI (not a URI, mailto only): one-click needs one (RFC 8058 §3.1)',
    );
  });

  it.each([
    [[], 'there is no List-Unsubscribe field (RFC 2369, RFC 8058)'],
    [
      ['List-Unsubscribe: <mailto:u@bulk.test>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'],
      'List-Unsubscribe has no https URI (mailto only): one-click needs one (RFC 8058 §3.1)',
    ],
    [
      ['List-Unsubscribe: <http://bulk.test/u/1>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'],
      'List-Unsubscribe has no https URI (http only): one-click needs one (RFC 8058 §3.1)',
    ],
    [['List-Unsubscribe: https://bulk.test/u/1'], 'List-Unsubscribe holds no <URI> (RFC 2369 §2)'],
    [
      ['List-Unsubscribe: <https://bulk.test/u/1>'],
      'there is no List-Unsubscribe-Post: List-Unsubscribe=One-Click field (RFC 8058 §3.1)',
    ],
    [
      ['List-Unsubscribe: <https://bulk.test/u/1>', 'List-Unsubscribe-Post: List-Unsubscribe=Yes'],
      "List-Unsubscribe-Post is 'List-Unsubscribe=Yes', not List-Unsubscribe=One-Click (RFC 8058 §3.1)",
    ],
    [
      [...ONE_CLICK, 'List-Unsubscribe: <https://evil.test/u>'],
      'List-Unsubscribe appears 2 times: a receiver cannot tell which one to use',
    ],
  ])('fails: %j', async (extra, reason) => {
    expect(await oneClick(await signed(message({ extra }), BOTH))).toMatchObject({ result: 'fail', reason });
  });

  it('reads the URIs of RFC 2369 lists (comments, folding, several)', () => {
    expect(listUnsubscribeUris('(Use this) <mailto:a@x.test?subject=unsub>,\r\n\t<https://x.test/u\r\n\t/7>')).toEqual([
      'mailto:a@x.test?subject=unsub',
      'https://x.test/u/7',
    ]);
  });
});
