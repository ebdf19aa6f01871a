import { renderMx } from '../../../src/report/text/mx.js';
import { plainTheme } from '../../../src/report/theme.js';
import { describe, expect, it } from 'vitest';
import { checkMx } from '../../../src/mx/check.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { Resolver } from '../../../src/dns/types.js';
import { fixtureResolver, zoneOf } from '../../helpers/zones.js';

const resolver = fixtureResolver(['example.test.zone', '2.0.192.in-addr.arpa.zone', '8.b.d.0.1.0.0.2.ip6.arpa.zone']);
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id).sort();

describe('checkMx', () => {
  it('follows MX → A/AAAA → PTR → forward confirmation, sorted by preference', async () => {
    const r = await checkMx('example.test', { resolver });
    expect(r).toMatchObject({ kind: 'mx', domain: 'example.test', nullMx: false, implicit: false });
    expect(r.mx).toEqual([
      {
        preference: 10,
        exchange: 'mx1.example.test',
        cnames: [],
        status: 'ok',
        addresses: [
          { address: '192.0.2.10', family: 4, ptr: ['mx1.example.test'], fcrdns: true },
          { address: '2001:db8::10', family: 6, ptr: ['mx1.example.test'], fcrdns: true },
        ],
      },
      {
        preference: 20,
        exchange: 'mx2.example.test',
        cnames: [],
        status: 'ok',
        addresses: [{ address: '192.0.2.20', family: 4, ptr: ['wrong.example.net'], fcrdns: false }],
      },
    ]);
    expect(ids(r)).toContain('mx.address.no-fcrdns');
    expect(r.findings.every((f) => f.severity !== 'fail')).toBe(true);
    // The story starts with the MX question.
    expect(r.steps[0]!.summary).toBe('MX example.test → 10 mx1.example.test, 20 mx2.example.test');
  });

  it('flags CNAME exchanges, IP literals, hosts without address, loopback and duplicates', async () => {
    const r = await checkMx('broken.example.test', { resolver });
    expect(ids(r)).toEqual(
      expect.arrayContaining([
        'mx.exchange.cname',
        'mx.exchange.ip-literal',
        'mx.exchange.no-address',
        'mx.address.reserved',
        'mx.exchange.duplicate',
      ]),
    );
    expect(r.mx.find((h) => h.exchange === '192.0.2.99')).toMatchObject({ status: 'ip-literal', addresses: [] });
    // The alias's target, not its own name again (JSON `cnames`, and the text "(CNAME → mx1.example.test)").
    expect(r.mx.find((h) => h.exchange === 'alias.example.test')!.cnames).toEqual(['mx1.example.test']);
    expect(r.findings.find((f) => f.id === 'mx.exchange.cname')).toMatchObject({
      message:
        'alias.example.test is an alias (CNAME) of mx1.example.test; an MX must name a host with its own address records.',
      advice: 'Point the MX at mx1.example.test itself.',
    });
    // MX 50 mx1 and MX 60 mx1 (listed twice in the file: one record) — one host under two preferences.
    expect(r.mx.filter((h) => h.exchange === 'mx1.example.test').map((h) => h.preference)).toEqual([50, 60]);
    expect(r.findings.find((f) => f.id === 'mx.exchange.duplicate')?.message).toBe(
      'mx1.example.test is listed 2 times (preferences 50, 60); the extra records add no redundancy.',
    );
  });

  it('follows a chain of aliases to its end, and says where a dangling alias points', async () => {
    const r = await checkMx('t', {
      resolver: layered(
        [
          zoneOf`$ORIGIN t.
@ MX 10 a
@ MX 20 gone
a CNAME b
b CNAME host.t.
host A 198.51.100.1
gone CNAME mx.provider.t.
`,
        ],
        offlineResolver(),
      ),
    });
    expect(r.mx.map((h) => [h.exchange, h.cnames])).toEqual([
      ['a.t', ['b.t', 'host.t']],
      ['gone.t', ['mx.provider.t']],
    ]);
    expect(r.findings.find((f) => f.id === 'mx.exchange.no-address')?.message).toBe(
      'gone.t is an alias (CNAME) of mx.provider.t, which does not exist (NXDOMAIN): senders cannot reach it.',
    );
    expect(renderMx(r, plainTheme)).toContain('10 a.t (CNAME → b.t → host.t)');
  });

  it('does not flag a record that is merely written twice in the zone (it is one record)', async () => {
    const r = await checkMx('t', {
      resolver: layered([zoneOf`$ORIGIN t.\n@ MX 10 mx\n@ MX 10 mx\nmx A 198.51.100.1`], offlineResolver()),
    });
    expect(r.mx).toHaveLength(1);
    expect(ids(r)).not.toContain('mx.exchange.duplicate');
  });

  it('recognizes a null MX (RFC 7505) and says so without failing', async () => {
    const r = await checkMx('nullmx.example.test', { resolver });
    expect(r).toMatchObject({ nullMx: true, implicit: false, mx: [] });
    expect(ids(r)).toEqual(['mx.null']);
  });

  it('falls back to the implicit MX when there is no MX but an address (RFC 5321 §5.1)', async () => {
    const r = await checkMx('implicit.example.test', { resolver });
    expect(r.implicit).toBe(true);
    expect(r.mx).toHaveLength(1);
    expect(r.mx[0]).toMatchObject({ preference: 0, exchange: 'implicit.example.test' });
    expect(ids(r)).toContain('mx.implicit');
  });

  it('fails a domain with no MX and no address, and a domain that does not exist', async () => {
    expect(ids(await checkMx('nomail.example.test', { resolver }))).toEqual(['mx.none']);
    expect(ids(await checkMx('nope.example.test', { resolver }))).toEqual(['mx.domain.nxdomain']);
  });

  it('reports a mixed null MX as a failure', async () => {
    const r = await checkMx('t', {
      resolver: layered([zoneOf`$ORIGIN t.\n@ MX 0 .\n@ MX 10 mx\nmx A 198.51.100.1`], offlineResolver()),
    });
    expect(r.nullMx).toBe(true);
    expect(ids(r)).toContain('mx.null.mixed');
  });

  it('keeps a temporary failure apart from "no record"', async () => {
    const failing: Resolver = { lookup: async () => ({ status: 'timeout', server: '192.0.2.53:53' }) };
    const r = await checkMx('example.test', { resolver: failing });
    expect(r.lookup).toBe('timeout');
    expect(r.findings).toEqual([expect.objectContaining({ id: 'mx.lookup.temporary', temporary: true })]);
  });

  it('marks an exchange whose address lookup timed out as temporary, not missing', async () => {
    const base = layered([zoneOf`$ORIGIN t.\n@ MX 10 mx.slow.test.`], offlineResolver());
    const r = await checkMx('t', {
      resolver: {
        lookup: (n, t, o) =>
          n === 'mx.slow.test' ? Promise.resolve({ status: 'servfail', server: 'x' }) : base.lookup(n, t, o),
      },
    });
    expect(r.mx[0]!.status).toBe('temporary');
    expect(r.findings.find((f) => f.id === 'mx.exchange.temporary')?.temporary).toBe(true);
    expect(ids(r)).not.toContain('mx.exchange.no-address');
  });
});
