// checkMtaSts against an in-memory zone and a real local HTTPS server with a throwaway CA (RFC 8461 §3.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMtaSts } from '../../../../src/auth/mta-sts/check.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import type { Resolver } from '../../../../src/dns/types.js';
import { startHttpsServer, type TestHttpsServer } from '../../../helpers/https-server.js';
import { createTestCa, type TestCa } from '../../../helpers/test-ca.js';
import { zoneOf } from '../../../helpers/zones.js';

const zone = zoneOf`$ORIGIN sts.test.
@ 3600 SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
@ MX 10 mx1
@ MX 20 mx2
_mta-sts TXT "v=STSv1; id=20240101"
mta-sts A 127.0.0.1
two MX 10 mx1
_mta-sts.two TXT "v=STSv1; id=1"
_mta-sts.two TXT "v=STSv1; id=2"
bad MX 10 mx1
_mta-sts.bad TXT "v=STSv1; id=not-valid!"
mta-sts.bad A 127.0.0.1
none MX 10 mx1
_mta-sts.none TXT "v=spf1 -all"
typo MX 10 mx1
_mta-sts.typo TXT "v=stsv1; id=1"
nohost MX 10 mx1
_mta-sts.nohost TXT "v=STSv1; id=1"
alias MX 10 mx1
_mta-sts.alias TXT "v=STSv1; id=1"
mta-sts.alias CNAME mta-sts.hosting-provider.sts.test.
`;

const POLICY = '/.well-known/mta-sts.txt';
const good = 'version: STSv1\nmode: enforce\nmx: mx1.sts.test\nmx: *.sts.test\nmax_age: 604800\n';

let ca: TestCa;
let server: TestHttpsServer;
let resolver: Resolver;
const ctx = () => ({ resolver, timeoutMs: 3000 });
// The test servers are on loopback: fetching from there is what allowPrivate allows.
const opts = () => ({ ca: [ca.caPem], port: server.port, allowPrivate: true });

beforeAll(async () => {
  ca = createTestCa();
  server = await startHttpsServer(ca.issue(['mta-sts.sts.test', 'mta-sts.bad.sts.test']), { [POLICY]: { body: good } });
  resolver = layered([zone], offlineResolver());
});
afterAll(async () => {
  await server?.close();
  ca?.cleanup();
});

describe('checkMtaSts', () => {
  it('fetches the policy from mta-sts.<domain> over verified HTTPS and matches every MX host', async () => {
    server.routes.set(POLICY, { body: good });
    const r = await checkMtaSts('sts.test', ctx(), opts());
    expect(r).toMatchObject({
      kind: 'mta-sts',
      record: 'v=STSv1; id=20240101',
      id: '20240101',
      mode: 'enforce',
      fetch: { status: 200, address: '127.0.0.1', contentType: 'text/plain' },
    });
    expect(r.mx).toEqual([
      { exchange: 'mx1.sts.test', pattern: 'mx1.sts.test' },
      { exchange: 'mx2.sts.test', pattern: '*.sts.test' },
    ]);
    expect(r.findings.map((f) => f.id)).toEqual(['mta-sts.ok']);
    // The request carried the policy host as Host (the URL's, not the test port) and as SNI, though we connected to an address.
    expect(server.requests.at(-1)).toMatchObject({
      host: 'mta-sts.sts.test',
      servername: 'mta-sts.sts.test',
      path: POLICY,
    });
    expect(r.steps.map((s) => s.summary)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TXT _mta-sts\.sts\.test/),
        expect.stringMatching(/^A mta-sts\.sts\.test → 127\.0\.0\.1/),
        expect.stringMatching(/GET https:\/\/mta-sts\.sts\.test\/\.well-known\/mta-sts\.txt .*HTTP 200/),
      ]),
    );
  });

  it('fails an enforce policy that does not cover an MX host (RFC 8461 §4.1), warns in testing mode', async () => {
    server.routes.set(POLICY, { body: 'version: STSv1\nmode: enforce\nmx: mx1.sts.test\nmax_age: 604800\n' });
    const enforce = await checkMtaSts('sts.test', ctx(), opts());
    expect(enforce.findings.find((f) => f.id === 'mta-sts.mx.unmatched')).toMatchObject({
      severity: 'fail',
      message: expect.stringContaining('mx2.sts.test'),
    });
    server.routes.set(POLICY, { body: 'version: STSv1\nmode: testing\nmx: mx1.sts.test\nmax_age: 604800\n' });
    const testing = await checkMtaSts('sts.test', ctx(), opts());
    expect(testing.findings.map((f) => [f.id, f.severity])).toEqual(
      expect.arrayContaining([
        ['mta-sts.mx.unmatched', 'warn'],
        ['mta-sts.mode.testing', 'info'],
      ]),
    );
  });

  it('warns about a max_age under a day and reports an unused pattern', async () => {
    server.routes.set(POLICY, {
      body: 'version: STSv1\nmode: enforce\nmx: *.sts.test\nmx: old.example\nmax_age: 3600\n',
    });
    const r = await checkMtaSts('sts.test', ctx(), opts());
    expect(r.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['mta-sts.max-age.short', 'mta-sts.mx.unused-pattern']),
    );
  });

  it.each([
    [{ status: 301, headers: { location: 'https://elsewhere.example/p.txt' } }, 'mta-sts.policy.redirect'],
    [{ status: 404 }, 'mta-sts.policy.http-status'],
    [{ body: good, headers: { 'content-type': 'text/html' } }, 'mta-sts.policy.content-type'],
    [{ body: 'version: STSv1\nmode: enforce\nmax_age: 86400\n' }, 'mta-sts.policy.invalid'],
  ])('rejects a bad response %j (RFC 8461 §3.3)', async (route, id) => {
    server.routes.set(POLICY, route);
    const r = await checkMtaSts('sts.test', ctx(), opts());
    expect(r.findings.find((f) => f.id === id)).toMatchObject({ severity: 'fail' });
    expect(r.findings.some((f) => f.temporary)).toBe(false);
  });

  it('caps the size it reads', async () => {
    server.routes.set(POLICY, { body: good + `x: ${'a'.repeat(500)}\n` });
    const r = await checkMtaSts('sts.test', ctx(), { ...opts(), maxBytes: 200 });
    expect(r.fetch).toMatchObject({ truncated: true, bytes: 200 });
    expect(r.findings.map((f) => f.id)).toContain('mta-sts.policy.too-large');
  });

  it('refuses a certificate from an untrusted CA, and one that does not name the policy host', async () => {
    server.routes.set(POLICY, { body: good });
    const untrusted = await checkMtaSts('sts.test', ctx(), { port: server.port, allowPrivate: true });
    expect(untrusted.findings[0]).toMatchObject({ id: 'mta-sts.policy.tls', severity: 'fail' });
    expect(untrusted.fetch?.error).toMatchObject({ stage: 'tls', temporary: false });
    const other = await startHttpsServer(ca.issue(['www.sts.test']), { [POLICY]: { body: good } });
    try {
      const wrongName = await checkMtaSts('sts.test', ctx(), {
        ca: [ca.caPem],
        port: other.port,
        allowPrivate: true,
      });
      expect(wrongName.findings[0]).toMatchObject({
        id: 'mta-sts.policy.tls',
        message: expect.stringMatching(/does not cover the host name/),
      });
    } finally {
      await other.close();
    }
  });

  it('reports a refused connection as temporary, never as "no policy"', async () => {
    const gone = await startHttpsServer(ca.issue(['mta-sts.sts.test']));
    const port = gone.port;
    await gone.close();
    const r = await checkMtaSts('sts.test', ctx(), { ca: [ca.caPem], port, allowPrivate: true });
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'mta-sts.policy.unreachable', severity: 'warn', temporary: true }),
    ]);
  });

  it('does not fetch from a loopback, private or reserved address unless allowed (DNS is not ours to trust)', async () => {
    server.routes.set(POLICY, { body: good });
    const before = server.requests.length;
    const r = await checkMtaSts('sts.test', ctx(), { ca: [ca.caPem], port: server.port });
    expect(r.findings).toEqual([
      expect.objectContaining({
        id: 'mta-sts.policy.private-address',
        severity: 'fail',
        message: expect.stringMatching(/mta-sts\.sts\.test is at 127\.0\.0\.1 \(loopback\), not a public address/),
      }),
    ]);
    expect(r.findings[0]!.temporary).toBeUndefined();
    expect(r.fetch?.error).toMatchObject({ stage: 'address', temporary: false });
    expect(server.requests.length).toBe(before);
  });

  it('says when the policy host has no address', async () => {
    const r = await checkMtaSts('nohost.sts.test', ctx(), opts());
    expect(r.findings[0]).toMatchObject({ id: 'mta-sts.policy.host-missing', severity: 'fail' });
    expect(r.fetch?.error?.stage).toBe('dns');
  });

  it('says where an aliased policy host dangles, and to fix it there', async () => {
    const r = await checkMtaSts('alias.sts.test', ctx(), opts());
    expect(r.fetch?.error).toMatchObject({ stage: 'dns', alias: 'mta-sts.hosting-provider.sts.test' });
    expect(r.findings[0]).toMatchObject({
      id: 'mta-sts.policy.host-missing',
      severity: 'fail',
      message:
        'The policy host cannot be reached: mta-sts.alias.sts.test is an alias (CNAME) of mta-sts.hosting-provider.sts.test, which does not exist (NXDOMAIN). Senders cannot fetch the policy.',
      advice:
        'mta-sts.alias.sts.test points at mta-sts.hosting-provider.sts.test: have that host serve the policy (set it up at the provider it belongs to), or point mta-sts.alias.sts.test at a host that does.',
    });
  });

  it('fetches nothing without a record, and tells a typo from an absent record', async () => {
    const before = server.requests.length;
    const none = await checkMtaSts('none.sts.test', ctx(), opts());
    expect(none.findings.map((f) => [f.id, f.severity])).toEqual([['mta-sts.none', 'info']]);
    expect(none.fetch).toBeNull();
    expect(none.discarded).toEqual(['v=spf1 -all']);
    const typo = await checkMtaSts('typo.sts.test', ctx(), opts());
    expect(typo.findings.map((f) => f.id)).toEqual(['mta-sts.record.discarded']);
    expect(server.requests.length).toBe(before);
  });

  it('flags several records and an invalid one', async () => {
    server.routes.set(POLICY, { body: good });
    expect((await checkMtaSts('two.sts.test', ctx(), opts())).findings[0]).toMatchObject({
      id: 'mta-sts.record.multiple',
      severity: 'fail',
    });
    const bad = await checkMtaSts('bad.sts.test', ctx(), opts());
    expect(bad.findings[0]).toMatchObject({
      id: 'mta-sts.record.invalid',
      message: expect.stringMatching(/letters and digits/),
    });
  });

  it('keeps a SERVFAIL apart from "no record"', async () => {
    const failing: Resolver = {
      lookup: async (name, type, o) =>
        name.startsWith('_mta-sts.') ? { status: 'servfail', server: '192.0.2.53:53' } : resolver.lookup(name, type, o),
    };
    const r = await checkMtaSts('sts.test', { resolver: failing, timeoutMs: 1000 }, opts());
    expect(r.findings).toEqual([expect.objectContaining({ id: 'mta-sts.lookup.temporary', temporary: true })]);
    expect(r.lookup).toBe('servfail');
  });
});
