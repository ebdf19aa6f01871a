import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Context } from '../../../src/core/context.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { Resolver } from '../../../src/dns/types.js';
import { probeTarget } from '../../../src/probe/check.js';
import { startSmtpPeer, type SmtpPeer } from '../../helpers/smtp-peer.js';
import { zoneOf } from '../../helpers/zones.js';

// mx1 (127.0.0.2) has nothing listening: refused; mx2 (127.0.0.1) is our peer.
const zone = zoneOf`$ORIGIN probe.test.
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx1
@ MX 20 mx2
mx1 A 127.0.0.2
mx2 A 127.0.0.1
nullmx MX 0 .
nomx A 127.0.0.1
temp MX 10 gone.elsewhere.test.
`;
const ptrZone = zoneOf`$ORIGIN 127.in-addr.arpa.
@ SOA ns.probe.test. hostmaster.probe.test. 1 3600 600 604800 300
@ NS ns.probe.test.
1.0.0 PTR mx2.probe.test.
`;

let peer: SmtpPeer;
beforeAll(async () => {
  peer = await startSmtpPeer({ hostname: 'mx2.probe.test', extensions: ['PIPELINING', 'STARTTLS'] });
});
afterAll(() => peer.close());

function ctx(resolver: Resolver = layered([zone, ptrZone], offlineResolver())): Context & { events: string[] } {
  const events: string[] = [];
  return {
    resolver,
    timeoutMs: 1000,
    now: () => new Date(),
    onEvent: (e) => e.type === 'smtp.line' && events.push(`${e.host} ${e.dir} ${e.line}`),
    events,
  };
}

describe('probeTarget', () => {
  it('resolves MX, falls back from an unreachable best MX to the next, and keeps the verdict', async () => {
    const c = ctx();
    const r = await probeTarget('probe.test', c, { port: peer.port, tls: 'none' });
    expect(r).toMatchObject({ kind: 'probe', target: 'probe.test', port: peer.port, tls: 'none' });
    expect(r.hosts.map((h) => [h.exchange, h.address, h.connected])).toEqual([
      ['mx1.probe.test', '127.0.0.2', false],
      ['mx2.probe.test', '127.0.0.1', true],
    ]);
    const refused = r.findings.find((f) => f.id === 'probe.connect.refused')!;
    expect(refused).toMatchObject({ severity: 'warn' });
    expect(refused.temporary).toBeUndefined();
    expect(refused.message).toMatch(/Fell back to mx2\.probe\.test/);
    expect(r.hosts[1]!.ptr).toEqual(['mx2.probe.test']);
    expect(r.findings.map((f) => f.id)).not.toContain('probe.banner.hostname-mismatch');
    expect(exitCode([r])).toBe(0);
    expect(r.steps.some((s) => s.kind === 'dns' && s.summary.startsWith('MX probe.test'))).toBe(true);
    expect(c.events[0]).toMatch(/^mx2\.probe\.test S 220 /);
  });

  it('with all, probes every address concurrently; the unreachable one is temporary', async () => {
    const r = await probeTarget('probe.test', ctx(), { port: peer.port, all: true, tls: 'none' });
    expect(r.hosts).toHaveLength(2);
    expect(r.findings.find((f) => f.id === 'probe.connect.refused')).toMatchObject({
      severity: 'warn',
      temporary: true,
    });
    expect(exitCode([r])).toBe(3);
  });

  it('probes an IP address as is, with its PTR name', async () => {
    const r = await probeTarget('127.0.0.1', ctx(), { port: peer.port, tls: 'none' });
    expect(r.hosts).toMatchObject([
      { exchange: '127.0.0.1', address: '127.0.0.1', ptr: ['mx2.probe.test'], connected: true },
    ]);
    expect(r.findings.map((f) => f.id)).not.toContain('probe.banner.hostname-mismatch');
  });

  it('a host name with no MX is probed through its own address (implicit MX)', async () => {
    const r = await probeTarget('nomx.probe.test', ctx(), { port: peer.port, tls: 'none' });
    expect(r.hosts).toMatchObject([{ exchange: 'nomx.probe.test', address: '127.0.0.1', connected: true }]);
  });

  it('null MX, NXDOMAIN and a DNS failure are findings, not crashes', async () => {
    expect((await probeTarget('nullmx.probe.test', ctx(), { port: peer.port })).findings.map((f) => f.id)).toEqual([
      'probe.target.null-mx',
    ]);
    expect((await probeTarget('missing.probe.test', ctx(), { port: peer.port })).findings.map((f) => f.id)).toEqual([
      'probe.target.nxdomain',
    ]);
    const servfail: Resolver = { lookup: async () => ({ status: 'servfail', server: '192.0.2.53:53' }) };
    const r = await probeTarget('probe.test', ctx(servfail), { port: peer.port });
    expect(r.findings).toMatchObject([{ id: 'probe.target.temporary', temporary: true }]);
    expect(exitCode([r])).toBe(3);
    expect((await probeTarget('temp.probe.test', ctx(), { port: peer.port })).findings.map((f) => f.id)).toEqual([
      'probe.target.no-address',
    ]);
  });
});
