// ARC (RFC 8617): a malformed ARC-Seal or ARC-Message-Signature tag list invalidates the set, so the chain is
// fail (issue #16). Each case is a correctly re-signed set — mailauth's own validator says pass to it — whose only
// fault is the syntax: a duplicated tag, an upper-case tag name, an invalid tag name, an empty tag-spec. And an ARC
// set must not make the message's DKIM signatures cost what the per-message caps forbid (issue #13).
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { toMailauthResolver } from '../../../src/dns/adapters/mailauth.js';
import type { Resolver } from '../../../src/dns/types.js';
import { checkArc } from '../../../src/verify/arc.js';
import { parseMessage } from '../../../src/verify/message.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { SOA, keyRecord, makeKey, resolverFor, type TestKey } from './keys.js';
import { bodyHash, relaxedHeader, selectFields, signData, split } from './sign-raw.js';

const MESSAGE = 'From: Alice <alice@mail.test>\r\nTo: list@example.net\r\nSubject: arc\r\n\r\nForwarded text.\r\n';
const AMS_TAGS = 'i=1; a=rsa-sha256; c=relaxed/relaxed; d=arc.test; s=sel; h=from:to:subject';
const AS_TAGS = 'i=1; a=rsa-sha256; t=1768478400; cv=none; d=arc.test; s=sel';

let rsa: TestKey;
let key: KeyObject;
let zone: Resolver;

/** Prepends one ARC set (RFC 8617 §5.1): AMS over h= and the body, the seal over AAR, AMS and itself. */
function seal(message: string, ams = AMS_TAGS, as = AS_TAGS): Buffer {
  const bytes = Buffer.from(message, 'latin1');
  const { fields, body } = split(bytes);
  const aar = 'ARC-Authentication-Results: i=1; mx.arc.test; dkim=none; spf=pass smtp.mailfrom=mail.test';
  const names = /(?:^|;)\s*h=([^;]*)/.exec(ams)![1]!.split(':');
  const amsHead = `ARC-Message-Signature: ${ams}; bh=${bodyHash(body)}; b=`;
  const amsData = selectFields(fields, names).map(relaxedHeader).join('') + relaxedHeader(amsHead).slice(0, -2);
  const amsField = amsHead + signData(amsData, key);
  const asHead = `ARC-Seal: ${as}; b=`;
  const asData = relaxedHeader(aar) + relaxedHeader(amsField) + relaxedHeader(asHead).slice(0, -2);
  const asField = asHead + signData(asData, key);
  return Buffer.concat([Buffer.from(`${asField}\r\n${amsField}\r\n${aar}\r\n`, 'latin1'), bytes]);
}

/** mailauth alone, as arc.ts used it before: dkimVerify() then arc(). */
async function mailauthAlone(bytes: Buffer): Promise<string> {
  const [{ dkimVerify }, { arc }] = await Promise.all([
    import('mailauth/lib/dkim/verify.js'),
    import('mailauth/lib/arc/index.js'),
  ]);
  const r = toMailauthResolver(zone) as never;
  const dk = await dkimVerify(bytes, { resolver: r });
  return ((await arc((dk as unknown as { arc: never }).arc, { resolver: r })).status as { result: string }).result;
}

beforeAll(() => {
  rsa = makeKey('rsa');
  key = createPrivateKey(rsa.privatePem);
  zone = resolverFor(`$ORIGIN arc.test.\n${SOA}sel._domainkey TXT ${keyRecord(rsa)}\n`);
});

describe('a well-formed ARC set', () => {
  it('validates: pass, i=1 (and mailauth alone agrees: the test sealer is right)', async () => {
    const bytes = seal(MESSAGE);
    expect(await checkArc(parseMessage(bytes), zone)).toEqual({ result: 'pass', instance: 1 });
    expect(await mailauthAlone(bytes)).toBe('pass');
  });

  it('a changed body breaks it: fail', async () => {
    const bytes = Buffer.from(seal(MESSAGE).toString('latin1').replace('Forwarded', 'Altered'), 'latin1');
    expect((await checkArc(parseMessage(bytes), zone)).result).toBe('fail');
  });
});

describe('a malformed ARC-Seal tag list, correctly re-signed: fail (RFC 8617 §4.1.3, RFC 6376 §3.2)', () => {
  it.each([
    ['a duplicated tag', AS_TAGS.replace('s=sel', 's=sel; s=sel'), /^ARC-Seal i=1: s= appears more than once/],
    ['an upper-case tag name (so there is no s=)', AS_TAGS.replace('s=sel', 'S=sel'), /^ARC-Seal i=1 has no s= /],
    ['an invalid tag name', `${AS_TAGS}; _=x`, /^ARC-Seal i=1: '_' is not a valid tag name/],
    ['an empty tag-spec', AS_TAGS.replace('; cv=none', ';; cv=none'), /^ARC-Seal i=1: empty tag/],
  ])('%s', async (_, as, reason) => {
    const bytes = seal(MESSAGE, AMS_TAGS, as);
    expect(await mailauthAlone(bytes)).toBe('pass');
    const v = await checkArc(parseMessage(bytes), zone);
    expect(v.result).toBe('fail');
    expect(v.reason).toMatch(reason);
  });
});

describe('a malformed ARC-Message-Signature tag list, correctly re-signed (and re-sealed): fail', () => {
  it.each([
    ['a duplicated tag', AMS_TAGS.replace('d=arc.test', 'd=arc.test; d=arc.test'), /d= appears more than once/],
    ['an upper-case tag name', AMS_TAGS.replace('s=sel', 'S=sel'), /^ARC-Message-Signature i=1 has no s= /],
    ['an invalid tag name', `${AMS_TAGS}; _=x`, /'_' is not a valid tag name/],
    ['an empty tag-spec', AMS_TAGS.replace('; d=', ';; d='), /empty tag/],
  ])('%s', async (_, ams, reason) => {
    const bytes = seal(MESSAGE, ams);
    expect(await mailauthAlone(bytes)).toBe('pass');
    const v = await checkArc(parseMessage(bytes), zone);
    expect(v.result).toBe('fail');
    expect(v.reason).toMatch(reason);
  });
});

describe('an ARC set does not lift the per-message caps', () => {
  it('an AMS that signs a DKIM-Signature still validates (the field is there for mailauth when it counts)', async () => {
    const signed = `DKIM-Signature: v=1; a=rsa-sha256; d=other.example; s=x; h=from; bh=AAAA; b=AAAA\r\n${MESSAGE}`;
    const bytes = seal(signed, AMS_TAGS.replace('h=from:to:subject', 'h=from:to:subject:dkim-signature'));
    expect(await checkArc(parseMessage(bytes), zone)).toEqual({ result: 'pass', instance: 1 });
    const changed = Buffer.from(bytes.toString('latin1').replace('s=x;', 's=y;'), 'latin1');
    expect((await checkArc(parseMessage(changed), zone)).result).toBe('fail');
  });

  it('the body is hashed by our canonicalization, never streamed through mailauth (its hasher re-copies a long line per 64 KB)', async () => {
    const line = `${'lorem ipsum  dolor\tsit '.repeat(140_000)}\r\n`;
    const msg = parseMessage(seal(`${MESSAGE.slice(0, MESSAGE.indexOf('\r\n\r\n') + 4)}${line}`));
    expect(msg.body.length).toBeGreaterThan(3 << 20);
    let sliced = 0;
    const original = msg.bytes.subarray.bind(msg.bytes);
    msg.bytes.subarray = (start?: number, end?: number) => {
      sliced += (end ?? msg.bytes.length) - (start ?? 0);
      return original(start, end);
    };
    expect(await checkArc(msg, zone)).toEqual({ result: 'pass', instance: 1 });
    expect(sliced).toBeLessThan(10_000);
  });

  it('an ARC set on a message with no body validates', async () => {
    const bytes = seal('From: Alice <alice@mail.test>\r\nTo: list@example.net\r\nSubject: arc\r\n\r\n');
    expect(await checkArc(parseMessage(bytes), zone)).toEqual({ result: 'pass', instance: 1 });
  });

  it('an AMS h= over the per-signature bound makes the chain fail, before mailauth scans the fields', async () => {
    const ams = AMS_TAGS.replace('h=from:to:subject', `h=from:${'x-a:'.repeat(300)}to`);
    const v = await checkArc(parseMessage(seal(MESSAGE, ams)), zone);
    expect(v).toMatchObject({ result: 'fail' });
    expect(v.reason).toBe(
      'ARC-Message-Signature i=1: h= names 302 header fields, more than the 256 verified per signature',
    );
  });

  it('500 DKIM signatures and an ARC set: 10 DKIM key queries and the ARC ones, not 500 more', async () => {
    const body = 'Forwarded text.\r\n';
    const bh = bodyHash(Buffer.from(body));
    const sigs = Array.from(
      { length: 500 },
      (_, i) =>
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=d${i}.example; s=sel; h=from; bh=${bh}; b=AAAA`,
    );
    const bytes = seal(`${sigs.join('\r\n')}\r\n${MESSAGE}`);
    const names: string[] = [];
    const counting: Resolver = { lookup: (n, t, o) => (names.push(n), zone.lookup(n, t, o)) };
    const v = await verifyMessage(bytes, { authservId: 'mx.test' }, { resolver: counting, now: () => new Date() });
    expect(v.arc).toEqual({ result: 'pass', instance: 1 });
    const keys = names.filter((n) => n.includes('._domainkey.'));
    expect(keys.filter((n) => n.endsWith('.example'))).toHaveLength(10);
    expect(keys.filter((n) => n === 'sel._domainkey.arc.test').length).toBeLessThanOrEqual(2);
  });
});
