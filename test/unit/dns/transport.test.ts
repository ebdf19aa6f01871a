// transport-udp.ts and transport-tcp.ts against hand-made peers: framing split anywhere, short and mismatched
// replies, timeouts, aborts, unreachable ports. None of these may throw.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { encodeQuery, encodeResponse } from '../../../src/dns/codec.js';
import { formatServer, queryUdp, sameAddress } from '../../../src/dns/transport-udp.js';
import { queryTcp } from '../../../src/dns/transport-tcp.js';
import { deadServerAddress } from '../../helpers/dns-server.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((f) => f());
});

/** A TCP peer whose reaction to the query bytes is scripted. */
async function tcpPeer(onQuery: (socket: Socket, query: Buffer) => void): Promise<number> {
  const server: Server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
        onQuery(socket, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  cleanups.push(() => server.close());
  return (server.address() as { port: number }).port;
}

async function udpPeer(onQuery: (sock: UdpSocket, query: Buffer, port: number) => void): Promise<number> {
  const sock = createSocket('udp4');
  sock.on('message', (m, r) => onQuery(sock, m, r.port));
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
  cleanups.push(() => sock.close());
  return sock.address().port;
}

const q = encodeQuery('t.test', 'A');
const reply = (id = q.id, name = 't.test') =>
  encodeResponse({
    id,
    rcode: 'NOERROR',
    questions: [{ name, type: 'A', class: 'IN' }],
    answers: [{ name, type: 'A', class: 'IN', ttl: 5, data: '192.0.2.5' }],
  });
const framed = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
const opts = { timeoutMs: 200 };

describe('queryTcp', () => {
  it('reassembles a reply split into one-octet writes', async () => {
    const port = await tcpPeer(async (s) => {
      for (const byte of framed(reply())) {
        s.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
    });
    const r = await queryTcp({ host: '127.0.0.1', port }, q, { timeoutMs: 2000 });
    expect(r).toMatchObject({ kind: 'response', message: { id: q.id, answers: [{ data: '192.0.2.5' }] } });
  });

  it('a connection closed half-way is an error, not a hang', async () => {
    const port = await tcpPeer((s) => s.end(framed(reply()).subarray(0, 20)));
    expect(await queryTcp({ host: '127.0.0.1', port }, q, opts)).toMatchObject({
      kind: 'error',
      error: /middle of a reply/,
    });
  });

  it('a reply to another question is malformed', async () => {
    const port = await tcpPeer((s) => s.write(framed(reply((q.id + 1) & 0xffff))));
    expect(await queryTcp({ host: '127.0.0.1', port }, q, opts)).toMatchObject({ kind: 'malformed' });
  });

  it('undecodable bytes are malformed', async () => {
    const port = await tcpPeer((s) => s.write(framed(Buffer.from('definitely not DNS'))));
    expect(await queryTcp({ host: '127.0.0.1', port }, q, opts)).toMatchObject({
      kind: 'malformed',
      error: /undecodable/,
    });
  });

  it('silence is a timeout after timeoutMs; a closed port is an error at once', async () => {
    const port = await tcpPeer(() => undefined);
    const start = performance.now();
    expect(await queryTcp({ host: '127.0.0.1', port }, q, opts)).toMatchObject({ kind: 'timeout' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    expect(await queryTcp(await deadServerAddress(), q, opts)).toMatchObject({ kind: 'error', error: /ECONNREFUSED/ });
  });

  it('an abort signal ends it', async () => {
    const port = await tcpPeer(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    expect(await queryTcp({ host: '127.0.0.1', port }, q, { timeoutMs: 5000, signal: ac.signal })).toMatchObject({
      kind: 'aborted',
    });
  });
});

describe('queryUdp', () => {
  it('waits past a mismatched and an undecodable datagram for the real reply', async () => {
    const port = await udpPeer((s, _m, from) => {
      s.send(reply(q.id, 'other.test'), from, '127.0.0.1');
      s.send(Buffer.from('junk'), from, '127.0.0.1');
      setTimeout(() => s.send(reply(), from, '127.0.0.1'), 20);
    });
    expect(await queryUdp({ host: '127.0.0.1', port }, q, opts)).toMatchObject({
      kind: 'response',
      message: { answers: [{ data: '192.0.2.5' }] },
    });
  });

  it('only undecodable datagrams: malformed once the time is up', async () => {
    const port = await udpPeer((s, _m, from) => s.send(Buffer.from('junk'), from, '127.0.0.1'));
    expect(await queryUdp({ host: '127.0.0.1', port }, q, opts)).toMatchObject({
      kind: 'malformed',
      error: /undecodable/,
    });
  });

  it('uses a fresh source port per query', async () => {
    const ports: number[] = [];
    const port = await udpPeer((s, _m, from) => {
      ports.push(from);
      s.send(reply(), from, '127.0.0.1');
    });
    for (let i = 0; i < 3; i++) await queryUdp({ host: '127.0.0.1', port }, q, opts);
    expect(new Set(ports).size).toBe(3);
  });

  it('a closed port is an error at once (ICMP port unreachable)', async () => {
    const start = performance.now();
    expect(await queryUdp(await deadServerAddress(), q, { timeoutMs: 2000 })).toMatchObject({ kind: 'error' });
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('a host that is not an IP address is an error value', async () => {
    expect(await queryUdp({ host: 'dns.example', port: 53 }, q, opts)).toMatchObject({
      kind: 'error',
      error: /not an IP/,
    });
  });
});

describe('addresses', () => {
  it('formats IPv6 servers in brackets and compares addresses canonically', () => {
    expect(formatServer({ host: '192.0.2.1', port: 53 })).toBe('192.0.2.1:53');
    expect(formatServer({ host: '::1', port: 5353 })).toBe('[::1]:5353');
    expect(formatServer({ host: 'fe80::1%eth0', port: 53 })).toBe('[fe80::1%eth0]:53');
    expect(sameAddress('::1', '0:0:0:0:0:0:0:1')).toBe(true);
    expect(sameAddress('fe80::1%eth0', 'FE80::1')).toBe(true);
    expect(sameAddress('127.0.0.1', '127.0.0.2')).toBe(false);
  });
});
