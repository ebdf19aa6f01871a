// Waiting for a peer a test started (Postfix, openssl s_server) to accept connections on loopback.
import { connect } from 'node:net';

export interface WaitForPortOptions {
  /** The peer's name, for the error. */
  name?: string;
  /** True once the peer has exited: fail at once instead of waiting out the timeout. */
  dead?: () => boolean;
  /** What the peer printed, for the error. */
  log?: () => string;
}

/** Resolves once something accepts a TCP connection on 127.0.0.1:`port`; throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, o: WaitForPortOptions = {}): Promise<void> {
  const end = Date.now() + timeoutMs;
  const output = () => (o.log ? `: ${o.log()}` : '');
  for (;;) {
    if (o.dead?.()) throw new Error(`${o.name ?? 'the server'} exited${output()}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > end)
      throw new Error(`${o.name ?? 'nothing'} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
