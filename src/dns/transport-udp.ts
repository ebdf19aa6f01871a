// One DNS query over UDP to one server (RFC 1035 §4.2.1), hardened as RFC 5452 §9 asks: a fresh socket
// (random source port) per query, and only a reply from the server's address+port with our id and question counts.
// The resolver uses udp-pool.ts (long-lived sockets, several times cheaper) unless asked for this one.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { decodeMessage, isReplyTo, type EncodedQuery } from './codec.js';
import {
  noReply,
  settleOnce,
  type DnsServerAddress,
  type ExchangeOptions,
  type TransportResult,
} from './transport-common.js';
import { expandIpv6 } from './types.js';

export function queryUdp(
  server: DnsServerAddress,
  query: EncodedQuery,
  opts: ExchangeOptions,
): Promise<TransportResult> {
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  const family = isIP(stripScope(server.host));
  if (family === 0) return Promise.resolve({ kind: 'error', error: `'${server.host}' is not an IP address`, ms: 0 });
  if (opts.signal?.aborted) return Promise.resolve({ kind: 'aborted', error: 'aborted', ms: 0 });

  return new Promise((resolve) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    // Replies we had to ignore; if nothing good arrives they explain the failure better than "timeout".
    let undecodable: string | undefined;
    let mismatched = 0;
    const settle = settleOnce(opts, start, {
      onTimeout: (ms) => ({ ...noReply(opts.timeoutMs, undecodable, mismatched), ms }),
      release: () => socket.close(),
      resolve,
    });
    const finish = settle.finish;

    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      // Anything else is an off-path spoofing attempt or a stray reply: keep waiting for the real one.
      if (!sameAddress(rinfo.address, server.host) || rinfo.port !== server.port) return void mismatched++;
      const d = decodeMessage(msg);
      if (!d.ok) {
        undecodable = d.error;
        return;
      }
      if (!isReplyTo(d.message, query)) return void mismatched++;
      finish({ kind: 'response', message: d.message, size: msg.length, ms: elapsed() });
    });
    // ICMP port unreachable etc. surface here on a connected socket: the server is not there.
    socket.on('error', (e) => finish({ kind: 'error', error: e.message, ms: elapsed() }));
    // connect() lets the kernel drop datagrams from other peers and report ICMP errors fast; we still check.
    socket.connect(server.port, server.host, () => {
      if (settle.done) return;
      socket.send(query.bytes, (e) => {
        if (e) finish({ kind: 'error', error: e.message, ms: elapsed() });
      });
    });
  });
}

/** '::1' and '0:0:0:0:0:0:0:1' are one address; a zone id ('%eth0') is not part of the comparison. */
export function sameAddress(a: string, b: string): boolean {
  const x = stripScope(a).toLowerCase();
  const y = stripScope(b).toLowerCase();
  if (x === y) return true;
  const fx = isIP(x);
  return fx === 6 && isIP(y) === 6 && expandIpv6(x) === expandIpv6(y);
}

export function stripScope(host: string): string {
  const i = host.indexOf('%');
  return i < 0 ? host : host.slice(0, i);
}

/** 'ip:port', or '[v6]:port' (RFC 3986 §3.2.2 style) for the events and results. */
export function formatServer(s: DnsServerAddress): string {
  return isIP(stripScope(s.host)) === 6 ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}
