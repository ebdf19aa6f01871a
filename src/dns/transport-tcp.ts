// One DNS query over TCP to one server (RFC 1035 §4.2.2, RFC 7766): a 2-octet length prefix per message,
// reassembled from however the stream splits it. Used after a truncated (TC=1) UDP reply.
import { createConnection } from 'node:net';
import { decodeMessage, isReplyTo, type EncodedQuery } from './codec.js';
import { settleOnce, type DnsServerAddress, type ExchangeOptions, type TransportResult } from './transport-common.js';

export function queryTcp(
  server: DnsServerAddress,
  query: EncodedQuery,
  opts: ExchangeOptions,
): Promise<TransportResult> {
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  if (opts.signal?.aborted) return Promise.resolve({ kind: 'aborted', error: 'aborted', ms: 0 });

  return new Promise((resolve) => {
    const socket = createConnection({ host: server.host, port: server.port });
    let buffered = Buffer.alloc(0);
    // One budget for connect + send + the whole reply, like the UDP case.
    const { finish } = settleOnce(opts, start, {
      onTimeout: (ms) => ({ kind: 'timeout', error: `no TCP reply within ${opts.timeoutMs} ms`, ms }),
      release: () => socket.destroy(),
      resolve,
    });

    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.bytes.length);
      socket.write(Buffer.concat([prefix, query.bytes]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2) return;
      const len = buffered.readUInt16BE(0);
      // Partial read: wait for the rest. The prefix caps a message at 65535 octets, and we stop reading after
      // the first whole one, so a peer that streams without end costs at most one message of memory.
      if (buffered.length < 2 + len) return;
      const d = decodeMessage(buffered.subarray(2, 2 + len));
      if (!d.ok) return finish({ kind: 'malformed', error: d.error, ms: elapsed() });
      // Over TCP nobody off-path can inject; a reply to another question means a confused server.
      if (!isReplyTo(d.message, query))
        return finish({
          kind: 'malformed',
          error: 'TCP reply does not match the query (id or question)',
          ms: elapsed(),
        });
      finish({ kind: 'response', message: d.message, size: len, ms: elapsed() });
    });
    socket.on('end', () =>
      finish({
        kind: 'error',
        error: buffered.length ? 'connection closed in the middle of a reply' : 'connection closed without a reply',
        ms: elapsed(),
      }),
    );
    socket.on('error', (e) => finish({ kind: 'error', error: e.message, ms: elapsed() }));
  });
}
