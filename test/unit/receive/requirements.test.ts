// The bulk-sender verdict on every received message: judged from what this session saw (TLS, client name, HELO),
// never from Received: fields inside the message; the same verdict when verify reads the stored file back.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { parseZone } from '../../../src/dns/zone/parse.js';
import type { Requirement } from '../../../src/verify/requirements/types.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { rawClient, startTestReceiver, transact, type TestReceiver } from '../../helpers/receiver.js';
import { loadFixtureZone } from '../../helpers/zones.js';

const SIGNED = readFileSync(new URL('../../../fixtures/eml/signed-rsa.eml', import.meta.url));
// 127.0.0.1 → mx.mail.test → 127.0.0.1: forward-confirmed.
const resolver = layered(
  [
    loadFixtureZone('mail.test.zone'),
    parseZone(
      '$ORIGIN 0.0.127.in-addr.arpa.\n$TTL 300\n@ SOA ns1.mail.test. h.mail.test. 1 3600 600 604800 300\n1 PTR mx.mail.test.\n',
    ),
  ],
  offlineResolver(),
);
const results = (rs: readonly Pick<Requirement, 'id' | 'result'>[]) =>
  Object.fromEntries(rs.map((r) => [r.id, r.result]));
let r: TestReceiver | undefined;
afterEach(async () => {
  await r?.stop();
  r = undefined;
});

describe('receive: the sender requirements of each message', () => {
  it('in clear from a forward-confirmed client: everything met but TLS', async () => {
    r = await startTestReceiver({}, resolver);
    await transact(await rawClient(r.port), {
      helo: 'mx.mail.test',
      from: 'alice@mail.test',
      to: ['bob@example.net'],
      data: SIGNED,
    });
    const [m] = await r.waitFor(1);
    expect(results(m!.requirements)).toEqual({
      'auth.spf-or-dkim': 'pass',
      'auth.spf-and-dkim': 'pass',
      'dmarc.record': 'pass',
      'dmarc.alignment': 'pass',
      'dns.fcrdns': 'pass',
      'dns.helo': 'pass',
      'transport.tls': 'fail',
      'format.rfc5322': 'pass',
      'unsubscribe.one-click': 'fail',
      'arc.forwarded': 'not-applicable',
      'from.impersonation': 'not-applicable',
    });
    expect(m!.requirements.find((x) => x.id === 'dns.fcrdns')!.reason).toBe('127.0.0.1 → mx.mail.test → 127.0.0.1');
    // The line carries { id, result, reason } (advisory when it is): scope and source are verify's, not every line's.
    expect(m!.requirements.find((x) => x.id === 'transport.tls')).toStrictEqual({
      id: 'transport.tls',
      result: 'fail',
      reason: 'delivered in clear, without STARTTLS',
    });
    expect(m!.requirements.find((x) => x.id === 'unsubscribe.one-click')).toStrictEqual({
      id: 'unsubscribe.one-click',
      result: 'fail',
      reason: 'there is no List-Unsubscribe field (RFC 2369, RFC 8058)',
      advisory: true,
    });
    expect(m!.requirementsVerdict).toEqual({
      profile: 'all',
      result: 'fail',
      failed: ['transport.tls'],
      advice: ['unsubscribe.one-click'],
    });
    // The contract's fields are as they were: the verdict on authentication is unchanged by the requirements.
    expect(m!.findings.some((f) => f.severity === 'fail')).toBe(false);
    expect(m!.auth.dmarc.result).toBe('pass');
  });

  it('over STARTTLS the TLS rule passes; --bulk counts the bulk-sender rules', async () => {
    r = await startTestReceiver({ tls: 'starttls', bulk: true, ...(await cert()) }, resolver);
    const c = await rawClient(r.port);
    expect((await c.reply()).code).toBe(220);
    await c.command('EHLO mx.mail.test');
    await c.starttls();
    await transact(
      c,
      { helo: 'mx.mail.test', from: 'alice@mail.test', to: ['bob@example.net'], data: SIGNED },
      { greeting: false },
    );
    const [m] = await r.waitFor(1);
    expect(m!.requirements.find((x) => x.id === 'transport.tls')).toMatchObject({
      result: 'pass',
      reason: expect.stringMatching(/^delivered over TLSv1\.[23] with /),
    });
    expect(m!.requirementsVerdict).toEqual({
      profile: 'bulk',
      result: 'fail',
      failed: ['unsubscribe.one-click'],
      advice: [],
    });
    // verify reads the same connection back from the Received: field we wrote (authserv-id = our hostname).
    const v = await verifyMessage(
      readFileSync(m!.file),
      { authservId: 'mx.mail.test', bulk: true },
      { resolver, now: () => new Date() },
    );
    expect(v.connection).toMatchObject({
      source: 'received',
      ip: '127.0.0.1',
      helo: 'mx.mail.test',
      tls: true,
      by: 'mx.mail.test',
    });
    expect(v.requirementsVerdict).toEqual(m!.requirementsVerdict);
    expect(results(v.requirements)).toEqual(results(m!.requirements));
  });

  it('a Received: field of ours forged inside the message changes nothing: the session is what counts', async () => {
    r = await startTestReceiver({}, resolver);
    const forged = Buffer.concat([
      Buffer.from(
        'Received: from mx.mail.test (mx.mail.test [127.0.0.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n\tby mx.mail.test (mailcheck) with ESMTPS id FAKE; Sat, 29 Nov 2025 10:00:00 +0000\r\n',
      ),
      SIGNED,
    ]);
    await transact(await rawClient(r.port), {
      helo: 'mx.mail.test',
      from: 'alice@mail.test',
      to: ['b@example.net'],
      data: forged,
    });
    const [m] = await r.waitFor(1);
    expect(m!.requirements.find((x) => x.id === 'transport.tls')).toMatchObject({
      result: 'fail',
      reason: 'delivered in clear, without STARTTLS',
    });
  });

  it('a message that is not RFC 5322 is stored with the format rule failed', async () => {
    r = await startTestReceiver({}, resolver);
    await transact(await rawClient(r.port), {
      helo: 'mx.mail.test',
      from: 'alice@mail.test',
      to: ['b@example.net'],
      data: 'no header\r\n',
    });
    const [m] = await r.waitFor(1);
    const format = m!.requirements.find((x) => x.id === 'format.rfc5322')!;
    expect(format).toMatchObject({ result: 'fail', problems: [{ id: 'format.unparseable' }] });
    expect(m!.requirements.find((x) => x.id === 'dns.helo')!.result).toBe('pass');
  });
});

async function cert() {
  const { selfSignedCertificate } = await import('../../../src/receive/self-signed.js');
  return selfSignedCertificate('mx.mail.test');
}
