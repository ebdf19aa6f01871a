// udp-pool.ts against scripted loopback peers: sockets shared by concurrent queries, ids unique per socket,
// forged and mismatched replies ignored, recycling, the per-server window, errors confined to one socket, cleanup.
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { decodeMessage, encodeQuery, encodeResponse } from '../../../src/dns/codec.js';
import { createUdpPool, type UdpPool } from '../../../src/dns/udp-pool.js';
import { deadServerAddress } from '../../helpers/dns-server.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((f) => f());
});

function pool(o: Parameters<typeof createUdpPool>[0] = {}): UdpPool {
  const p = createUdpPool(o);
  cleanups.push(() => p.close());
  return p;
}

interface Seen {
  id: number;
  name: string;
  port: number;
}

/** A UDP peer that answers each question with an A record derived from its name, after `delayMs`. */
async function peer(
  o: {
    delayMs?: number;
    before?: (sock: UdpSocket, q: Seen, raw: Buffer) => void;
    silentFor?: (name: string) => boolean;
  } = {},
) {
  const sock = createSocket('udp4');
  const seen: Seen[] = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  sock.on('message', (m, r) => {
    const d = decodeMessage(m);
    if (!d.ok) return;
    const q: Seen = { id: d.message.id, name: d.message.questions[0]!.name, port: r.port };
    seen.push(q);
    if (o.silentFor?.(q.name)) return;
    o.before?.(sock, q, m);
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    setTimeout(() => {
      outstanding--;
      sock.send(answer(q.id, q.name), r.port, r.address);
    }, o.delayMs ?? 0);
  });
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
  cleanups.push(() => sock.close());
  return {
    address: { host: '127.0.0.1', port: sock.address().port },
    seen,
    get maxOutstanding() {
      return maxOutstanding;
    },
  };
}

/** n.test → 192.0.2.n: every answer says which question it answers. */
const addressFor = (name: string) => `192.0.2.${Number(/^q(\d+)/.exec(name)?.[1] ?? 0) % 256}`;
const answer = (id: number, name: string, data = addressFor(name)) =>
  encodeResponse({
    id,
    rcode: 'NOERROR',
    questions: [{ name, type: 'A', class: 'IN' }],
    answers: [{ name, type: 'A', class: 'IN', ttl: 5, data }],
  });
const dataOf = (r: Awaited<ReturnType<UdpPool['query']>>) =>
  r.kind === 'response' ? r.message.answers[0]?.data : r.kind;

describe('createUdpPool', () => {
  it('concurrent queries share a few long-lived sockets and each gets its own answer', async () => {
    const p = await peer({ delayMs: 20 });
    const udp = pool({ perSocket: 16, maxSockets: 4 });
    const rs = await Promise.all(
      Array.from({ length: 60 }, (_, i) => udp.query(p.address, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 1000 })),
    );
    expect(rs.map(dataOf)).toEqual(Array.from({ length: 60 }, (_, i) => `192.0.2.${i}`));
    const ports = new Set(p.seen.map((s) => s.port));
    expect(ports.size).toBeGreaterThan(1);
    expect(ports.size).toBeLessThanOrEqual(4);
    expect(udp.stats()).toMatchObject({ inFlight: 0, opened: ports.size });
  });

  it('ids are unique among the queries in flight on a socket, even when callers reuse one', async () => {
    const p = await peer({ delayMs: 30 });
    const udp = pool({ perSocket: 500, maxSockets: 1, maxInFlight: 500 });
    // Every caller encodes with the same id: the pool must give all but one a fresh id and still match replies.
    const rs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        udp.query(p.address, encodeQuery(`q${i}.test`, 'A', { id: 4242 }), { timeoutMs: 2000 }),
      ),
    );
    expect(rs.map(dataOf)).toEqual(Array.from({ length: 200 }, (_, i) => `192.0.2.${i % 256}`));
    expect(new Set(p.seen.map((s) => s.port)).size).toBe(1);
    expect(new Set(p.seen.map((s) => s.id)).size).toBe(200);
  });

  it('ignores forged replies on a pooled socket: another source port, a wrong id, a wrong question', async () => {
    const forger = createSocket('udp4');
    await new Promise<void>((ok) => forger.bind(0, '127.0.0.1', () => ok()));
    cleanups.push(() => forger.close());
    const p = await peer({
      delayMs: 30,
      before: (sock, q) => {
        // Right id and question, wrong source port: the off-path attacker's best shot.
        forger.send(answer(q.id, q.name, '203.0.113.66'), q.port, '127.0.0.1');
        // Right source, wrong id / wrong question.
        sock.send(answer((q.id + 1) & 0xffff, q.name, '203.0.113.67'), q.port, '127.0.0.1');
        sock.send(answer(q.id, `x${q.name}`, '203.0.113.68'), q.port, '127.0.0.1');
      },
    });
    const udp = pool();
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => udp.query(p.address, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 1000 })),
    );
    expect(rs.map(dataOf)).toEqual(Array.from({ length: 20 }, (_, i) => `192.0.2.${i}`));
  });

  it('a query that only gets mismatched replies times out and says so; undecodable ones make it malformed', async () => {
    const mismatched = await peer({ silentFor: () => true, before: undefined });
    const udp = pool();
    const sock = createSocket('udp4');
    await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
    cleanups.push(() => sock.close());
    // A peer that answers every question with the wrong id.
    const wrong = createSocket('udp4');
    wrong.on('message', (m, r) => {
      const d = decodeMessage(m);
      if (d.ok) wrong.send(answer((d.message.id + 1) & 0xffff, d.message.questions[0]!.name), r.port, r.address);
    });
    await new Promise<void>((ok) => wrong.bind(0, '127.0.0.1', () => ok()));
    cleanups.push(() => wrong.close());
    const junk = createSocket('udp4');
    junk.on('message', (m, r) => junk.send(Buffer.concat([m.subarray(0, 2), Buffer.from('junk')]), r.port, r.address));
    await new Promise<void>((ok) => junk.bind(0, '127.0.0.1', () => ok()));
    cleanups.push(() => junk.close());

    const [silent, wrongId, garbage] = await Promise.all([
      udp.query(mismatched.address, encodeQuery('q1.test', 'A'), { timeoutMs: 150 }),
      udp.query({ host: '127.0.0.1', port: wrong.address().port }, encodeQuery('q2.test', 'A'), { timeoutMs: 150 }),
      udp.query({ host: '127.0.0.1', port: junk.address().port }, encodeQuery('q3.test', 'A'), { timeoutMs: 150 }),
    ]);
    expect(silent).toMatchObject({ kind: 'timeout', error: 'no reply within 150 ms' });
    expect(wrongId).toMatchObject({ kind: 'timeout', error: /1 mismatched reply ignored/ });
    expect(garbage).toMatchObject({ kind: 'malformed' });
  });

  it('recycles a socket after recycleQueries queries, so the source port changes; retired sockets close', async () => {
    const p = await peer();
    const udp = pool({ recycleQueries: 3 });
    for (let i = 0; i < 9; i++)
      expect(dataOf(await udp.query(p.address, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 1000 }))).toBe(
        `192.0.2.${i}`,
      );
    const ports = p.seen.map((s) => s.port);
    expect(new Set(ports).size).toBe(3);
    expect(ports.slice(0, 3).every((x) => x === ports[0])).toBe(true);
    // The third socket is still taking queries; the two before it closed when they were retired.
    expect(udp.stats()).toMatchObject({ open: 1, opened: 3 });
  });

  it('recycles a socket after recycleMs', async () => {
    const p = await peer();
    const udp = pool({ recycleMs: 50 });
    await udp.query(p.address, encodeQuery('q1.test', 'A'), { timeoutMs: 1000 });
    await udp.query(p.address, encodeQuery('q2.test', 'A'), { timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 80));
    await udp.query(p.address, encodeQuery('q3.test', 'A'), { timeoutMs: 1000 });
    const ports = p.seen.map((s) => s.port);
    expect(ports[0]).toBe(ports[1]);
    expect(ports[2]).not.toBe(ports[0]);
  });

  it('keeps at most maxInFlight queries at one server; the rest wait and all are answered', async () => {
    const p = await peer({ delayMs: 15 });
    const udp = pool({ maxInFlight: 5 });
    const rs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => udp.query(p.address, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 1000 })),
    );
    expect(rs.every((r) => r.kind === 'response')).toBe(true);
    expect(p.maxOutstanding).toBeLessThanOrEqual(5);
    expect(p.maxOutstanding).toBeGreaterThan(1);
  });

  it('a query that waited in line past its deadline ends when its turn comes, unsent; one within it gets what is left', async () => {
    const p = await peer({ silentFor: (n) => n !== 'q3.test' });
    const udp = pool({ maxInFlight: 1 });
    const deadline = performance.now() + 100;
    const stuck = udp.query(p.address, encodeQuery('q1.test', 'A'), { timeoutMs: 100, deadline });
    // Same question's deadline: by the time the silent one frees the window, nothing is left for it.
    const late = udp.query(p.address, encodeQuery('q2.test', 'A'), { timeoutMs: 100, deadline });
    const later = udp.query(p.address, encodeQuery('q3.test', 'A'), { timeoutMs: 1000, deadline: deadline + 1000 });
    expect(await stuck).toMatchObject({ kind: 'timeout' });
    expect(await late).toMatchObject({ kind: 'timeout', error: 'no reply within 100 ms' });
    expect(dataOf(await later)).toBe('192.0.2.3');
    expect(p.seen.map((q) => q.name)).toEqual(['q1.test', 'q3.test']);
  });

  it('an abort ends a query in flight or waiting in line, and frees its place', async () => {
    const p = await peer({ silentFor: (n) => n === 'q1.test' || n === 'q10.test' });
    const udp = pool({ maxInFlight: 1 });
    const ac = new AbortController();
    const stuck = udp.query(p.address, encodeQuery('q1.test', 'A'), { timeoutMs: 5000, signal: ac.signal });
    const waiting = udp.query(p.address, encodeQuery('q10.test', 'A'), { timeoutMs: 5000, signal: ac.signal });
    const after = udp.query(p.address, encodeQuery('q2.test', 'A'), { timeoutMs: 5000 });
    ac.abort();
    expect(await stuck).toMatchObject({ kind: 'aborted' });
    expect(await waiting).toMatchObject({ kind: 'aborted' });
    expect(dataOf(await after)).toBe('192.0.2.2');
  });

  it('a socket error (ICMP port unreachable) fails only the queries on that socket', async () => {
    const good = await peer({ delayMs: 30 });
    const dead = await deadServerAddress();
    const udp = pool();
    const start = performance.now();
    const [toDead, toGood] = await Promise.all([
      Promise.all(
        Array.from({ length: 5 }, (_, i) => udp.query(dead, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 2000 })),
      ),
      Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          udp.query(good.address, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 2000 }),
        ),
      ),
    ]);
    expect(toDead.every((r) => r.kind === 'error')).toBe(true);
    expect(toGood.map(dataOf)).toEqual(['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
    expect(performance.now() - start).toBeLessThan(1000);
    // The broken socket is gone; the next query to the dead server opens a fresh one and fails fast again.
    expect(await udp.query(dead, encodeQuery('q9.test', 'A'), { timeoutMs: 2000 })).toMatchObject({ kind: 'error' });
  });

  it('a host that is not an IP address is an error value', async () => {
    expect(
      await pool().query({ host: 'dns.example', port: 53 }, encodeQuery('q.test', 'A'), { timeoutMs: 100 }),
    ).toMatchObject({ kind: 'error', error: /not an IP/ });
  });

  it("leaves nothing keeping the process alive: idle sockets are unref'd, close() closes them all", async () => {
    const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    const p = await peer();
    // Sockets of earlier tests finish closing first.
    await new Promise((r) => setTimeout(r, 50));
    const before = udpHandles();
    const udp = createUdpPool();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => udp.query(p.address, encodeQuery(`q${i}.test`, 'A'), { timeoutMs: 1000 })),
    );
    expect(udp.stats().open).toBeGreaterThan(0);
    expect(udpHandles()).toBe(before);
    udp.close();
    expect(udp.stats()).toMatchObject({ open: 0, inFlight: 0 });
    // A closed pool can be used again.
    expect(dataOf(await udp.query(p.address, encodeQuery('q7.test', 'A'), { timeoutMs: 1000 }))).toBe('192.0.2.7');
    udp.close();
  });

  it('close() ends the queries in flight and waiting', async () => {
    const p = await peer({ silentFor: () => true });
    const udp = createUdpPool({ maxInFlight: 1 });
    const a = udp.query(p.address, encodeQuery('q1.test', 'A'), { timeoutMs: 5000 });
    const b = udp.query(p.address, encodeQuery('q2.test', 'A'), { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 20));
    udp.close();
    expect(await a).toMatchObject({ kind: 'aborted' });
    expect(await b).toMatchObject({ kind: 'aborted' });
    expect(udp.stats()).toMatchObject({ open: 0, inFlight: 0 });
  });
});
