// Bounded work per DNS answer (issue #13): a domain with more MX hosts, or a host with more addresses, than any
// sender tries costs a bounded number of queries in mx, in send's route and in check's DANE lookups, and a
// finding says how many were not checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDane } from '../../../src/auth/dane/check.js';
import { cached } from '../../../src/dns/cache.js';
import { networkResolver } from '../../../src/dns/network.js';
import { addressShare, checkMx, MX_ADDRESS_LIMIT, MX_EXCHANGE_LIMIT } from '../../../src/mx/check.js';
import { mxRoute } from '../../../src/send/route.js';
import { startTestDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';
import { fanOutResolver } from '../../helpers/fan-out.js';

const EXCHANGES = 40;
const ADDRESSES = 30;
const fan = fanOutResolver('fan.test', EXCHANGES, ADDRESSES);
let dns: TestDnsServer;
const ctx = () => ({
  resolver: cached(networkResolver({ servers: [dns.address], timeoutMs: 2000 })),
  timeoutMs: 2000,
  now: () => new Date(),
  onEvent: () => {},
});
// Questions asked (a long answer asked again over TCP after TC=1 is one question): the MX, A and AAAA of each
// checked host, and a PTR per checked address (NXDOMAIN here, so no forward confirmation).
const questions = () => new Set(dns.queries.map((q) => `${q.name} ${q.type}`)).size;
const BOUND = 1 + 2 * MX_EXCHANGE_LIMIT + MX_EXCHANGE_LIMIT * MX_ADDRESS_LIMIT;

beforeAll(async () => {
  dns = await startTestDnsServer({ resolver: fan.resolver });
});
afterAll(async () => {
  await dns.close();
});

describe('mx: bounded fan-out', () => {
  it(`checks the best ${MX_EXCHANGE_LIMIT} exchanges and ${MX_ADDRESS_LIMIT} addresses each, and says what it left`, async () => {
    dns.queries.length = 0;
    const r = await checkMx('fan.test', ctx());
    // Without the bound: 1 + 2 × 40 + 40 × 60 PTR = 2,481 queries.
    expect(questions()).toBe(BOUND);
    expect(r.mx).toHaveLength(EXCHANGES);
    const checked = r.mx.filter((h) => h.status !== 'unchecked');
    // The best preferences (the last in the answer) are the ones checked.
    expect(checked.map((h) => h.exchange)).toEqual(
      Array.from({ length: MX_EXCHANGE_LIMIT }, (_, i) => fan.exchange(EXCHANGES - 1 - i)),
    );
    for (const h of checked) {
      expect(h.addresses).toHaveLength(MX_ADDRESS_LIMIT);
      // Both families keep a share: 5 IPv4 and 5 IPv6.
      expect(h.addresses.filter((a) => a.family === 6)).toHaveLength(MX_ADDRESS_LIMIT / 2);
      expect(h.addressesUnchecked).toBe(2 * ADDRESSES - MX_ADDRESS_LIMIT);
    }
    expect(r.mx.filter((h) => h.status === 'unchecked').every((h) => h.addresses.length === 0)).toBe(true);
    const unchecked = r.findings.find((f) => f.id === 'mx.exchanges.unchecked');
    expect(unchecked).toMatchObject({ severity: 'warn' });
    expect(unchecked!.message).toContain('only the first 10 by preference were checked, 30 were not');
    const addresses = r.findings.filter((f) => f.id === 'mx.addresses.unchecked');
    expect(addresses).toHaveLength(MX_EXCHANGE_LIMIT);
    expect(addresses[0]!.message).toBe(
      `${fan.exchange(EXCHANGES - 1)} has 60 addresses: 10 were checked, 50 were not.`,
    );
    // Hosts left unchecked are not reported as hosts without an address.
    expect(r.findings.filter((f) => f.id === 'mx.exchange.no-address')).toEqual([]);
  });

  it("send's route takes the same bound: at most 10 hosts of at most 10 addresses", async () => {
    dns.queries.length = 0;
    const { route } = await mxRoute('fan.test', ['a@fan.test'], 25, ctx());
    expect(questions()).toBe(BOUND);
    expect(route.hosts).toHaveLength(MX_EXCHANGE_LIMIT);
    expect(route.hosts.every((h) => h.addresses.length === MX_ADDRESS_LIMIT)).toBe(true);
    expect(route.hosts[0]!.exchange).toBe(fan.exchange(EXCHANGES - 1));
  });

  it('DANE looks up TLSA for the best 10 hosts only, and says how many it left', async () => {
    dns.queries.length = 0;
    const r = await checkDane('fan.test', ctx(), { signed: true });
    expect(dns.queries.filter((q) => q.type === 'TLSA')).toHaveLength(MX_EXCHANGE_LIMIT);
    expect(r.hosts.map((h) => h.exchange)).toEqual(
      Array.from({ length: MX_EXCHANGE_LIMIT }, (_, i) => fan.exchange(EXCHANGES - 1 - i)),
    );
    expect(r.hostsUnchecked).toBe(EXCHANGES - MX_EXCHANGE_LIMIT);
    expect(r.findings.find((f) => f.id === 'dane.hosts.unchecked')?.message).toBe(
      'TLSA records were looked up for the first 10 MX hosts by preference; 30 more were not checked.',
    );
  });

  it('shares the address limit between the families: half each, and what one leaves to the other', () => {
    expect(addressShare(100, 100, 10)).toEqual([5, 5]);
    expect(addressShare(8, 0, 10)).toEqual([8, 0]);
    expect(addressShare(12, 2, 10)).toEqual([8, 2]);
    expect(addressShare(2, 12, 10)).toEqual([2, 8]);
    expect(addressShare(3, 4, 10)).toEqual([3, 4]);
  });
});
