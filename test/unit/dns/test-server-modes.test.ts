// The misbehaving test server itself: each mode does on the wire what its name says (so the resolver
// tests that rely on it mean something), and it counts what it was asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { decodeMessage, encodeQuery, type EncodedQuery } from '../../../src/dns/codec.js';
import { startTestDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';

let s: TestDnsServer;
beforeAll(async () => {
  s = await startTestDnsServer({ zone: '$ORIGIN m.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\nwww A 192.0.2.1\n' });
});
afterAll(() => s.close());

interface Datagram {
  bytes: Buffer;
  port: number;
}
/** Sends the query from an unconnected socket and collects every datagram for `ms` (spoofs included). */
async function collectUdp(q: EncodedQuery, ms = 120): Promise<Datagram[]> {
  const sock = createSocket('udp4');
  const got: Datagram[] = [];
  sock.on('message', (bytes, r) => got.push({ bytes, port: r.port }));
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
  sock.send(q.bytes, s.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, ms));
  sock.close();
  return got;
}
function tcpOnce(q: EncodedQuery): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const c = connect(s.port, '127.0.0.1', () =>
      c.write(Buffer.concat([Buffer.from([q.bytes.length >> 8, q.bytes.length & 0xff]), q.bytes])),
    );
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        c.end();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    c.on('error', reject);
  });
}
const decoded = (b: Buffer) => {
  const d = decodeMessage(b);
  if (!d.ok) throw new Error(d.error);
  return d.message;
};

describe('modes', () => {
  it('normal answers, and every question is counted per name, type and transport', async () => {
    s.mode = 'normal';
    const before = s.count('www.m.test');
    const [d] = await collectUdp(encodeQuery('WWW.m.test', 'A'));
    expect(decoded(d!.bytes).answers[0]?.data).toBe('192.0.2.1');
    await tcpOnce(encodeQuery('www.m.test', 'AAAA'));
    expect(s.count('www.m.test')).toBe(before + 2);
    expect(s.count('www.m.test', 'AAAA', 'tcp')).toBe(1);
  });

  it('truncate: TC=1 and nothing else over UDP, the real answer over TCP', async () => {
    s.mode = 'truncate';
    const [d] = await collectUdp(encodeQuery('www.m.test', 'A'));
    expect(decoded(d!.bytes)).toMatchObject({ flags: { tc: true }, answers: [] });
    expect(decoded(await tcpOnce(encodeQuery('www.m.test', 'A')))).toMatchObject({
      flags: { tc: false },
      answers: [{ data: '192.0.2.1' }],
    });
  });

  it('silent: nothing', async () => {
    s.mode = 'silent';
    expect(await collectUdp(encodeQuery('www.m.test', 'A'))).toEqual([]);
  });

  it('wrong-id and wrong-question: a real answer to something else', async () => {
    const q = encodeQuery('www.m.test', 'A');
    s.mode = 'wrong-id';
    const [a] = await collectUdp(q);
    expect(decoded(a!.bytes).id).not.toBe(q.id);
    s.mode = 'wrong-question';
    const q2 = encodeQuery('www.m.test', 'A');
    const [b] = await collectUdp(q2);
    expect(decoded(b!.bytes)).toMatchObject({ id: q2.id, questions: [{ name: 'wrong.www.m.test' }] });
  });

  it('garbage and compression-loop: bytes no decoder accepts', async () => {
    s.mode = 'garbage';
    const [g] = await collectUdp(encodeQuery('www.m.test', 'A'));
    expect(decodeMessage(g!.bytes).ok).toBe(false);
    s.mode = 'compression-loop';
    const q = encodeQuery('www.m.test', 'A');
    const [c] = await collectUdp(q);
    expect(c!.bytes.readUInt16BE(0)).toBe(q.id);
    expect(decodeMessage(c!.bytes)).toMatchObject({ ok: false, error: /pointer/ });
  });

  it('servfail, refused: that rcode', async () => {
    for (const mode of ['servfail', 'refused'] as const) {
      s.mode = mode;
      const [d] = await collectUdp(encodeQuery('www.m.test', 'A'));
      expect(decoded(d!.bytes).rcode).toBe(mode.toUpperCase());
    }
  });

  it('slow:<ms>: the answer, late', async () => {
    s.mode = 'slow:150';
    expect(await collectUdp(encodeQuery('www.m.test', 'A'), 100)).toEqual([]);
    expect(await collectUdp(encodeQuery('www.m.test', 'A'), 250)).toHaveLength(1);
  });

  it('spoof-then-real: a forged reply from another port, one with a wrong id, then the truth', async () => {
    s.mode = 'spoof-then-real';
    const q = encodeQuery('www.m.test', 'A');
    const got = await collectUdp(q);
    expect(
      got.map((d) => [d.port === s.port, decoded(d.bytes).id === q.id, decoded(d.bytes).answers[0]?.data]),
    ).toEqual([
      [false, true, '198.51.100.66'],
      [true, false, '198.51.100.66'],
      [true, true, '192.0.2.1'],
    ]);
  });

  it('no-edns: FORMERR with EDNS, an answer without', async () => {
    s.mode = 'no-edns';
    const [a] = await collectUdp(encodeQuery('www.m.test', 'A'));
    const [b] = await collectUdp(encodeQuery('www.m.test', 'A', { edns: false }));
    expect([decoded(a!.bytes).rcode, decoded(b!.bytes).rcode]).toEqual(['FORMERR', 'NOERROR']);
  });

  it('a mode can depend on the question', async () => {
    s.mode = (q) => (q.type === 'A' ? 'silent' : 'normal');
    expect(await collectUdp(encodeQuery('www.m.test', 'A'))).toEqual([]);
    expect(await collectUdp(encodeQuery('www.m.test', 'MX'))).toHaveLength(1);
  });
});
