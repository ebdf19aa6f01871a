// `From: ceo@bank.test\rFrom: a@evil.test`, signed by evil.test (issue #13 item 4): one From: field to us, whose
// address is a@evil.test, so DKIM and DMARC pass for evil.test — while a mail reader that ends lines at a bare CR
// shows From: ceo@bank.test. A bare CR in a header field is malformed (RFC 5322 §2.2): DMARC permerror, and a
// finding that names the bare CR; the receiver's verdict says the same.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Resolver } from '../../../src/dns/types.js';
import { parseMessage } from '../../../src/verify/message.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { rawClient, startTestReceiver, transact, type TestReceiver } from '../../helpers/receiver.js';
import { SOA, keyRecord, makeKey, resolverFor, type TestKey } from './keys.js';
import { signDkim } from './sign-raw.js';

let rsa: TestKey;
let key: KeyObject;
let zone: Resolver;

const message = (from: string, extra = '') =>
  signDkim(
    Buffer.from(`${from}\r\n${extra}To: victim@example.net\r\nSubject: wire the money\r\n\r\nNow.\r\n`, 'latin1'),
    'v=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.test; s=sel; h=from:to:subject',
    key,
  );
const verify = (b: Buffer) => verifyMessage(b, { authservId: 'mx.test' }, { resolver: zone, now: () => new Date() });

beforeAll(() => {
  rsa = makeKey('rsa');
  key = createPrivateKey(rsa.privatePem);
  zone = resolverFor(`$ORIGIN evil.test.\n${SOA}_dmarc TXT "v=DMARC1; p=none"\nsel._domainkey TXT ${keyRecord(rsa)}\n`);
});

describe('a bare CR in a header field', () => {
  it('is found when the message is parsed, field by field', () => {
    const m = parseMessage(Buffer.from('From: a\rFrom: b\r\nSubject: ok\r\nX-A: 1\r\r\n\r\nbody\rstays\r\n', 'latin1'));
    expect(m.bareCr).toEqual(['from', 'x-a']);
    expect(parseMessage(Buffer.from('From: a\r\n folded\r\nSubject: b\r\n\r\nx\r\n')).bareCr).toEqual([]);
  });

  it('From: ceo@bank.test\\rFrom: a@evil.test signed by evil.test: DMARC permerror, not pass, and a finding names the bare CR', async () => {
    const v = await verify(message('From: ceo@bank.test\rFrom: a@evil.test'));
    // DKIM itself verifies: the bytes are what evil.test signed.
    expect(v.dkim[0]).toMatchObject({ result: 'pass', domain: 'evil.test' });
    expect(v.dmarc).toMatchObject({ result: 'permerror', policy: null, aligned: { dkim: false, spf: false } });
    expect(v.dmarc.reason).toMatch(/^the header field from: holds a bare CR/);
    const f = v.findings.find((x) => x.id === 'verify.message.bare-cr');
    expect(f).toMatchObject({ severity: 'fail', ref: 'RFC 5322 §2.2' });
    expect(f!.message).toMatch(/from: holds a bare CR \(a CR without LF\)/);
    expect(v.findings.map((x) => x.id)).toContain('verify.dmarc.permerror');
    expect(v.authenticationResults).toMatch(/dmarc=permerror \(the header field from: holds a bare CR/);
    expect(v.bareCr).toEqual(['from']);
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(1);
  });

  it('smuggled through another field (X-Note: x\\rFrom: ceo@bank.test): the same', async () => {
    const v = await verify(message('From: a@evil.test', 'X-Note: x\rFrom: ceo@bank.test\r\n'));
    expect(v.dmarc.result).toBe('permerror');
    expect(v.findings.find((x) => x.id === 'verify.message.bare-cr')!.message).toMatch(/x-note: holds/);
  });

  it('without a bare CR, the same signed message passes DMARC (the test is fair)', async () => {
    const v = await verify(message('From: a@evil.test'));
    expect(v.dmarc.result).toBe('pass');
    expect(v.bareCr).toBeUndefined();
  });
});

describe('the receiver', () => {
  let r: TestReceiver | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it('stores the message (a receiver does not judge form) and its verdict says DMARC permerror, naming the bare CR', async () => {
    r = await startTestReceiver({}, zone);
    const reply = await transact(await rawClient(r.port), {
      from: 'a@evil.test',
      to: ['victim@example.net'],
      data: message('From: ceo@bank.test\rFrom: a@evil.test'),
    });
    expect(reply.code).toBe(250);
    const [m] = await r.waitFor(1);
    expect(m!.auth.dmarc.result).toBe('permerror');
    expect(m!.findings.map((f) => f.id)).toContain('verify.message.bare-cr');
  });
});
