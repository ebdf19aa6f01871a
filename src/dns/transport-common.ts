// What the DNS transports share: a query settles once — with the reply, at the deadline, or on the caller's
// abort, whichever comes first — and its socket is released exactly then; and how a UDP query that got no usable
// reply is told.
import type { ExchangeOptions, TransportResult } from './transport-udp.js';

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
