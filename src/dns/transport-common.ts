// What the DNS transports share: a query settles once — with the reply, at the deadline, or on the caller's
// abort, whichever comes first — and its socket is released exactly then; and how a UDP query that got no usable
// reply is told; and the shapes of a server, an exchange's options and its outcome.
import type { DnsMessage } from './codec.js';

export interface DnsServerAddress {
  host: string;
  port: number;
}

/** What one exchange on the wire gave. Network trouble is a value, never an exception. */
export type TransportResult =
  | { kind: 'response'; message: DnsMessage; size: number; ms: number }
  | { kind: 'timeout' | 'malformed' | 'error' | 'aborted'; error: string; ms: number };

export interface ExchangeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** performance.now() by which the question must be done: a query that waited in a pool's line (udp-pool.ts) gets
   *  only what is left of it, and none at all once it has passed. */
  deadline?: number;
}

export interface Settle {
  finish(r: TransportResult): void;
  readonly done: boolean;
}

export function settleOnce(
  opts: ExchangeOptions,
  start: number,
  o: { onTimeout: (ms: number) => TransportResult; release: () => void; resolve: (r: TransportResult) => void },
): Settle {
  let done = false;
  const finish = (r: TransportResult) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    o.release();
    o.resolve(r);
  };
  const onAbort = () => finish({ kind: 'aborted', error: 'aborted', ms: performance.now() - start });
  const timer = setTimeout(() => finish(o.onTimeout(performance.now() - start)), opts.timeoutMs);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    finish,
    get done() {
      return done;
    },
  };
}

/** No usable reply by the deadline: the datagrams we had to ignore explain that better than "timeout". */
export function noReply(
  timeoutMs: number,
  undecodable: string | undefined,
  mismatched: number,
): { kind: 'malformed' | 'timeout'; error: string } {
  if (undecodable) return { kind: 'malformed', error: undecodable };
  return {
    kind: 'timeout',
    error: `no reply within ${timeoutMs} ms${mismatched ? ` (${mismatched} mismatched repl${mismatched > 1 ? 'ies' : 'y'} ignored)` : ''}`,
  };
}
