// Client-initiated renegotiation (RFC 5246 §7.4.1.2): we ask for a new handshake on an established TLS ≤ 1.2
// connection (TLSSocket.renegotiate()). A server should refuse (a no_renegotiation alert, or silence): each
// renegotiation costs it a handshake's CPU for one of ours, a cheap denial of service (internet.nl
// "client-initiated renegotiation", NCSC-NL guideline B8). TLS 1.3 has no renegotiation.
import type { TLSSocket } from 'node:tls';

export interface RenegotiationOutcome {
  result: 'accepted' | 'refused' | 'not-applicable';
  detail: string;
}

export function clientRenegotiation(sock: TLSSocket, timeoutMs: number): Promise<RenegotiationOutcome> {
  if (sock.getProtocol() === 'TLSv1.3')
    return Promise.resolve({ result: 'not-applicable', detail: 'TLS 1.3 has no renegotiation' });
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: RenegotiationOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.off('error', onError);
      sock.off('close', onClose);
      resolve(o);
    };
    const onError = (e: NodeJS.ErrnoException) =>
      done({
        result: 'refused',
        detail:
          e.code === 'ERR_SSL_NO_RENEGOTIATION'
            ? 'no_renegotiation alert'
            : `the handshake failed (${e.code ?? e.message})`,
      });
    const onClose = () => done({ result: 'refused', detail: 'the server closed the connection' });
    // Silence is a refusal too: the server went on with the old keys and ignored our ClientHello.
    const timer = setTimeout(
      () => done({ result: 'refused', detail: `no answer within ${timeoutMs} ms (ignored)` }),
      timeoutMs,
    );
    sock.once('error', onError);
    sock.once('close', onClose);
    const started = sock.renegotiate({ rejectUnauthorized: false }, (err) => {
      if (err) onError(err as NodeJS.ErrnoException);
      else done({ result: 'accepted', detail: 'a second handshake completed' });
    });
    if (!started)
      done({ result: 'not-applicable', detail: `${sock.getProtocol() ?? 'this version'} has no renegotiation` });
  });
}
