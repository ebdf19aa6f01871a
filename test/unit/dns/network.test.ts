// networkResolver against our own server on loopback, behaving and misbehaving: statuses, failover, TC → TCP,
// CNAME chains and loops, events. Timeouts are 200 ms so the suite stays fast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailcheckEvent } from '../../../src/core/context.js';
import { networkResolver } from '../../../src/dns/network.js';
import { startDnsServer } from '../../../src/dns/server.js';
import { parseZone } from '../../../src/dns/zone/parse.js';
import { zoneResolver } from '../../../src/dns/zone/resolver.js';
import type { Lookup, Resolver } from '../../../src/dns/types.js';
import {
  deadServerAddress,
  startTestDnsServer,
  type Misbehaviour,
  type TestDnsServer,
} from '../../helpers/dns-server.js';

const BIG = Array.from({ length: 6 }, (_, i) => `"${String(i).repeat(250)}"`).join(' ');
const TEST_ZONE = `
$ORIGIN test.
$TTL 300
@        IN SOA ns.test. hostmaster.test. 1 3600 600 604800 60
@        NS    ns
ns       A     127.0.0.1
www      A     192.0.2.1
         AAAA  2001:db8::1
mail     MX    10 mx
         MX    20 mx2.other.
mx       A     192.0.2.25
txt      TXT   "one " "two"
big      TXT   ${BIG}
alias    CNAME www
alias2   CNAME alias
dangling CNAME nothere
out      CNAME target.other.
loop1    CNAME loop2
loop2    CNAME loop1
pingpong CNAME pong.other.
c0       CNAME c1.other.
c2       CNAME c3.other.
c4       CNAME c5.other.
c6       CNAME c7.other.
c8       CNAME c9.other.
`;
const OTHER_ZONE = `
$ORIGIN other.
$TTL 120
@        IN SOA ns.other. hostmaster.other. 1 3600 600 604800 30
target   A     192.0.2.77
pong     CNAME pingpong.test.
c1       CNAME c2.test.
c3       CNAME c4.test.
c5       CNAME c6.test.
c7       CNAME c8.test.
c9       A     192.0.2.99
`;
const zones = [parseZone(TEST_ZONE), parseZone(OTHER_ZONE)];
const T = 200;

let servers: TestDnsServer[] = [];
async function server(mode: Misbehaviour = 'normal', resolver?: Resolver): Promise<TestDnsServer> {
  const s = await startTestDnsServer({ resolver: resolver ?? zoneResolver(zones), mode });
  servers.push(s);
  return s;
}
function resolverFor(
  list: { host: string; port: number }[],
  extra: { retries?: number; events?: MailcheckEvent[] } = {},
) {
  return networkResolver({
    servers: list,
    timeoutMs: T,
    retries: extra.retries,
    onEvent: extra.events ? (e) => extra.events!.push(e) : undefined,
  });
}
async function timed<R>(p: Promise<R>): Promise<[R, number]> {
  const start = performance.now();
  const r = await p;
  return [r, performance.now() - start];
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('answers from a well-behaved server', () => {
  let s: TestDnsServer;
  let r: Resolver;
  beforeAll(async () => {
    s = await server();
    r = resolverFor([s.address]);
  });

  it('ok: records, TTL, AA, server', async () => {
    expect(await r.lookup('WWW.test.', 'A')).toEqual({
      status: 'ok',
      records: ['192.0.2.1'],
      ttl: 300,
      server: `127.0.0.1:${s.port}`,
      cnames: [],
      aa: true,
      ad: false,
    });
    expect(await r.lookup('www.test', 'AAAA')).toMatchObject({ status: 'ok', records: ['2001:db8::1'] });
    expect(await r.lookup('mail.test', 'MX')).toMatchObject({
      status: 'ok',
      records: [
        { preference: 10, exchange: 'mx.test' },
        { preference: 20, exchange: 'mx2.other' },
      ],
    });
    expect(await r.lookup('txt.test', 'TXT')).toMatchObject({ status: 'ok', records: [['one ', 'two']] });
  });

  it('NODATA and NXDOMAIN are answers, with the SOA negative TTL (RFC 2308 §5)', async () => {
    expect(await r.lookup('www.test', 'MX')).toEqual({
      status: 'nodata',
      server: `127.0.0.1:${s.port}`,
      cnames: [],
      aa: true,
      ad: false,
      ttl: 60,
    });
    expect(await r.lookup('nope.test', 'A')).toMatchObject({ status: 'nxdomain', aa: true, cnames: [], ttl: 60 });
  });

  it('a reply too big for UDP comes over TCP (TC=1, RFC 7766 §5)', async () => {
    const before = s.count('big.test', 'TXT', 'tcp');
    const a = await r.lookup('big.test', 'TXT');
    expect(a.status === 'ok' && a.records[0]!.join('')).toBe(
      Array.from({ length: 6 }, (_, i) => String(i).repeat(250)).join(''),
    );
    expect(s.count('big.test', 'TXT', 'tcp')).toBe(before + 1);
  });

  it('a name that cannot exist is NXDOMAIN without a query', async () => {
    const n = s.queries.length;
    expect(await r.lookup(`${'a'.repeat(64)}.test`, 'A')).toMatchObject({ status: 'nxdomain' });
    expect(s.queries.length).toBe(n);
  });
});

describe('CNAME chains', () => {
  let s: TestDnsServer;
  let r: Resolver;
  beforeAll(async () => {
    s = await server();
    r = resolverFor([s.address]);
  });

  it('returns the chain with the final records', async () => {
    expect(await r.lookup('alias2.test', 'A')).toMatchObject({
      status: 'ok',
      records: ['192.0.2.1'],
      cnames: ['alias2.test', 'alias.test'],
    });
  });

  it('does not chase for type CNAME or noFollow', async () => {
    expect(await r.lookup('alias2.test', 'CNAME')).toMatchObject({ status: 'ok', records: ['alias.test'], cnames: [] });
    expect(await r.lookup('alias2.test', 'A', { noFollow: true })).toMatchObject({ status: 'nodata', cnames: [] });
    expect(await r.lookup('dangling.test', 'A', { noFollow: true })).toMatchObject({ status: 'nodata' });
  });

  it('NXDOMAIN at the end of a chain keeps the chain (RFC 6604)', async () => {
    expect(await r.lookup('dangling.test', 'A')).toMatchObject({ status: 'nxdomain', cnames: ['dangling.test'] });
  });

  it('re-queries the target when an authoritative server stops at its zone edge', async () => {
    const a = await r.lookup('out.test', 'A');
    expect(a).toMatchObject({ status: 'ok', records: ['192.0.2.77'], cnames: ['out.test'], ttl: 120 });
    expect(s.count('target.other', 'A')).toBe(1);
  });

  it('reports a loop across re-queries as servfail with the chain', async () => {
    const a = await r.lookup('pingpong.test', 'A');
    expect(a).toMatchObject({
      status: 'servfail',
      cnames: ['pingpong.test', 'pong.other'],
      error: expect.stringMatching(/CNAME loop/),
    });
  });

  it('reports a loop inside one answer (an authoritative server sends the looping CNAMEs) the same way', async () => {
    expect(await r.lookup('loop1.test', 'TXT')).toMatchObject({
      status: 'servfail',
      cnames: ['loop1.test', 'loop2.test'],
      error: 'CNAME loop: loop1.test → loop2.test → loop1.test',
    });
    expect(s.count('loop1.test', 'TXT')).toBe(1);
  });

  it('gives up after 8 CNAMEs', async () => {
    const a = await r.lookup('c0.test', 'A');
    expect(a).toMatchObject({ status: 'servfail', error: expect.stringMatching(/longer than 8/) });
    expect(a.cnames).toHaveLength(9);
  });
});

describe.concurrent('misbehaving servers', () => {
  it('silent: the next server is asked a slot (timeout / tries) later and answers, well within the timeout', async () => {
    const [silent, good] = [await server('silent'), await server()];
    const events: MailcheckEvent[] = [];
    const [a, ms] = await timed(resolverFor([silent.address, good.address], { events }).lookup('www.test', 'A'));
    expect(a).toMatchObject({ status: 'ok', server: `127.0.0.1:${good.port}` });
    // Two servers, two rounds: four tries, 50 ms apart.
    expect(ms).toBeGreaterThanOrEqual(T / 4 - 10);
    expect(ms).toBeLessThan(T);
    // The silent try, still listening when the answer came, is no part of the story.
    expect(events.map((e) => e.type === 'dns.query' && [e.status, e.attempt])).toEqual([['ok', 2]]);
  });

  it('silent everywhere: every try is sent, and the question fails once, at the timeout (not once per try)', async () => {
    const silent = await server('silent');
    const events: MailcheckEvent[] = [];
    const [a, ms] = await timed(resolverFor([silent.address], { retries: 1, events }).lookup('www.test', 'A'));
    expect(a).toMatchObject({ status: 'timeout', server: `127.0.0.1:${silent.port}` });
    expect(silent.count('www.test', 'A')).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(T - 10);
    // Each try listens until the same deadline: the retry went out half way, with what was left.
    const waits = events.map((e) =>
      Number(/^no reply within (\d+) ms$/.exec((e.type === 'dns.query' && e.error) || '')?.[1]),
    );
    // (Both end at the deadline, in either order.)
    const [first, retry] = waits.sort((a, b) => b - a);
    expect(first).toBeGreaterThan(T - 10);
    expect(first).toBeLessThanOrEqual(T);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(T / 2 + 2); // (a timer may fire a millisecond early)
  });

  it('a slow answer to the first try still counts after the retry went out', async () => {
    const slow = await server('slow:150');
    const [a, ms] = await timed(resolverFor([slow.address], { retries: 1 }).lookup('www.test', 'A'));
    expect(a).toMatchObject({ status: 'ok' });
    expect(ms).toBeLessThan(T);
  });

  it('a dead port fails fast (ICMP unreachable) and the next server answers', async () => {
    const good = await server();
    const [a, ms] = await timed(resolverFor([await deadServerAddress(), good.address]).lookup('www.test', 'A'));
    expect(a).toMatchObject({ status: 'ok' });
    expect(ms).toBeLessThan(T);
  });

  const alone: [Misbehaviour, Lookup<unknown>['status'], RegExp][] = [
    ['wrong-id', 'timeout', /mismatched/],
    ['wrong-question', 'timeout', /mismatched/],
    ['garbage', 'malformed', /undecodable/],
    ['compression-loop', 'malformed', /pointer/],
    ['servfail', 'servfail', /server failure/],
    ['refused', 'refused', /refused/],
    ['slow:400', 'timeout', /no reply/],
  ];
  for (const [mode, status, error] of alone) {
    it(`${mode}: ${status} when it is the only server; the resolver survives`, async () => {
      const bad = await server(mode);
      const r = resolverFor([bad.address], { retries: 1 });
      expect(await r.lookup('www.test', 'A')).toMatchObject({
        status,
        server: `127.0.0.1:${bad.port}`,
        error: expect.stringMatching(error),
      });
      expect(bad.count('www.test', 'A')).toBe(2);
      bad.mode = 'normal';
      expect(await r.lookup('www.test', 'A')).toMatchObject({ status: 'ok' });
    });
    it(`${mode}: the next server answers`, async () => {
      const [bad, good] = [await server(mode), await server()];
      expect(await resolverFor([bad.address, good.address]).lookup('www.test', 'A')).toMatchObject({
        status: 'ok',
        server: `127.0.0.1:${good.port}`,
      });
    });
  }

  it('the worst failure wins: SERVFAIL from one server beats silence from another', async () => {
    const [sf, silent] = [await server('servfail'), await server('silent')];
    expect(await resolverFor([sf.address, silent.address], { retries: 0 }).lookup('www.test', 'A')).toMatchObject({
      status: 'servfail',
      server: `127.0.0.1:${sf.port}`,
    });
  });

  it('slow but within the timeout is fine', async () => {
    const slow = await server('slow:80');
    expect(await resolverFor([slow.address]).lookup('www.test', 'A')).toMatchObject({ status: 'ok' });
  });

  it('spoof-then-real: ignores the forged replies and takes the real one', async () => {
    const s = await server('spoof-then-real');
    expect(await resolverFor([s.address]).lookup('www.test', 'A')).toMatchObject({
      status: 'ok',
      records: ['192.0.2.1'],
    });
  });

  it('truncate: TC over UDP, then the same server over TCP', async () => {
    const s = await server('truncate');
    const events: MailcheckEvent[] = [];
    expect(await resolverFor([s.address], { events }).lookup('mail.test', 'MX')).toMatchObject({
      status: 'ok',
      records: [{ exchange: 'mx.test' }, { exchange: 'mx2.other' }],
    });
    expect([s.count('mail.test', 'MX', 'udp'), s.count('mail.test', 'MX', 'tcp')]).toEqual([1, 1]);
    expect(events.map((e) => e.type === 'dns.query' && [e.transport, e.status, e.flags?.tc])).toEqual([
      ['udp', 'truncated', true],
      ['tcp', 'ok', false],
    ]);
  });

  it('no-edns: FORMERR to EDNS, so it asks again without (RFC 6891 §7)', async () => {
    const s = await server('no-edns');
    expect(await resolverFor([s.address]).lookup('www.test', 'A')).toMatchObject({ status: 'ok' });
    expect(s.count('www.test', 'A', 'udp')).toBe(2);
  });

  it('an abort signal ends the lookup at once', async () => {
    const silent = await server('silent');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const [a, ms] = await timed(
      networkResolver({ servers: [silent.address, silent.address], timeoutMs: 5000 }).lookup('www.test', 'A', {
        signal: ac.signal,
      }),
    );
    expect(a).toMatchObject({ status: 'timeout', error: 'aborted' });
    expect(ms).toBeLessThan(1000);
  });

  it('no servers at all is a timeout that says so', async () => {
    expect(await networkResolver({ servers: [], timeoutMs: T }).lookup('www.test', 'A')).toMatchObject({
      status: 'timeout',
      error: /no DNS servers/,
    });
  });
});

describe('IPv6', () => {
  it('asks a server on [::1] over UDP and TCP and names it [::1]:port', async () => {
    let v6: Awaited<ReturnType<typeof startDnsServer>>;
    try {
      v6 = await startDnsServer({ host: '::1', resolver: zoneResolver(zones) });
    } catch {
      return; // no IPv6 loopback in this sandbox
    }
    try {
      const events: MailcheckEvent[] = [];
      const r = networkResolver({
        servers: [{ host: '::1', port: v6.port }],
        timeoutMs: T,
        onEvent: (e) => events.push(e),
      });
      expect(await r.lookup('www.test', 'A')).toMatchObject({ status: 'ok', server: `[::1]:${v6.port}` });
      expect(await r.lookup('big.test', 'TXT')).toMatchObject({ status: 'ok' });
      expect(events.map((e) => e.type === 'dns.query' && e.transport)).toEqual(['udp', 'udp', 'tcp']);
    } finally {
      await v6.close();
    }
  });
});

describe('events', () => {
  it('one dns.query per wire query, with what the report shows', async () => {
    const s = await server();
    const events: MailcheckEvent[] = [];
    await resolverFor([s.address], { events }).lookup('alias.test', 'A');
    expect(events).toEqual([
      {
        type: 'dns.query',
        name: 'alias.test',
        qtype: 'A',
        server: `127.0.0.1:${s.port}`,
        transport: 'udp',
        status: 'ok',
        rcode: 'NOERROR',
        flags: { aa: true, ad: false, tc: false },
        ttl: 300,
        answers: 2,
        ms: expect.any(Number),
        attempt: 1,
      },
    ]);
  });
});
