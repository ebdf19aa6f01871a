// Bounded work per message (issue #13): one canonicalization pass for every l=, stopping at the largest; at most
// MAX_SIGNATURES signatures verified and as many key queries; h= bounded and selected through an index; and the
// l= and i= rules of RFC 6376 that a hostile sender leans on.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../../../src/dns/types.js';
import { indexFields, lookUpFields, scanFields, selectSignedFields } from '../../../src/verify/dkim/canonicalize.js';
import { verifyDkim } from '../../../src/verify/dkim/verify.js';
import { parseMessage, type HeaderField, type ParsedMessage } from '../../../src/verify/message.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { SOA, keyRecord, mailauthSign, makeKey, resolverFor, type TestKey } from './keys.js';
import { bodyHash, signDkim } from './sign-raw.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const HEAD = 'From: Alice <alice@mail.test>\r\nTo: bob@example.net\r\nSubject: bounds\r\n\r\n';
const B = 'A'.repeat(342) + '==';
// The caps, as numbers: they are documented API (src/verify/README.md).
const MAX_SIGNATURES = 10;
const MAX_SIGNED_FIELDS = 256;

let rsa: TestKey;
let rsaKey: KeyObject;
let zone: Resolver;

/** A resolver that counts the questions it is asked. */
function counting(inner: Resolver): Resolver & { names: string[] } {
  const names: string[] = [];
  return { names, lookup: (name, type, o) => (names.push(name), inner.lookup(name, type, o)) };
}

/** The message parsed, with every byte range the verifier slices out of its body counted. */
function instrumented(bytes: Buffer): { msg: ParsedMessage; sliced: () => number } {
  const msg = parseMessage(bytes);
  let sliced = 0;
  const body = msg.body;
  const original = body.subarray.bind(body);
  body.subarray = (start?: number, end?: number) => {
    const s = start ?? 0;
    const e = end ?? body.length;
    sliced += Math.max(0, e - s);
    return original(start, end);
  };
  return { msg, sliced: () => sliced };
}

const lines = (n: number) => Buffer.from('The quick  brown fox\tjumps over the lazy dog.   \r\n'.repeat(n), 'latin1');

beforeAll(() => {
  rsa = makeKey('rsa');
  rsaKey = createPrivateKey(rsa.privatePem);
  zone = resolverFor(
    `$ORIGIN mail.test.\n${SOA}sel._domainkey TXT ${keyRecord(rsa)}\n_dmarc TXT "v=DMARC1; p=reject"\n`,
  );
});

describe('the test signer (sign-raw.ts) is right: mailauth verifies what it signs', () => {
  it('relaxed/relaxed rsa-sha256, with and without l=', async () => {
    const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');
    const msg = Buffer.concat([Buffer.from(HEAD), lines(20)]);
    for (const l of [undefined, 100]) {
      const tags = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.test; s=sel; h=from:to:subject${l ? `; l=${l}` : ''}`;
      const signed = signDkim(msg, tags, rsaKey, { l });
      const resolver = async (name: string) => {
        const a = await zone.lookup(name, 'TXT');
        if (a.status !== 'ok') throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        return a.records;
      };
      const r = await dkimVerify(signed, { resolver: resolver as never });
      expect(r.results[0]!.status.result).toBe('pass');
      expect((await verifyDkim(parseMessage(signed), zone, NOW))[0]!.result).toBe('pass');
    }
  });
});

describe('one canonicalization pass for every l= (issue #13)', () => {
  it('ten signatures with ten l= values over a 2 MB body read the body once, and all pass', async () => {
    const body = lines(40_000);
    let msg: Buffer = Buffer.concat([Buffer.from(HEAD), body]);
    const canonical = 40_000 * 'The quick brown fox jumps over the lazy dog.\r\n'.length;
    for (let i = 1; i <= MAX_SIGNATURES; i++) {
      const l = Math.floor((canonical * i) / (MAX_SIGNATURES + 1));
      msg = signDkim(
        msg,
        `v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.test; s=sel; h=from:to:subject; l=${l}`,
        rsaKey,
        {
          l,
        },
      );
    }
    const { msg: parsed, sliced } = instrumented(msg);
    const results = await verifyDkim(parsed, zone, NOW);
    expect(results.map((r) => r.result)).toEqual(Array(MAX_SIGNATURES).fill('pass'));
    // Once for the hashes, and the rest of the same pass to count the bytes after the largest l=.
    expect(sliced()).toBeLessThanOrEqual(body.length * 1.01);
    expect(results.every((r) => r.uncoveredBytes! > 0)).toBe(true);
  });

  it('stops at the largest l=: l= values in the first 100 KB of a 4 MB body read little more than a slice', async () => {
    const body = lines(90_000);
    const sigs = [1000, 50_000, 100_000].map(
      (l) =>
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.test; s=sel; h=from; l=${l}; bh=${bodyHash(body, l)}; b=${B}`,
    );
    const { msg, sliced } = instrumented(Buffer.concat([Buffer.from(`${sigs.join('\r\n')}\r\n${HEAD}`), body]));
    const results = await verifyDkim(msg, zone, NOW);
    // The body hashes verified (so the bytes were right); the made-up b= did not.
    expect(results.map((r) => r.reason)).toEqual(Array(3).fill('signature did not verify'));
    expect(body.length).toBeGreaterThan(4 << 20);
    expect(sliced()).toBeLessThan((1 << 20) + 100_000);
  });

  it('a body shorter than l= fails, and says so', async () => {
    const msg = signDkim(
      Buffer.concat([Buffer.from(HEAD), lines(2)]),
      'v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.test; s=sel; h=from:to:subject; l=5000; bh=' + B.slice(0, 44),
      rsaKey,
      { bh: false },
    );
    const [r] = await verifyDkim(parseMessage(msg), zone, NOW);
    expect(r).toMatchObject({ result: 'fail', reason: 'body hash did not verify (body shorter than l=)' });
  });
});

describe('at most MAX_SIGNATURES signatures, and as many key queries (issue #13)', () => {
  const manyDomains = (n: number) => {
    const body = lines(10);
    const bh = bodyHash(body);
    const sigs = Array.from(
      { length: n },
      (_, i) =>
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=d${i}.example; s=sel; h=from; bh=${bh}; b=${B}`,
    );
    return Buffer.concat([Buffer.from(`${sigs.join('\r\n')}\r\n${HEAD}`), body]);
  };

  it('500 signatures with 500 distinct d= (valid bh=) make at most 10 key queries, and a finding says 490 were left', async () => {
    const resolver = counting(zone);
    const v = await verifyMessage(manyDomains(500), { authservId: 'mx.test' }, { resolver, now: () => NOW });
    const keyQueries = resolver.names.filter((n) => n.includes('._domainkey.'));
    expect(keyQueries).toHaveLength(MAX_SIGNATURES);
    expect(v.dkim).toHaveLength(MAX_SIGNATURES);
    expect(v.dkim.map((d) => d.domain)).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}.example`));
    expect(v.dkimNotVerified).toBe(490);
    const f = v.findings.find((x) => x.id === 'verify.dkim.too-many');
    expect(f).toMatchObject({ severity: 'warn' });
    expect(f!.message).toMatch(/^490 more DKIM signatures were not verified: at most 10 are per message/);
  });

  it('signatures sharing a key share one query', async () => {
    const body = lines(3);
    const sigs = Array.from(
      { length: 8 },
      (_, i) =>
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.test; s=sel; h=from; t=${i}; bh=${bodyHash(body)}; b=${B}`,
    );
    const resolver = counting(zone);
    await verifyDkim(
      parseMessage(Buffer.concat([Buffer.from(`${sigs.join('\r\n')}\r\n${HEAD}`), body])),
      resolver,
      NOW,
    );
    expect(resolver.names).toEqual(['sel._domainkey.mail.test']);
  });

  it('up to the cap, nothing is left out and no finding is added', async () => {
    const v = await verifyMessage(manyDomains(MAX_SIGNATURES), { authservId: 'x' }, { resolver: zone, now: () => NOW });
    expect(v.dkim).toHaveLength(MAX_SIGNATURES);
    expect(v.dkimNotVerified).toBeUndefined();
    expect(v.findings.map((f) => f.id)).not.toContain('verify.dkim.too-many');
  });
});

describe('h= is bounded and selected through an index (issue #13)', () => {
  it('h= of more than MAX_SIGNED_FIELDS names is neutral, before any query', async () => {
    const names = `from:${'x-f:'.repeat(MAX_SIGNED_FIELDS)}to`;
    const resolver = counting(zone);
    const [r] = await verifyDkim(
      parseMessage(
        Buffer.from(
          `DKIM-Signature: v=1; a=rsa-sha256; d=mail.test; s=sel; h=${names}; bh=${B.slice(0, 44)}; b=${B}\r\n${HEAD}x\r\n`,
        ),
      ),
      resolver,
      NOW,
    );
    expect(r).toMatchObject({ result: 'neutral' });
    expect(r!.reason).toBe(`h= names ${MAX_SIGNED_FIELDS + 2} header fields, more than the 256 verified per signature`);
    expect(resolver.names).toEqual([]);
  });

  it('selecting fields reads each header field a bounded number of times, not once per h= name', () => {
    const fields: HeaderField[] = Array.from({ length: 2000 }, (_, i) => ({
      key: `x-${i % 50}`,
      raw: `X-${i % 50}: ${i}`,
    }));
    let reads = 0;
    const headers = new Proxy(fields, {
      get(target, p, receiver) {
        if (typeof p === 'string' && /^\d+$/.test(p)) reads++;
        return Reflect.get(target, p, receiver);
      },
    });
    const names = Array.from({ length: 2000 }, (_, i) => `x-${i % 60}`);
    const picked = selectSignedFields(headers, names);
    expect(reads).toBeLessThan(4 * (fields.length + names.length));
    // Bottom up, each field once: x-0 occurs 40 times (i = 0, 50, …, 1950), the last one first.
    expect(picked.filter((f) => f.key === 'x-0').map((f) => f.raw)).toEqual(
      Array.from({ length: 34 }, (_, k) => `X-0: ${1950 - 50 * k}`),
    );
    expect(picked.some((f) => f.key === 'x-55')).toBe(false);
    expect(selectSignedFields(fields, names, () => indexFields(fields))).toEqual(picked);
  });

  it('the scan (few fields) and the index pick the same fields, in the same order', () => {
    const name = fc.constantFrom('from', 'to', 'subject', 'x-a', 'date');
    fc.assert(
      fc.property(fc.array(name, { maxLength: 25 }), fc.array(name, { maxLength: 25 }), (fieldNames, names) => {
        const headers = fieldNames.map((key, i) => ({ key, raw: `${key}: ${i}` }));
        expect(scanFields(headers, names)).toEqual(lookUpFields(indexFields(headers), names));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('l=: the verdict stands, and the bytes it leaves out are named (issue #13)', () => {
  it('content appended after l= passes with a warning naming the uncovered bytes (mailauth-signed)', async () => {
    const original = Buffer.concat([Buffer.from(HEAD), lines(2)]);
    const signed = await mailauthSign(original, [
      { signingDomain: 'mail.test', selector: 'sel', privateKey: rsa.privatePem, maxBodyLength: 10_000 },
    ]);
    const appended = Buffer.concat([signed, Buffer.from('Click here: http://evil.test/\r\n')]);
    const v = await verifyMessage(appended, { authservId: 'mx.test' }, { resolver: zone, now: () => new Date() });
    expect(v.dkim[0]).toMatchObject({ result: 'pass', bodyLength: 92, uncoveredBytes: 31 });
    expect(v.dmarc.result).toBe('pass');
    const f = v.findings.find((x) => x.id === 'verify.dkim.uncovered-body');
    expect(f).toMatchObject({ severity: 'warn', ref: 'RFC 6376 §8.2' });
    expect(f!.message).toBe(
      '31 bytes of the body are not covered by the signature d=mail.test s=sel (l=92): anyone could have appended them',
    );
  });

  it('no warning when l= covers the whole body', async () => {
    const signed = await mailauthSign(Buffer.concat([Buffer.from(HEAD), lines(2)]), [
      { signingDomain: 'mail.test', selector: 'sel', privateKey: rsa.privatePem, maxBodyLength: 10_000 },
    ]);
    const v = await verifyMessage(signed, { authservId: 'mx.test' }, { resolver: zone, now: () => new Date() });
    expect(v.dkim[0]).toMatchObject({ result: 'pass', bodyLength: 92 });
    expect(v.dkim[0]!.uncoveredBytes).toBeUndefined();
    expect(v.findings.map((f) => f.id)).not.toContain('verify.dkim.uncovered-body');
  });
});

describe('i= is dkim-quoted-printable (RFC 6376 §3.5, §2.11)', () => {
  const signedWith = (i: string) =>
    signDkim(
      Buffer.concat([Buffer.from(HEAD), lines(1)]),
      `v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; i=${i}; h=from:to:subject`,
      rsaKey,
    );
  const example = () => resolverFor(`$ORIGIN example.com.\n${SOA}sel._domainkey TXT ${keyRecord(rsa)}\n`);

  it.each([
    ['jlong=40example.com', 'jlong@example.com'],
    ['jlong@example=2Ecom', 'jlong@example.com'],
    ['jlong@sub.example.com', 'jlong@sub.example.com'],
    ['=40example.com', '@example.com'],
  ])('i=%s is %s, within d=example.com: pass', async (i, decoded) => {
    const [r] = await verifyDkim(parseMessage(signedWith(i)), example(), NOW);
    expect(r).toMatchObject({ result: 'pass', identity: decoded });
  });

  it.each([
    ['jlong=4', /is not dkim-quoted-printable/],
    ['jlong=zzexample.com', /is not dkim-quoted-printable/],
    ['jlong=40evil.test', /i=jlong@evil\.test is not within d=example\.com/],
  ])('i=%s is neutral', async (i, reason) => {
    const [r] = await verifyDkim(parseMessage(signedWith(i)), example(), NOW);
    expect(r!.result).toBe('neutral');
    expect(r!.reason).toMatch(reason);
  });
});
