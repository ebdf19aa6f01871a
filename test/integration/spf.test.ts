// SPF over real DNS on loopback: fixtures/zones/spf.test.zone served by Knot DNS (Debian's `knot`, an independent
// implementation) and by our own server give the same tree, findings and check_host() results as the zone read in
// memory; timeouts, SERVFAIL and truncation on the wire become temperror / TCP retries, never "no record".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { checkSpf } from '../../src/auth/spf/check.js';
import type { SpfResult } from '../../src/auth/spf/types.js';
import type { Context } from '../../src/core/context.js';
import { networkResolver } from '../../src/dns/network.js';
import { startDnsServer, type RunningDnsServer } from '../../src/dns/server.js';
import type { Resolver } from '../../src/dns/types.js';
import { loadZoneFile } from '../../src/dns/zone/load.js';
import { zoneResolver } from '../../src/dns/zone/resolver.js';
import { runCli } from '../helpers/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { findKnotd, startKnot, type KnotServer } from '../helpers/knot.js';
import { fixtureResolver } from '../helpers/zones.js';

const ZONE_FILE = new URL('../../fixtures/zones/spf.test.zone', import.meta.url).pathname;
const ctx = (resolver: Resolver): Context => ({ resolver, timeoutMs: 2000, now: () => new Date(0), onEvent: () => {} });

/** One question per finding and result kind (the names are documented in the zone file). */
const CASES: { domain?: string; ip?: string; sender?: string; helo?: string }[] = [
  { domain: 'spf.test' },
  { domain: 'spf.test', ip: '192.0.2.25' },
  { domain: 'spf.test', ip: '2001:db8:25::1' },
  { domain: 'spf.test', ip: '198.51.100.7' },
  { domain: 'spf.test', ip: '203.0.113.9' },
  { domain: 'l1.spf.test', ip: '203.0.113.9' },
  { domain: 'none.spf.test', ip: '192.0.2.1' },
  { domain: 'nonexistent.spf.test' },
  { domain: 'lead.spf.test' },
  { domain: 'multiple.spf.test', ip: '192.0.2.1' },
  { domain: 'syntax.spf.test', ip: '192.0.2.1' },
  { domain: 'ctrl.spf.test' },
  { domain: 'rrtype.spf.test' },
  { domain: 'passall.spf.test' },
  { domain: 'neutralall.spf.test', ip: '203.0.113.9' },
  { domain: 'noall.spf.test' },
  { domain: 'after.spf.test' },
  { domain: 'redirall.spf.test' },
  { domain: 'ptr.spf.test' },
  { domain: 'modifier.spf.test' },
  { domain: 'redir.spf.test', ip: '198.51.100.7' },
  { domain: 'brokeninclude.spf.test', ip: '192.0.2.1' },
  { domain: 'loop.spf.test', ip: '192.0.2.1' },
  { domain: 'cnamed.spf.test', ip: '2001:db8::1' },
  { domain: 'near.spf.test' },
  { domain: 'toomany.spf.test', ip: '192.0.2.99' },
  { domain: 'void1.spf.test' },
  { domain: 'voids.spf.test', ip: '192.0.2.1' },
  { domain: 'mx11.spf.test', ip: '192.0.2.25' },
  { domain: 'long.spf.test', ip: '198.51.100.49' },
  { sender: 'eve@explained.spf.test', ip: '198.51.100.99' },
  { domain: 'expbad.spf.test', ip: '192.0.2.1' },
  { sender: 'alice@macro.spf.test', ip: '192.0.2.7' },
  { domain: 'macro.spf.test' },
];

/** What must agree whoever serves the zone: everything but timings and the servers named in steps. */
function comparable(r: SpfResult): unknown {
  const { steps: _steps, ...rest } = r;
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === 'records' && Array.isArray(v) ? [...v].sort() : v)));
}

let expected: unknown[];
beforeAll(async () => {
  const memory = fixtureResolver(['spf.test.zone']);
  expected = await Promise.all(CASES.map(async (c) => comparable(await checkSpf(c, ctx(memory)))));
});

const knotd = findKnotd();
// Locally the test may be skipped without knot; in CI a missing peer is a failure, never a silent skip.
const withKnot = knotd || process.env.CI ? describe : describe.skip;

withKnot('mailcheck spf against Knot DNS', () => {
  let knot: KnotServer;
  beforeAll(async () => {
    if (!knotd)
      throw new Error(
        'knotd not found: install the Debian package `knot` (.ci/run does) to run the SPF integration tests',
      );
    knot = await startKnot([ZONE_FILE]);
  });
  afterAll(async () => knot?.stop());

  it('gives the same tree, findings and results as the zone file read in memory', async () => {
    const net = networkResolver({ servers: [{ host: knot.host, port: knot.port }], timeoutMs: 2000 });
    for (const [i, c] of CASES.entries()) {
      expect(comparable(await checkSpf(c, ctx(net))), JSON.stringify(c)).toEqual(expected[i]);
    }
  });

  it('the CLI: exit codes and JSON through --resolver', async () => {
    const resolver = ['--resolver', `${knot.host}:${knot.port}`, '--json'];
    const pass = await runCli(['spf', 'spf.test', '--ip', '192.0.2.25', ...resolver]);
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ result: 'pass', lookups: 3 });
    const fail = await runCli(['spf', '--sender', 'eve@explained.spf.test', '--ip', '198.51.100.99', ...resolver]);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout)).toMatchObject({
      result: 'fail',
      explanation: expect.stringContaining('198.51.100.99 is not one of'),
    });
    const lint = await runCli(['spf', 'toomany.spf.test', ...resolver]);
    expect(lint.code).toBe(1);
    expect(JSON.parse(lint.stdout)).toMatchObject({
      lookups: 12,
      findings: expect.arrayContaining([expect.objectContaining({ id: 'spf.lookups.exceeded' })]),
    });
  });
});

describe('mailcheck spf against our own DNS server', () => {
  let server: RunningDnsServer;
  beforeAll(async () => {
    server = await startDnsServer({
      host: '127.0.0.1',
      port: 0,
      resolver: zoneResolver([await loadZoneFile(ZONE_FILE)]),
    });
  });
  afterAll(async () => server?.close());

  it('gives the same tree, findings and results as the zone file read in memory', async () => {
    const net = networkResolver({ servers: [{ host: server.host, port: server.port }], timeoutMs: 2000 });
    for (const [i, c] of CASES.entries()) {
      expect(comparable(await checkSpf(c, ctx(net))), JSON.stringify(c)).toEqual(expected[i]);
    }
  });
});

describe('DNS failures on the wire', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer({ zone: await readFile(ZONE_FILE, 'utf8'), origin: 'spf.test' });
  });
  afterAll(async () => dns?.close());
  const net = () => networkResolver({ servers: [dns.address], timeoutMs: 300 });

  it.each(['silent', 'servfail'] as const)(
    '%s below an include → temperror (exit 3), never none or permerror',
    async (mode) => {
      dns.mode = (q) => (q.name === '_spf.spf.test' ? mode : 'normal');
      const r = await checkSpf({ domain: 'spf.test', ip: '2001:db8::1' }, ctx(net()));
      expect(r.result).toBe('temperror');
      expect(r.findings).toContainEqual(expect.objectContaining({ id: 'spf.lookup.temporary', temporary: true }));
      const cli = await runCli([
        'spf',
        'spf.test',
        '--ip',
        '2001:db8::1',
        '--resolver',
        `${dns.host}:${dns.port}`,
        '--timeout',
        '300',
        '--json',
      ]);
      expect(cli.code).toBe(3);
      expect(JSON.parse(cli.stdout).result).toBe('temperror');
    },
  );

  it('a truncated UDP answer is retried over TCP and the long record is read whole', async () => {
    dns.mode = 'truncate';
    const r = await checkSpf({ domain: 'long.spf.test', ip: '198.51.100.49' }, ctx(net()));
    expect(r.result).toBe('pass');
    expect(Buffer.byteLength(r.record!)).toBeGreaterThan(512);
    expect(dns.count('long.spf.test', 'TXT', 'tcp')).toBeGreaterThan(0);
  });
});
