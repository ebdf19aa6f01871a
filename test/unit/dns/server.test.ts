// server.ts seen from the wire: AA, NXDOMAIN vs NODATA with the SOA, CNAME order, zone edges, UDP size limits,
// TCP with several queries per connection in odd chunks, and garbage that must not kill it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { decodeMessage, encodeQuery, type DnsMessage } from '../../../src/dns/codec.js';
import { startDnsServer, answerQuery, type RunningDnsServer } from '../../../src/dns/server.js';
import { parseZone } from '../../../src/dns/zone/parse.js';
import { zoneResolver } from '../../../src/dns/zone/resolver.js';
import type { Resolver } from '../../../src/dns/types.js';

const ZONE = parseZone(`
$ORIGIN s.test.
$TTL 300
@       SOA  ns hostmaster 7 3600 600 604800 45
@       MX   10 mx
        MX   10 mx
mx      A    192.0.2.25
alias   CNAME mx
alias2  CNAME alias
away    CNAME elsewhere.example.
big     TXT  ${Array.from({ length: 3 }, () => `"${'x'.repeat(250)}"`).join(' ')}
`);
const resolver = zoneResolver([ZONE]);

let server: RunningDnsServer;
beforeAll(async () => {
  server = await startDnsServer({ resolver });
});
afterAll(() => server.close());

function udp(bytes: Buffer, port = server.port): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => (s.close(), reject(new Error('no reply'))), 1000);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      const d = decodeMessage(m);
      if (d.ok) resolve(d.message);
      else reject(new Error(d.error));
    });
    s.send(bytes, port, '127.0.0.1');
  });
}
const ask = (name: string, type: string, edns = true) => udp(encodeQuery(name, type, { edns }).bytes);

describe('answers', () => {
  it('records with AA, the question echoed, the id kept', async () => {
    const q = encodeQuery('s.test', 'MX');
    const m = await udp(q.bytes);
    expect(m).toMatchObject({
      id: q.id,
      response: true,
      rcode: 'NOERROR',
      flags: { aa: true, rd: true, tc: false },
      questions: [q.question],
    });
    // The zone lists that MX twice; an RRset goes on the wire once (RFC 2181 §5).
    expect(m.answers).toEqual([
      { name: 's.test', type: 'MX', class: 'IN', ttl: 300, data: { preference: 10, exchange: 'mx.s.test' } },
    ]);
    expect(m.edns).toMatchObject({ version: 0 });
  });

  it('NXDOMAIN and NODATA (NOERROR, empty) both carry the SOA with TTL min(TTL, MINIMUM) (RFC 2308 §3)', async () => {
    const nx = await ask('nope.s.test', 'A');
    const nodata = await ask('mx.s.test', 'TXT');
    expect([nx.rcode, nodata.rcode]).toEqual(['NXDOMAIN', 'NOERROR']);
    for (const m of [nx, nodata]) {
      expect(m.flags.aa).toBe(true);
      expect(m.answers).toEqual([]);
      expect(m.authorities).toMatchObject([{ name: 's.test', type: 'SOA', ttl: 45, data: { serial: 7 } }]);
    }
  });

  it('puts the CNAME chain before the final records', async () => {
    const m = await ask('alias2.s.test', 'A');
    expect(m.answers.map((a) => [a.name, a.type, a.data])).toEqual([
      ['alias2.s.test', 'CNAME', 'alias.s.test'],
      ['alias.s.test', 'CNAME', 'mx.s.test'],
      ['mx.s.test', 'A', '192.0.2.25'],
    ]);
  });

  it('stops a chain at the zone edge with NOERROR and the CNAME alone', async () => {
    const m = await ask('away.s.test', 'A');
    expect([m.rcode, m.answers.map((a) => a.data), m.authorities]).toEqual(['NOERROR', ['elsewhere.example'], []]);
  });

  it('answers a name outside its zones with what the resolver says, without AA', async () => {
    const m = await ask('elsewhere.example', 'A');
    expect([m.rcode, m.flags.aa]).toEqual(['NXDOMAIN', false]);
  });

  it('a type it does not model is NODATA for a name that exists, NXDOMAIN otherwise', async () => {
    expect((await ask('mx.s.test', 'HINFO')).rcode).toBe('NOERROR');
    expect((await ask('none.s.test', 'HINFO')).rcode).toBe('NXDOMAIN');
  });

  it('SERVFAIL when the resolver fails temporarily or throws', async () => {
    const failing: Resolver = { lookup: async () => ({ status: 'timeout', server: 'x' }) };
    const throwing: Resolver = {
      lookup: async () => {
        throw new Error('bug');
      },
    };
    for (const r of [failing, throwing]) {
      const d = decodeMessage((await answerQuery(encodeQuery('a.test', 'A').bytes, r, 'udp'))!);
      expect(d.ok && [d.message.rcode, d.message.flags.aa]).toEqual(['SERVFAIL', false]);
    }
  });

  it('answers from any Resolver, rebuilding the chain it followed', async () => {
    const flat: Resolver = {
      lookup: async (name, type) => {
        if (type === 'CNAME')
          return { status: 'ok', records: ['b.flat'] as never[], ttl: 9, server: 'x', cnames: [], aa: true, ad: false };
        return {
          status: 'ok',
          records: ['192.0.2.9'] as never[],
          ttl: 5,
          server: 'x',
          cnames: [name],
          aa: true,
          ad: false,
        };
      },
    };
    const d = decodeMessage((await answerQuery(encodeQuery('a.flat', 'A').bytes, flat, 'udp'))!);
    expect(d.ok && d.message.answers.map((a) => [a.name, a.type, a.ttl, a.data])).toEqual([
      ['a.flat', 'CNAME', 9, 'b.flat'],
      ['b.flat', 'A', 5, '192.0.2.9'],
    ]);
  });

  it('NOTIMP for other opcodes, FORMERR for two questions, BADVERS for EDNS version 1, REFUSED for class CH', async () => {
    const raw = (p: dnsPacket.Packet & { opcode?: string }) => udp(dnsPacket.encode(p));
    const notify = dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 's.test', type: 'SOA' }] });
    notify.writeUInt16BE(4 << 11, 2);
    expect((await udp(notify)).rcode).toBe('NOTIMP');
    expect(
      (
        await raw({
          type: 'query',
          id: 4,
          questions: [
            { name: 'a.s.test', type: 'A' },
            { name: 'b.s.test', type: 'A' },
          ],
        })
      ).rcode,
    ).toBe('FORMERR');
    expect(
      (
        await raw({
          type: 'query',
          id: 5,
          questions: [{ name: 's.test', type: 'A' }],
          additionals: [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 1232,
              extendedRcode: 0,
              ednsVersion: 1,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
        })
      ).rcode,
    ).toBe('BADVERS');
    expect((await raw({ type: 'query', id: 6, questions: [{ name: 's.test', type: 'TXT', class: 'CH' }] })).rcode).toBe(
      'REFUSED',
    );
  });
});

describe('UDP size (RFC 1035 §4.2.1, RFC 6891 §6.2.5)', () => {
  it('without EDNS, over 512 octets is TC=1 with no records', async () => {
    const m = await ask('big.s.test', 'TXT', false);
    expect([m.flags.tc, m.answers.length, m.rcode]).toEqual([true, 0, 'NOERROR']);
  });

  it("with EDNS, the asker's buffer size is honoured", async () => {
    const m = await ask('big.s.test', 'TXT', true);
    expect([m.flags.tc, m.answers.length]).toEqual([false, 1]);
    const small = dnsPacket.encode({
      type: 'query',
      id: 8,
      questions: [{ name: 'big.s.test', type: 'TXT' }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 600,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    expect((await udp(small)).flags.tc).toBe(true);
  });
});

describe('TCP size (RFC 1035 §4.2.2)', () => {
  it('an answer too big for a TCP message (over 65,535 octets) is SERVFAIL, not silence', async () => {
    const many = parseZone(
      `$ORIGIN m.test.\n@ SOA ns hostmaster 1 3600 600 604800 45\n${Array.from({ length: 3000 }, (_, i) => `@ TXT "record number ${i} of many"`).join('\n')}\n`,
    );
    const q = encodeQuery('m.test', 'TXT', { edns: true });
    const out = await answerQuery(q.bytes, zoneResolver([many]), 'tcp');
    expect(out).toBeDefined();
    const d = decodeMessage(out!);
    expect(d.ok && [d.message.rcode, d.message.answers.length, d.message.id]).toEqual(['SERVFAIL', 0, q.id]);
  });
});

describe('TCP', () => {
  it('answers several queries on one connection, sent one octet at a time', async () => {
    const queries = [
      encodeQuery('s.test', 'MX'),
      encodeQuery('big.s.test', 'TXT', { edns: false }),
      encodeQuery('nope.s.test', 'A'),
    ];
    const stream = Buffer.concat(
      queries.map((q) => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.bytes.length);
        return Buffer.concat([len, q.bytes]);
      }),
    );
    const replies = await new Promise<DnsMessage[]>((resolve, reject) => {
      const out: DnsMessage[] = [];
      let buf = Buffer.alloc(0);
      const s = connect(server.port, '127.0.0.1', async () => {
        for (const byte of stream) {
          s.write(Buffer.from([byte]));
          await new Promise((r) => setImmediate(r));
        }
      });
      s.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const d = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          if (d.ok) out.push(d.message);
          if (out.length === queries.length) {
            s.end();
            resolve(out);
          }
        }
      });
      s.on('error', reject);
    });
    const byId = new Map(replies.map((m) => [m.id, m]));
    expect(queries.map((q) => byId.get(q.id)?.rcode)).toEqual(['NOERROR', 'NOERROR', 'NXDOMAIN']);
    // No 512-octet limit over TCP.
    expect(byId.get(queries[1]!.id)?.flags.tc).toBe(false);
  });
});

describe('garbage', () => {
  it('ignores undecodable datagrams and responses, and keeps answering', async () => {
    const s = createSocket('udp4');
    const got: Buffer[] = [];
    s.on('message', (m) => got.push(m));
    await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from('hello'),
      Buffer.alloc(300, 0xff),
      dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 's.test', type: 'A' }] }),
    ]) {
      s.send(junk, server.port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 100));
    s.close();
    expect(got).toEqual([]);
    expect((await ask('s.test', 'MX')).answers).toHaveLength(1);
    // Garbage over TCP: the connection may die, the server does not.
    await new Promise<void>((ok) => {
      const c = connect(server.port, '127.0.0.1', () => c.end(Buffer.from([0, 4, 1, 2, 3, 4, 0, 1, 9])));
      c.on('close', () => ok());
      c.on('error', () => ok());
    });
    expect((await ask('s.test', 'MX')).rcode).toBe('NOERROR');
  });
});

describe('startDnsServer', () => {
  it('binds UDP and TCP on one ephemeral port, and close() frees it', async () => {
    const s = await startDnsServer({ resolver, host: '127.0.0.1', port: 0 });
    expect(s.port).toBeGreaterThan(0);
    expect((await udp(encodeQuery('s.test', 'MX').bytes, s.port)).rcode).toBe('NOERROR');
    await s.close();
    const again = await startDnsServer({ resolver, port: s.port });
    expect(again.port).toBe(s.port);
    await again.close();
  });
});
