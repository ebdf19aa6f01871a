// The sandbox zones: valid master files that answer what the demo's story needs (RFC 1035, 7208, 6376, 7489).
import { describe, expect, it } from 'vitest';
import { sandboxZones } from '../../../src/demo/sandbox.js';
import { parseZone } from '../../../src/dns/zone/parse.js';
import { zoneResolver } from '../../../src/dns/zone/resolver.js';

const key = { selector: 'demo', strings: ['v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='] };

function resolverFor(lookalike?: string) {
  const z = sandboxZones({
    domain: 'sandbox.test',
    address: '127.0.0.1',
    dkim: key,
    stsId: '20261129',
    ...(lookalike ? { lookalike } : {}),
  });
  return { z, r: zoneResolver(z.files.map((f) => parseZone(f.text))) };
}

describe('sandboxZones', () => {
  it('publishes MX → A, SPF, DKIM, DMARC, MTA-STS, TLS-RPT and a forward-confirmed PTR', async () => {
    const { z, r } = resolverFor();
    expect(z.files.map((f) => f.origin)).toEqual(['sandbox.test', '0.0.127.in-addr.arpa']);
    expect(await r.lookup('sandbox.test', 'MX')).toMatchObject({
      status: 'ok',
      records: [{ preference: 10, exchange: 'mx.sandbox.test' }],
    });
    expect(await r.lookup('mx.sandbox.test', 'A')).toMatchObject({ status: 'ok', records: ['127.0.0.1'] });
    const txt = async (name: string) => {
      const a = await r.lookup(name, 'TXT');
      return a.status === 'ok' ? a.records.map((x) => x.join('')) : [];
    };
    expect(await txt('sandbox.test')).toEqual(['v=spf1 ip4:127.0.0.1 -all']);
    expect(await txt('demo._domainkey.sandbox.test')).toEqual([key.strings.join('')]);
    expect((await txt('_dmarc.sandbox.test'))[0]).toMatch(/^v=DMARC1; p=reject;/);
    expect(await txt('_mta-sts.sandbox.test')).toEqual(['v=STSv1; id=20261129']);
    expect((await txt('_smtp._tls.sandbox.test'))[0]).toMatch(/^v=TLSRPTv1; rua=mailto:/);
    expect(await r.lookup('1.0.0.127.in-addr.arpa', 'PTR')).toMatchObject({
      status: 'ok',
      records: ['mail.sandbox.test'],
    });
    expect(await r.lookup('mail.sandbox.test', 'A')).toMatchObject({ status: 'ok', records: ['127.0.0.1'] });
    // The forger's address has no name: iprev fails for it.
    expect((await r.lookup('2.0.0.127.in-addr.arpa', 'PTR')).status).toBe('nxdomain');
  });

  it('adds a look-alike domain whose SPF lets anyone send, when asked', async () => {
    const { z, r } = resolverFor('sandbox-secure.test');
    expect(z.files.map((f) => f.origin)).toContain('sandbox-secure.test');
    expect(await r.lookup('sandbox-secure.test', 'TXT')).toMatchObject({ status: 'ok', records: [['v=spf1 +all']] });
  });

  it('keeps long key records in strings of at most 255 bytes, escaped', () => {
    const long = { selector: 's', strings: ['a'.repeat(255), 'b"c\\d'] };
    const z = sandboxZones({ domain: 'sandbox.test', address: '127.0.0.1', dkim: long, stsId: '1' });
    const zone = parseZone(z.files[0]!.text);
    const rec = zone.records.find((x) => x.name === 's._domainkey.sandbox.test');
    expect(rec?.data).toEqual(['a'.repeat(255), 'b"c\\d']);
  });
});
