// RFC 6376 §6.1: the key (§6.1.2) comes before the body hash (§6.1.3). We hash first (no DNS for a signature whose
// bh= is wrong); where DMARC fails and an aligned signature's body hash did not verify, its key is looked up after
// all, so the verdict is permerror or temperror when the key is missing, broken or unreachable — and no query is
// added where no verdict rests on it (a third party's signature, or DMARC passing through SPF).
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Resolver } from '../../../src/dns/types.js';
import type { SpfVerdict } from '../../../src/verify/spf.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { SOA, keyRecord, makeKey, resolverFor, txt, type TestKey } from './keys.js';
import { signDkim } from './sign-raw.js';

const HEAD = 'From: Alice <alice@mail.test>\r\nTo: bob@example.net\r\nSubject: order\r\n\r\n';
const BODY = 'Pay invoice 1234 to account 5678.\r\n';

let rsa: TestKey;
let key: KeyObject;
let zone: Resolver;

/** Counts questions; answers `timeout` for the names in `dead`. */
function resolver(dead: string[] = []): Resolver & { names: string[] } {
  const names: string[] = [];
  return {
    names,
    lookup: async (name, type, o) => {
      names.push(name);
      if (dead.includes(name)) return { status: 'timeout', server: '192.0.2.53:53' };
      return zone.lookup(name, type, o);
    },
  };
}

/** Signed by d=<domain> s=<selector> (a key we hold, whatever DNS says), then the body changed. */
function tampered(domain: string, selector: string): Buffer {
  const signed = signDkim(
    Buffer.from(HEAD + BODY),
    `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; s=${selector}; h=from:to:subject`,
    key,
  );
  return Buffer.from(signed.toString('latin1').replace('5678', '9999'), 'latin1');
}

const verify = (bytes: Buffer, r: Resolver, spf?: SpfVerdict) =>
  verifyMessage(bytes, { authservId: 'mx.test', ...(spf ? { spf } : {}) }, { resolver: r, now: () => new Date() });

beforeAll(() => {
  rsa = makeKey('rsa');
  key = createPrivateKey(rsa.privatePem);
  zone = resolverFor(
    `$ORIGIN mail.test.\n${SOA}_dmarc TXT "v=DMARC1; p=reject"\nsel._domainkey TXT ${keyRecord(rsa)}\n` +
      `broken._domainkey TXT ${txt('v=DKIM1; k=rsa; p=bm90IGEga2V5')}\n`,
  );
});

describe('a tampered body signed with a key that DNS does not have: the key decides (§6.1.2 before §6.1.3)', () => {
  it('no key published: permerror, not fail', async () => {
    const v = await verify(tampered('mail.test', 'missing'), resolver());
    expect(v.dkim[0]).toMatchObject({ result: 'permerror', bodyHashFailed: true, aligned: true });
    expect(v.dkim[0]!.reason).toBe(
      'no key for signature (missing._domainkey.mail.test NXDOMAIN); the body hash did not verify either',
    );
    expect(v.dmarc).toMatchObject({ result: 'fail', disposition: 'reject' });
    expect(v.authenticationResults).toMatch(/dkim=permerror \(no key for signature/);
  });

  it('a key record that is not a key: permerror', async () => {
    const v = await verify(tampered('mail.test', 'broken'), resolver());
    expect(v.dkim[0]).toMatchObject({ result: 'permerror' });
    expect(v.dkim[0]!.reason).toMatch(/^invalid public key: .*; the body hash did not verify either$/);
  });

  it('a key lookup that times out: temperror — but the message verdict stays DMARC fail (exit 1), since the signature could not have passed', async () => {
    const v = await verify(tampered('mail.test', 'sel'), resolver(['sel._domainkey.mail.test']));
    expect(v.dkim[0]).toMatchObject({ result: 'temperror', bodyHashFailed: true });
    const dmarc = v.findings.find((f) => f.id.startsWith('verify.dmarc.'))!;
    expect(dmarc).toMatchObject({ id: 'verify.dmarc.fail' });
    expect(dmarc.temporary).toBeUndefined();
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(1);
  });

  it('the key is there: fail (body hash), after one key query', async () => {
    const r = resolver();
    const v = await verify(tampered('mail.test', 'sel'), r);
    expect(v.dkim[0]).toMatchObject({ result: 'fail', reason: 'body hash did not verify' });
    expect(r.names.filter((n) => n.includes('_domainkey'))).toEqual(['sel._domainkey.mail.test']);
  });
});

describe('no key query where no verdict rests on it', () => {
  it('a third party signature (not aligned with From:) that fails its body hash: fail, no key query', async () => {
    const r = resolver();
    const v = await verify(tampered('list.test', 'missing'), r);
    expect(v.dkim[0]).toMatchObject({ result: 'fail', reason: 'body hash did not verify', aligned: false });
    expect(r.names.filter((n) => n.includes('_domainkey'))).toEqual([]);
  });

  it('DMARC passes through SPF: the failed body hash decides nothing, no key query', async () => {
    const r = resolver();
    const spf: SpfVerdict = {
      result: 'pass',
      domain: 'mail.test',
      identity: 'mailfrom',
      sender: 'alice@mail.test',
      ip: '127.0.0.1',
    };
    const v = await verify(tampered('mail.test', 'missing'), r, spf);
    expect(v.dmarc.result).toBe('pass');
    expect(v.dkim[0]).toMatchObject({ result: 'fail', reason: 'body hash did not verify' });
    expect(r.names.filter((n) => n.includes('_domainkey'))).toEqual([]);
  });

  it('a flood of wrong bh= values from the From: domain: the key is asked for once, not once per signature', async () => {
    const one = tampered('mail.test', 'missing');
    const sig = one.toString('latin1').split('\r\n')[0]!;
    const many = Buffer.from(`${Array(9).fill(sig).join('\r\n')}\r\n${one.toString('latin1')}`, 'latin1');
    const r = resolver();
    const v = await verify(many, r);
    expect(v.dkim.map((d) => d.result)).toEqual(Array(10).fill('permerror'));
    expect(r.names.filter((n) => n.includes('_domainkey'))).toEqual(['missing._domainkey.mail.test']);
  });
});
