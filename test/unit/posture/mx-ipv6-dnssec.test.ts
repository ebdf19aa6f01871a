// check: IPv6 of the MX hosts (every host has AAAA; with --smtp, port 25 answers on it) and DNSSEC of the MX hosts'
// zones, not only the domain's — as internet.nl's mail test checks them (issue #14 §1, last paragraph).
import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dsDigest, keyTag } from '../../../src/auth/dnssec/record.js';
import type { Context } from '../../../src/core/context.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { Lookup, Resolver } from '../../../src/dns/types.js';
import { checkPosture } from '../../../src/posture/check.js';
import { mxIpv6 } from '../../../src/posture/mx-ipv6.js';
import type { ProbeHost, ProbeResult } from '../../../src/probe/types.js';
import { fakeResolver, ok } from '../../helpers/fake-resolver.js';
import { startSmtpPeer, type SmtpPeer } from '../../helpers/smtp-peer.js';
import { zoneOf } from '../../helpers/zones.js';

const ctx = (resolver: Resolver): Context => ({ resolver, timeoutMs: 2000, now: () => new Date(), onEvent: () => {} });
const ids = (r: { findings: { id: string }[] }, prefix: string) =>
  r.findings.map((f) => f.id).filter((i) => i.startsWith(prefix));

describe('IPv6 of the MX hosts', () => {
  const zone = zoneOf`$ORIGIN six.test.
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 192.0.2.53
all MX 10 mx1.all
all MX 20 mx2.all
mx1.all A 192.0.2.1
mx1.all AAAA 2001:db8::1
mx2.all AAAA 2001:db8::2
some MX 10 mx1.some
some MX 20 mx2.some
mx1.some A 192.0.2.1
mx1.some AAAA 2001:db8::1
mx2.some A 192.0.2.2
none MX 10 mx.none
mx.none A 192.0.2.3
nullmx MX 0 .
`;
  const check = (d: string) => checkPosture(d, ctx(layered([zone], offlineResolver())), {});

  it('every MX host has AAAA: ok', async () => {
    const r = await check('all.six.test');
    expect(r.checks.mx!.ipv6).toEqual({ withAaaa: ['mx1.all.six.test', 'mx2.all.six.test'], withoutAaaa: [] });
    expect(r.findings.find((f) => f.id === 'mx.ipv6.ok')).toMatchObject({ check: 'mx', severity: 'ok' });
  });

  it('some MX hosts without AAAA: a warning naming them', async () => {
    const r = await check('some.six.test');
    expect(r.findings.find((f) => f.id === 'mx.ipv6.partial')).toMatchObject({
      check: 'mx',
      severity: 'warn',
      message: expect.stringMatching(/^mx2\.some\.six\.test has no AAAA record while mx1\.some\.six\.test has/),
    });
  });

  it('no MX host with AAAA: said (information: IPv6-only senders cannot deliver)', async () => {
    const r = await check('none.six.test');
    expect(ids(r, 'mx.ipv6')).toEqual(['mx.ipv6.none']);
    expect(r.findings.find((f) => f.id === 'mx.ipv6.none')).toMatchObject({ severity: 'info' });
  });

  it('a null MX (no mail) has nothing to say about IPv6', async () => {
    expect(ids(await check('nullmx.six.test'), 'mx.ipv6')).toEqual([]);
  });

  it('an AAAA lookup that failed is no verdict (temporary), never "no AAAA"', () => {
    const mx = {
      kind: 'mx' as const,
      domain: 'x.test',
      nullMx: false,
      implicit: false,
      lookup: 'ok' as const,
      mx: [
        {
          preference: 10,
          exchange: 'mx.x.test',
          cnames: [],
          status: 'ok' as const,
          addresses: [{ address: '192.0.2.1', family: 4 as const, ptr: [], fcrdns: false }],
        },
      ],
      findings: [],
      steps: [
        {
          kind: 'dns' as const,
          summary: '',
          ms: 0,
          detail: { name: 'mx.x.test', type: 'AAAA', status: 'timeout', records: [], cnames: [], server: 's' },
        },
      ],
    };
    const { findings } = mxIpv6(mx);
    expect(findings.map((f) => [f.id, f.temporary])).toEqual([['mx.ipv6.temporary', true]]);
  });

  it('with --smtp: an AAAA whose port does not answer is a warning; no route from here is no verdict', () => {
    const mx = {
      kind: 'mx' as const,
      domain: 'x.test',
      nullMx: false,
      implicit: false,
      lookup: 'ok' as const,
      mx: [
        {
          preference: 10,
          exchange: 'mx.x.test',
          cnames: [],
          status: 'ok' as const,
          addresses: [
            { address: '192.0.2.1', family: 4 as const, ptr: [], fcrdns: false },
            { address: '2001:db8::1', family: 6 as const, ptr: [], fcrdns: false },
            { address: '2001:db8::2', family: 6 as const, ptr: [], fcrdns: false },
          ],
        },
      ],
      findings: [],
      steps: [],
    };
    const host = (address: string, connected: boolean, kind?: string) =>
      ({
        exchange: 'mx.x.test',
        address,
        port: 25,
        connected,
        ...(kind ? { error: { stage: 'connect', kind, message: kind } } : {}),
      }) as ProbeHost;
    const smtp = {
      hosts: [
        host('192.0.2.1', true),
        host('2001:db8::1', false, 'refused'),
        host('2001:db8::2', false, 'unreachable'),
      ],
    } as ProbeResult;
    const { ipv6, findings } = mxIpv6(mx, smtp);
    expect(ipv6).toMatchObject({ reachable: [], unreachable: ['mx.x.test [2001:db8::1]'] });
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['mx.ipv6.unreachable', 'warn'],
      ['mx.ipv6.untested', 'info'],
    ]);
  });
});

describe('IPv6 of the MX hosts, probed on ::1', () => {
  let peer: SmtpPeer;
  let forward: Server | undefined;
  beforeAll(async () => {
    peer = await startSmtpPeer({ hostname: 'mx.six.test' });
  });
  afterAll(async () => {
    forward?.close();
    await peer.close();
  });
  const zone = () => zoneOf`$ORIGIN six.test.
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx
mx A 127.0.0.1
mx AAAA ::1
`;
  const check = () =>
    checkPosture('six.test', ctx(layered([zone()], offlineResolver())), { smtp: true, smtpPort: peer.port });

  it('port 25 (here the peer’s) does not answer on ::1: mx.ipv6.unreachable', async () => {
    const r = await check();
    expect(r.findings.find((f) => f.id === 'mx.ipv6.unreachable')).toMatchObject({
      check: 'mx',
      severity: 'warn',
      message: expect.stringContaining('mx.six.test [::1]'),
    });
  });

  it('it answers on ::1 too: every MX host has AAAA and answers over IPv6', async () => {
    // The same server on ::1: a forwarder on the same port number.
    forward = createServer((c) => {
      const b = connect(peer.port, '127.0.0.1');
      c.pipe(b).pipe(c);
      c.on('error', () => b.destroy());
      b.on('error', () => c.destroy());
    });
    await new Promise<void>((ok, fail) => forward!.once('error', fail).listen(peer.port, '::1', () => ok()));
    const r = await check();
    expect(r.checks.mx!.ipv6).toMatchObject({ reachable: ['mx.six.test [::1]'], unreachable: [] });
    expect(r.findings.find((f) => f.id === 'mx.ipv6.ok')).toMatchObject({
      message: expect.stringMatching(/port \d+ answers on each IPv6 address/),
    });
  });
});

describe('DNSSEC of the MX hosts’ zones', () => {
  const ad = (records: unknown[]) => ok(records, { ad: true });
  const ds = [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'AA'.repeat(32) }];
  const base = {
    'mail.test MX': [
      { preference: 10, exchange: 'mx.own.mail.test' },
      { preference: 20, exchange: 'mx1.provider.test' },
      { preference: 30, exchange: 'mx2.provider.test' },
    ],
    'mx.own.mail.test A': ['192.0.2.1'],
    'mx1.provider.test A': ['192.0.2.2'],
    'mx2.provider.test A': ['192.0.2.3'],
  };
  const nodata = (): Lookup<unknown> => ({
    status: 'nodata',
    server: '192.0.2.53:53',
    cnames: [],
    aa: false,
    ad: false,
  });

  it('MX hosts in another zone that is unsigned: said once for that zone; the own zone is the domain’s verdict', async () => {
    const log: string[] = [];
    const r = await checkPosture(
      'mail.test',
      ctx(fakeResolver({ ...base, 'mail.test DS': ad(ds), 'provider.test DS': nodata() }, log)),
      {},
    );
    expect(r.checks.dnssec!.mx).toEqual([
      expect.objectContaining({ exchange: 'mx.own.mail.test', sameZone: true }),
      expect.objectContaining({ exchange: 'mx1.provider.test', zone: 'provider.test', sameZone: false, signed: false }),
      expect.objectContaining({ exchange: 'mx2.provider.test', zone: 'provider.test', sameZone: false, signed: false }),
    ]);
    expect(r.findings.filter((f) => f.id.startsWith('dnssec.mx'))).toEqual([
      expect.objectContaining({
        id: 'dnssec.mx.unsigned',
        check: 'dnssec',
        severity: 'info',
        message: expect.stringMatching(
          /^The zone provider\.test \(MX mx1\.provider\.test, mx2\.provider\.test\) is not DNSSEC-signed/,
        ),
      }),
    ]);
    // One zone, asked once, for both hosts.
    expect(log.filter((q) => q === 'provider.test DS')).toHaveLength(1);
  });

  it('a signed and validated provider zone: ok', async () => {
    const key = { flags: 257, protocol: 3, algorithm: 13, key: Buffer.alloc(64, 7).toString('base64') };
    const matching = [
      { keyTag: keyTag(key), algorithm: 13, digestType: 2, digest: dsDigest('provider.test', key, 2)! },
    ];
    const r = await checkPosture(
      'mail.test',
      ctx(fakeResolver({ ...base, 'provider.test DS': ad(matching), 'provider.test DNSKEY': ad([key]) })),
      {},
    );
    expect(ids(r, 'dnssec.mx')).toEqual(['dnssec.mx.validated']);
  });

  it('a provider zone with a DS but no DNSKEY: broken for validating senders (fail)', async () => {
    const r = await checkPosture(
      'mail.test',
      ctx(fakeResolver({ ...base, 'provider.test DS': ad(ds), 'provider.test DNSKEY': nodata() })),
      {},
    );
    expect(r.findings.find((f) => f.id === 'dnssec.mx.broken')).toMatchObject({
      severity: 'fail',
      message: expect.stringMatching(
        /zone of MX host mx1\.provider\.test is broken for validating resolvers: provider\.test has a DS record at the parent but publishes no DNSKEY/,
      ),
    });
  });

  it('the provider zone’s DS lookup fails: no verdict (temporary)', async () => {
    const r = await checkPosture(
      'mail.test',
      ctx(
        fakeResolver({
          ...base,
          'provider.test DS': { status: 'servfail', server: '192.0.2.53:53', cnames: [] },
        }),
      ),
      {},
    );
    expect(r.findings.find((f) => f.id === 'dnssec.mx.temporary')).toMatchObject({ severity: 'warn', temporary: true });
  });

  it('every MX host in the domain’s own zone: no second finding', async () => {
    const r = await checkPosture(
      'mail.test',
      ctx(
        fakeResolver({
          'mail.test MX': [{ preference: 10, exchange: 'mx.mail.test' }],
          'mx.mail.test A': ['192.0.2.1'],
        }),
      ),
      {},
    );
    expect(r.checks.dnssec!.mx).toEqual([expect.objectContaining({ sameZone: true })]);
    expect(ids(r, 'dnssec.mx')).toEqual([]);
  });
});
