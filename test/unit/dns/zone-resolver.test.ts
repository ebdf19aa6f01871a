import { describe, expect, it } from 'vitest';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { parseZone } from '../../../src/dns/zone/parse.js';
import { zoneResolver } from '../../../src/dns/zone/resolver.js';
import type { Resolver } from '../../../src/dns/types.js';

const z = parseZone(`$ORIGIN z.test.
@      SOA ns h 1 2 3 4 5
@      MX 10 mx
mx     A 192.0.2.1
alias  CNAME mx
out    CNAME host.elsewhere.test.
l1     CNAME l2
l2     CNAME l1
a.b.c  TXT "deep"
*.w    TXT "wild"
x.w    A 192.0.2.9
`);

describe('zoneResolver', () => {
  const r = zoneResolver([z]);
  it('answers records, NODATA and NXDOMAIN authoritatively', async () => {
    expect(await r.lookup('Z.TEST.', 'MX')).toMatchObject({
      status: 'ok',
      records: [{ preference: 10, exchange: 'mx.z.test' }],
      aa: true,
      server: 'zone:z.test',
    });
    expect(await r.lookup('mx.z.test', 'AAAA')).toMatchObject({ status: 'nodata' });
    expect(await r.lookup('nope.z.test', 'A')).toMatchObject({ status: 'nxdomain' });
  });
  it('gives negative answers the zone negative TTL, min(SOA TTL, SOA MINIMUM) (RFC 2308 §5), as the network does', async () => {
    // The default TTL here is the SOA's MINIMUM (5); a lower SOA TTL wins.
    expect(await r.lookup('nope.z.test', 'A')).toMatchObject({ status: 'nxdomain', ttl: 5 });
    expect(await r.lookup('mx.z.test', 'TXT')).toMatchObject({ status: 'nodata', ttl: 5 });
    const low = zoneResolver([parseZone('$ORIGIN y.test.\n@ 2 SOA ns h 1 2 3 4 300\n')]);
    expect(await low.lookup('nope.y.test', 'A')).toMatchObject({ status: 'nxdomain', ttl: 2 });
    const noSoa = zoneResolver([parseZone('$ORIGIN x.test.\n@ 60 A 192.0.2.1\n')]);
    expect(await noSoa.lookup('nope.x.test', 'A')).not.toHaveProperty('ttl');
  });
  it('answers a record listed twice in the file once, as an authoritative server does', async () => {
    const dup = zoneResolver([
      parseZone('$ORIGIN d.test.\n@ MX 10 mx\n@ MX 10 mx\n@ MX 20 mx\nmx A 192.0.2.1\nmx A 192.0.2.1\n'),
    ]);
    expect(await dup.lookup('d.test', 'MX')).toMatchObject({
      status: 'ok',
      records: [
        { preference: 10, exchange: 'mx.d.test' },
        { preference: 20, exchange: 'mx.d.test' },
      ],
    });
    expect(await dup.lookup('mx.d.test', 'A')).toMatchObject({ status: 'ok', records: ['192.0.2.1'] });
  });
  it('treats empty non-terminals as existing (NODATA, not NXDOMAIN)', async () => {
    expect(await r.lookup('b.c.z.test', 'TXT')).toMatchObject({ status: 'nodata' });
    expect(await r.lookup('c.z.test', 'A')).toMatchObject({ status: 'nodata' });
  });
  it('follows CNAMEs and reports the chain; CNAME queries are not followed', async () => {
    expect(await r.lookup('alias.z.test', 'A')).toMatchObject({
      status: 'ok',
      records: ['192.0.2.1'],
      cnames: ['alias.z.test'],
    });
    expect(await r.lookup('alias.z.test', 'CNAME')).toMatchObject({ status: 'ok', records: ['mx.z.test'], cnames: [] });
    expect(await r.lookup('alias.z.test', 'A', { noFollow: true })).toMatchObject({ status: 'nodata' });
  });
  it('ends a CNAME loop with a temporary-class failure instead of looping', async () => {
    const loop = await r.lookup('l1.z.test', 'A');
    expect(loop.status).toBe('servfail');
    expect(loop.cnames).toEqual(['l1.z.test', 'l2.z.test']);
  });
  it('synthesizes wildcard answers only for names that do not exist (RFC 4592)', async () => {
    expect(await r.lookup('any.w.z.test', 'TXT')).toMatchObject({ status: 'ok', records: [['wild']] });
    expect(await r.lookup('x.w.z.test', 'TXT')).toMatchObject({ status: 'nodata' });
  });
  it('sends out-of-zone CNAME targets to the outside resolver, NXDOMAIN offline', async () => {
    const asked: string[] = [];
    const outside: Resolver = {
      async lookup(name) {
        asked.push(name);
        return {
          status: 'ok',
          records: ['198.51.100.7'] as never[],
          ttl: 60,
          server: 'net',
          cnames: [],
          aa: false,
          ad: false,
        };
      },
    };
    const withNet = layered([z], outside);
    expect(await withNet.lookup('out.z.test', 'A')).toMatchObject({
      status: 'ok',
      records: ['198.51.100.7'],
      cnames: ['out.z.test'],
    });
    expect(asked).toEqual(['host.elsewhere.test']);
    expect(await withNet.lookup('other.test', 'A')).toMatchObject({ status: 'ok', server: 'net' });
    const offline = layered([z], offlineResolver());
    expect(await offline.lookup('out.z.test', 'A')).toMatchObject({ status: 'nxdomain', cnames: ['out.z.test'] });
    expect(await offline.lookup('example.com', 'MX')).toMatchObject({ status: 'nxdomain', server: 'offline' });
  });
  it('picks the most specific zone when origins nest', async () => {
    const child = parseZone('$ORIGIN sub.z.test.\n@ SOA ns h 1 2 3 4 5\n@ A 192.0.2.77');
    const both = zoneResolver([z, child]);
    expect(await both.lookup('sub.z.test', 'A')).toMatchObject({
      status: 'ok',
      records: ['192.0.2.77'],
      server: 'zone:sub.z.test',
    });
  });
});
