// Our DNS server with misbehaviour modes for tests (truncating, silent, spoofed, garbage, looping packets…),
// and a log of the questions it received so tests can assert retries and de-duplication.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { decodeMessage, encodeResponse } from '../../src/dns/codec.js';
import { startDnsServer, type IncomingQuery } from '../../src/dns/server.js';
import type { Resolver } from '../../src/dns/types.js';
import { parseZone } from '../../src/dns/zone/parse.js';
import { zoneResolver } from '../../src/dns/zone/resolver.js';

export type Misbehaviour =
  | 'normal'
  | 'truncate'
  | 'silent'
  | 'wrong-id'
  | 'wrong-question'
  | 'garbage'
  | 'servfail'
  | 'refused'
  | `slow:${number}`
  | 'spoof-then-real'
  | 'compression-loop'
  /** An old server: FORMERR to any query with EDNS (RFC 6891 §7), normal answers without. */
  | 'no-edns';

export interface ReceivedQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** { host, port } as networkResolver's `servers` takes it. */
  address: { host: string; port: number };
  /** Current behaviour; may be changed between queries, or a function of the question. */
  mode: Misbehaviour | ((q: ReceivedQuery) => Misbehaviour);
  readonly queries: ReceivedQuery[];
  /** Queries received for name (and type, and transport when given). */
  count(name: string, type?: string, transport?: 'udp' | 'tcp'): number;
  close(): Promise<void>;
}

export interface TestDnsServerOptions {
  /** Answers come from this resolver, or from a zone parsed from `zone` (master-file text). */
  resolver?: Resolver;
  zone?: string;
  origin?: string;
  mode?: TestDnsServer['mode'];
}

export async function startTestDnsServer(opts: TestDnsServerOptions): Promise<TestDnsServer> {
  const resolver = opts.resolver ?? zoneResolver([parseZone(opts.zone ?? '', { origin: opts.origin ?? 'test' })]);
  const queries: ReceivedQuery[] = [];
  const spoofer = createSocket('udp4');
  await new Promise<void>((ok) => spoofer.bind(0, '127.0.0.1', () => ok()));

  const state = { mode: opts.mode ?? ('normal' as TestDnsServer['mode']) };
  const handle = async (q: IncomingQuery) => {
    const d = decodeMessage(q.message);
    if (!d.ok || !d.message.questions[0]) return;
    const msg = d.message;
    const question = { name: msg.questions[0]!.name, type: msg.questions[0]!.type, transport: q.transport };
    queries.push(question);
    const mode = typeof state.mode === 'function' ? state.mode(question) : state.mode;
    const rcodeOnly = (rcode: string) =>
      encodeResponse({ id: msg.id, rcode, flags: { rd: msg.flags.rd }, questions: msg.questions });

    switch (true) {
      case mode === 'silent':
        return;
      case mode === 'servfail':
        return q.send(rcodeOnly('SERVFAIL'));
      case mode === 'refused':
        return q.send(rcodeOnly('REFUSED'));
      case mode === 'garbage': {
        // Random bytes, but with a question count no message can hold, so it never decodes by chance.
        const junk = randomBytes(12 + Math.floor(Math.random() * 60));
        junk.writeUInt16BE(0xffff, 4);
        return q.send(junk);
      }
      case mode === 'compression-loop': {
        // Our id, QR=1, one question whose name is label 'a' then a pointer back to its own start:
        // a naive decoder reads a.a.a.a… for ever.
        const header = Buffer.alloc(12);
        header.writeUInt16BE(msg.id, 0);
        header.writeUInt16BE(0x8180, 2);
        header.writeUInt16BE(1, 4);
        return q.send(Buffer.concat([header, Buffer.from([1, 0x61, 0xc0, 0x0c, 0, 1, 0, 1])]));
      }
      case mode === 'no-edns' && msg.edns !== undefined:
        return q.send(rcodeOnly('FORMERR'));
      case mode === 'truncate' && q.transport === 'udp':
        return q.send(
          encodeResponse({
            id: msg.id,
            rcode: 'NOERROR',
            flags: { aa: true, tc: true, rd: msg.flags.rd },
            questions: msg.questions,
          }),
        );
      case mode.startsWith('slow:'):
        await new Promise((r) => setTimeout(r, Number(mode.slice(5))));
        break;
    }
    const real = await q.answer();
    if (!real) return;
    const decoded = decodeMessage(real);
    if (!decoded.ok) return q.send(real);
    if (mode === 'wrong-id') return q.send(encodeResponse({ ...decoded.message, id: (msg.id + 1) & 0xffff }));
    if (mode === 'wrong-question') {
      return q.send(
        encodeResponse({
          ...decoded.message,
          questions: [{ ...msg.questions[0]!, name: `wrong.${msg.questions[0]!.name}` }],
        }),
      );
    }
    if (mode === 'spoof-then-real' && q.transport === 'udp') {
      const lie = {
        ...decoded.message,
        answers: [{ name: question.name, type: 'A', class: 'IN', ttl: 3600, data: '198.51.100.66' }],
      };
      // Right id from the wrong source port (an off-path attacker), then the right port with a wrong id, then the truth.
      await new Promise<void>((ok) => spoofer.send(encodeResponse(lie), q.remote.port, q.remote.address, () => ok()));
      q.send(encodeResponse({ ...lie, id: (msg.id + 1) & 0xffff }));
      await new Promise((r) => setTimeout(r, 20));
    }
    q.send(real);
  };

  const server = await startDnsServer({ host: '127.0.0.1', port: 0, resolver, handle });
  return {
    host: server.host,
    port: server.port,
    address: { host: server.host, port: server.port },
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    queries,
    count: (name, type, transport) =>
      queries.filter(
        (q) => q.name === name.toLowerCase() && (!type || q.type === type) && (!transport || q.transport === transport),
      ).length,
    close: async () => {
      spoofer.close();
      await server.close();
    },
  };
}

/** A loopback UDP+TCP port with nothing behind it (bound, then released): queries to it fail fast. */
export async function deadServerAddress(): Promise<{ host: string; port: number }> {
  const s = createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
  const port = s.address().port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return { host: '127.0.0.1', port };
}
