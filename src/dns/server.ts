// An embedded authoritative DNS server (RFC 1035 §4.2 UDP+TCP, RFC 7766 TCP reuse, RFC 6891 EDNS sizes) that
// answers every question from a Resolver: the sandbox nameserver of `demo` and of the tests.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { ZoneResolver } from './zone/resolver.js';
import type { Lookup, RRType, Resolver } from './types.js';
import { RR_TYPES, isTemporary } from './types.js';
import {
  CLASSIC_UDP_SIZE,
  decodeMessage,
  encodeResponse,
  lowerName,
  type DnsRecord,
  type Edns,
  type ResponseSpec,
} from './codec.js';

export interface IncomingQuery {
  message: Buffer;
  transport: 'udp' | 'tcp';
  remote: { address: string; port: number };
  /** Our normal answer (undefined when the message is to be ignored). */
  answer(): Promise<Buffer | undefined>;
  /** Sends bytes back to the asker (framed for TCP). */
  send(bytes: Buffer): void;
}

export interface DnsServerOptions {
  host?: string;
  /** 0 (default) picks a free port, the same one for UDP and TCP. */
  port?: number;
  resolver: Resolver;
  /** Replaces answer-and-send, e.g. to misbehave in tests; the default sends `answer()`. */
  handle?: (q: IncomingQuery) => void | Promise<void>;
}

export interface RunningDnsServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

const KNOWN = new Set<string>(RR_TYPES);
/** Our own EDNS buffer: what we offer and the most we send over UDP. */
const SERVER_UDP_SIZE = 1232;
const TCP_IDLE_MS = 10_000;
const TCP_MAX_MESSAGE = 65_535;

/** Builds the response bytes for one query message; undefined for anything we must not answer (garbage, responses). */
export async function answerQuery(
  bytes: Buffer,
  resolver: Resolver,
  transport: 'udp' | 'tcp',
): Promise<Buffer | undefined> {
  const d = decodeMessage(bytes);
  // Undecodable input gets no reply at all: answering garbage only helps reflection attacks.
  if (!d.ok || d.message.response) return undefined;
  const q = d.message;
  const question = q.questions[0];
  const edns: Edns | undefined = q.edns ? { udpPayloadSize: SERVER_UDP_SIZE, version: 0, dnssecOk: false } : undefined;
  const base: ResponseSpec = {
    id: q.id,
    opcode: q.opcode,
    rcode: 'NOERROR',
    flags: { rd: q.flags.rd },
    questions: q.questions,
    edns,
  };
  if (q.opcode !== 'QUERY') return encodeResponse({ ...base, rcode: 'NOTIMP' });
  if (q.questions.length !== 1 || !question) return encodeResponse({ ...base, rcode: 'FORMERR' });
  if (q.edns && q.edns.version > 0) return encodeResponse({ ...base, rcode: 'BADVERS' }); // RFC 6891 §6.1.3
  if (question.class !== 'IN') return encodeResponse({ ...base, rcode: 'REFUSED' });

  let spec: ResponseSpec;
  try {
    const a = await resolve(resolver, question.name, question.type);
    spec = { ...base, ...a, flags: { ...base.flags, ...a.flags } };
  } catch {
    // A resolver that throws is a bug, but the asker still gets an answer.
    spec = { ...base, rcode: 'SERVFAIL' };
  }
  let out: Buffer;
  try {
    out = encodeResponse(spec);
  } catch {
    return encodeResponse({ ...base, rcode: 'SERVFAIL' });
  }
  if (transport === 'udp') {
    // RFC 1035 §4.2.1 / RFC 6891 §6.2.5: over the asker's limit → TC=1 and no records, so it retries over TCP.
    const limit = q.edns
      ? Math.max(CLASSIC_UDP_SIZE, Math.min(q.edns.udpPayloadSize, SERVER_UDP_SIZE))
      : CLASSIC_UDP_SIZE;
    if (out.length > limit) return encodeResponse({ ...base, rcode: spec.rcode, flags: { ...spec.flags, tc: true } });
  } else if (out.length > TCP_MAX_MESSAGE) {
    // A TCP message's length is 16 bits (RFC 1035 §4.2.2): an answer that cannot be framed is a failure to say so,
    // not silence (which the asker could only tell from a timeout).
    return encodeResponse({ ...base, rcode: 'SERVFAIL' });
  }
  return out;
}

type Answer = Pick<ResponseSpec, 'rcode' | 'flags' | 'answers' | 'authorities'>;

async function resolve(resolver: Resolver, name: string, qtype: string): Promise<Answer> {
  const zoneFor = (resolver as Partial<ZoneResolver>).zoneFor;
  const home = zoneFor?.(name)?.origin;
  // Outside every zone of a zone resolver we still say what it says (the demo's offline NXDOMAIN), but not as the authority.
  const aa = { aa: !zoneFor || home !== undefined };
  if (!KNOWN.has(qtype)) {
    // A type we hold no data for: the name exists or not, so NODATA or NXDOMAIN (RFC 2308 §2.2).
    const probe = await resolver.lookup(name, 'CNAME', { noFollow: true });
    if (isTemporary(probe)) return { rcode: 'SERVFAIL' };
    return {
      rcode: probe.status === 'nxdomain' ? 'NXDOMAIN' : 'NOERROR',
      flags: aa,
      authorities: await soaFor(resolver, name),
    };
  }
  const type = qtype as RRType;
  if (zoneFor && home !== undefined) return authoritative(resolver, (n) => zoneFor(n)?.origin === home, name, type);
  // Any other Resolver already followed the chain (like a recursive server): rebuild its CNAME records.
  const r: Lookup<unknown> = await resolver.lookup(name, type);
  if (isTemporary(r)) return { rcode: 'SERVFAIL' };
  const chain = await cnameRecords(resolver, r.cnames);
  const finalName = (chain.at(-1)?.data as string | undefined) ?? name;
  if (r.status === 'ok') {
    return { rcode: 'NOERROR', flags: aa, answers: [...chain, ...rrset(finalName, type, r.ttl, r.records)] };
  }
  return {
    rcode: r.status === 'nxdomain' ? 'NXDOMAIN' : 'NOERROR',
    flags: aa,
    answers: chain,
    authorities: await soaFor(resolver, finalName),
  };
}

/**
 * As a zone's authoritative server does it (RFC 1034 §4.3.2): follow CNAMEs only while they stay in the query's
 * zone; at the zone edge, or when the chain comes back on itself, send the CNAMEs alone with NOERROR, as BIND
 * and Knot do, and let the asker's resolver go on (and find the loop).
 */
async function authoritative(
  resolver: Resolver,
  inZone: (n: string) => boolean,
  name: string,
  type: RRType,
): Promise<Answer> {
  const aa = { aa: true };
  const chain: DnsRecord[] = [];
  const seen = new Set<string>();
  for (let n = lowerName(name); ;) {
    seen.add(n);
    const r: Lookup<unknown> = await resolver.lookup(n, type, { noFollow: true });
    if (isTemporary(r)) return { rcode: 'SERVFAIL' };
    if (r.status === 'ok')
      return { rcode: 'NOERROR', flags: aa, answers: [...chain, ...rrset(n, type, r.ttl, r.records)] };
    if (r.status === 'nxdomain')
      return { rcode: 'NXDOMAIN', flags: aa, answers: chain, authorities: await soaFor(resolver, n) };
    const c = type === 'CNAME' ? undefined : await resolver.lookup(n, 'CNAME', { noFollow: true });
    if (c?.status !== 'ok' || !c.records[0])
      return { rcode: 'NOERROR', flags: aa, answers: chain, authorities: await soaFor(resolver, n) };
    const target = c.records[0];
    chain.push(record(n, 'CNAME', c.ttl, target));
    if (!inZone(target) || seen.has(target)) return { rcode: 'NOERROR', flags: aa, answers: chain };
    n = target;
  }
}

/** The CNAME records behind a chain of owner names, each asked for itself so targets and TTLs are exact. */
async function cnameRecords(resolver: Resolver, owners: readonly string[]): Promise<DnsRecord[]> {
  const out: DnsRecord[] = [];
  for (const owner of owners) {
    const c = await resolver.lookup(owner, 'CNAME', { noFollow: true });
    if (c.status !== 'ok' || !c.records[0]) break;
    out.push(record(owner, 'CNAME', c.ttl, c.records[0]));
  }
  return out;
}

/** The SOA of the closest enclosing zone, for negative answers (RFC 2308 §3), with TTL = min(TTL, MINIMUM). */
async function soaFor(resolver: Resolver, name: string): Promise<DnsRecord[]> {
  const zones = (resolver as Partial<ZoneResolver>).zoneFor;
  const candidates: string[] = [];
  if (zones) {
    const z = zones(name);
    if (z) candidates.push(z.origin);
  } else {
    for (let n = lowerName(name); ; n = n.slice(n.indexOf('.') + 1)) {
      candidates.push(n);
      if (!n.includes('.')) break;
    }
  }
  for (const apex of candidates) {
    const soa = await resolver.lookup(apex, 'SOA', { noFollow: true });
    if (soa.status === 'ok' && soa.records[0])
      return [record(apex, 'SOA', Math.min(soa.ttl, soa.records[0].minimum), soa.records[0])];
  }
  return [];
}

/** An RRset holds no duplicates (RFC 2181 §5): identical records in a zone go on the wire once, as Knot/BIND send them. */
function rrset(name: string, type: string, ttl: number, records: readonly unknown[]): DnsRecord[] {
  const unique = new Map<string, unknown>();
  for (const d of records) unique.set(JSON.stringify(d), d);
  return [...unique.values()].map((d) => record(name, type, ttl, d));
}

function record(name: string, type: string, ttl: number, data: unknown): DnsRecord {
  return { name, type, class: 'IN', ttl, data: data as DnsRecord['data'] };
}

export async function startDnsServer(opts: DnsServerOptions): Promise<RunningDnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const handle =
    opts.handle ??
    (async (q: IncomingQuery) => {
      const out = await q.answer();
      if (out) q.send(out);
    });
  // Port 0: take the kernel's UDP port, then try TCP on it; another process may hold it, so try again.
  for (let tries = 0; ; tries++) {
    const udp = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((ok, fail) => {
        udp.once('error', fail);
        udp.bind(opts.port ?? 0, host, () => ok());
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    const port = udp.address().port;
    const tcp = createServer();
    try {
      await new Promise<void>((ok, fail) => {
        tcp.once('error', fail);
        tcp.listen(port, host, () => ok());
      });
    } catch (e) {
      udp.close();
      if ((opts.port ?? 0) === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && tries < 20) continue;
      throw e;
    }
    return serve(udp, tcp, host, port, opts.resolver, handle);
  }
}

function serve(
  udp: UdpSocket,
  tcp: Server,
  host: string,
  port: number,
  resolver: Resolver,
  handle: (q: IncomingQuery) => void | Promise<void>,
): RunningDnsServer {
  const run = (q: IncomingQuery) => {
    // A handler that throws loses its reply, never the server.
    Promise.resolve()
      .then(() => handle(q))
      .catch(() => undefined);
  };
  udp.on('error', () => undefined);
  udp.on('message', (message, rinfo) => {
    run({
      message,
      transport: 'udp',
      remote: { address: rinfo.address, port: rinfo.port },
      answer: () => answerQuery(message, resolver, 'udp'),
      send: (bytes) => udp.send(bytes, rinfo.port, rinfo.address, () => undefined),
    });
  });

  const connections = new Set<Socket>();
  tcp.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    let buffered = Buffer.alloc(0);
    const send = (bytes: Buffer) => {
      if (socket.destroyed) return;
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(bytes.length);
      socket.write(Buffer.concat([prefix, bytes]));
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // Several queries may arrive on one connection, pipelined (RFC 7766 §6.2.1); answer each as it completes.
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        run({
          message,
          transport: 'tcp',
          remote: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
          answer: () => answerQuery(message, resolver, 'tcp'),
          send,
        });
      }
    });
  });

  return {
    host,
    port,
    close: async () => {
      for (const s of connections) s.destroy();
      await Promise.all([
        new Promise<void>((ok) => udp.close(() => ok())),
        new Promise<void>((ok) => tcp.close(() => ok())),
      ]);
    },
  };
}
