// One SMTP client connection (RFC 5321): owns the socket, a timeout on every step, the STARTTLS upgrade on the
// same socket (RFC 3207) and the transcript. Protocol errors, timeouts and drops are replies (code 0), never throws.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { connect as tlsConnect, type ConnectionOptions, type EphemeralKeyInfo, type TLSSocket } from 'node:tls';
import { definedOnly } from '../core/object.js';
import { dataPayload } from './data.js';
import { connectFailure, ephemeralKey, peerChain, type ConnectFailure } from './peer.js';
import { ReplyParser, type Reply, type ReplyFailure } from './reply.js';

export interface Endpoint {
  /** The name we meant to reach (MX exchange, host name, or the IP itself): SNI and certificate checks use it. */
  host: string;
  address: string;
  port: number;
}

export interface TranscriptLine {
  dir: 'C' | 'S';
  line: string;
}

export type { ConnectFailure, ConnectFailureKind } from './peer.js';

export interface SessionOptions {
  timeoutMs: number;
  /** Every line in both directions, as it happens (the --verbose printer). */
  onLine?: (dir: 'C' | 'S', line: string) => void;
  /** DATA lines kept in the transcript before eliding the rest. */
  maxDataLines?: number;
  /** Our side's address (e.g. 127.0.0.2: the demo's forger, a different client IP on loopback). */
  localAddress?: string;
}

export interface TlsParams {
  /** SNI and the name checked by the caller; IP addresses are not sent as SNI (RFC 6066 §3). */
  servername?: string;
  /** Trust anchors (PEM); undefined means Node's bundled roots. */
  ca?: string[];
  timeoutMs?: number;
  /**
   * tls.connect options laid over ours (a TLS audit: minVersion = maxVersion, one cipher suite, ecdhCurve, …).
   * `socket` is always the session's own.
   */
  options?: Omit<ConnectionOptions, 'socket'>;
}

export type TlsOutcome =
  | {
      ok: true;
      ms: number;
      protocol: string | null;
      cipher: string | null;
      /** Chain verification against `ca` (the handshake's own verdict; dates included, the name not). */
      authorized: boolean;
      authorizationError?: string;
      certificate: X509Certificate | null;
      chain: X509Certificate[];
      /** Bytes that arrived in plaintext after the 220 to STARTTLS: discarded (RFC 3207 §4.2, CVE-2011-0411). */
      discardedPlaintext: number;
      /** The key exchange: { type: 'ECDH', name: 'X25519', size: 253 } or { type: 'DH', size: 2048 }; null for TLS 1.3 PSK. */
      ephemeralKey: EphemeralKeyInfo | null;
      /** The live TLS socket, for what the fields above do not say (renegotiate(), getSharedSigalgs(), …). */
      socket: TLSSocket;
    }
  | {
      ok: false;
      ms: number;
      failure: ReplyFailure;
      /** Node's or OpenSSL's error code (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE, ECONNRESET, …): a refused
       *  protocol or suite is not a network fault. */
      code?: string;
    };

export type ConnectOutcome =
  | { ok: true; session: SmtpSession; ms: number }
  | { ok: false; failure: ConnectFailure; ms: number; transcript: TranscriptLine[] };

const now = () => performance.now();
const ms = (start: number) => Math.round((now() - start) * 10) / 10;

export class SmtpSession {
  readonly transcript: TranscriptLine[] = [];
  private socket: Socket | TLSSocket;
  private readonly parser = new ReplyParser();
  private readonly queue: Reply[] = [];
  private waiter: ((r: Reply) => void) | null = null;
  /** Set once the session can no longer be trusted: every later read returns it. */
  private broken: Reply | null = null;
  private secure = false;

  private constructor(
    readonly endpoint: Endpoint,
    private readonly opts: SessionOptions,
    socket: Socket,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  /** TCP connect with the step timeout; refused / timed out / no route are data. */
  static connect(endpoint: Endpoint, opts: SessionOptions): Promise<ConnectOutcome> {
    const start = now();
    return new Promise((resolve) => {
      const socket = netConnect(
        definedOnly({ host: endpoint.address, port: endpoint.port, localAddress: opts.localAddress || undefined }),
      );
      socket.setNoDelay(true);
      const done = (outcome: ConnectOutcome) => {
        clearTimeout(timer);
        socket.removeAllListeners('connect');
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        socket.destroy();
        done({
          ok: false,
          ms: ms(start),
          transcript: [],
          failure: { kind: 'timeout', message: `no TCP connection within ${opts.timeoutMs} ms` },
        });
      }, opts.timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        socket.destroy();
        done({ ok: false, ms: ms(start), transcript: [], failure: connectFailure(e) });
      });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        done({ ok: true, ms: ms(start), session: new SmtpSession(endpoint, opts, socket) });
      });
    });
  }

  get encrypted(): boolean {
    return this.secure;
  }

  get closed(): boolean {
    return this.broken !== null;
  }

  /** Our side of the connection, for an EHLO address literal (RFC 5321 §4.1.3). */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** Waits for the next reply (the greeting, or a reply to something already sent). */
  read(timeoutMs = this.opts.timeoutMs): Promise<Reply> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.broken) return Promise.resolve(this.broken);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        const r = failed('timeout', `no reply within ${timeoutMs} ms`);
        this.breakWith(r);
        resolve(r);
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(r);
      };
    });
  }

  /** Sends one command line and reads its reply. `logAs` replaces the line in the transcript (AUTH secrets). */
  async command(line: string, o: { timeoutMs?: number; logAs?: string } = {}): Promise<Reply> {
    if (this.broken) return this.broken;
    const stray = this.unsolicited();
    if (stray) return stray;
    this.write(line, o.logAs);
    return this.read(o.timeoutMs);
  }

  /** RFC 2920: send a group of commands in one write, then read one reply per command, in order. */
  async pipeline(lines: readonly string[], o: { timeoutMs?: number } = {}): Promise<Reply[]> {
    if (this.broken) return lines.map(() => this.broken!);
    const stray = this.unsolicited();
    if (stray) return lines.map(() => stray);
    for (const line of lines) this.log('C', line);
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
    const replies: Reply[] = [];
    for (let i = 0; i < lines.length; i++) replies.push(await this.read(o.timeoutMs));
    return replies;
  }

  /** After a 354: the message, dot-stuffed and CRLF-normalised, then the final reply. */
  async data(message: Buffer, o: { timeoutMs?: number } = {}): Promise<Reply> {
    if (this.broken) return this.broken;
    const payload = dataPayload(message);
    this.logData(payload);
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs;
    const sock = this.socket;
    // A server that stops reading would leave the write pending for ever: idle for a step's time is a timeout.
    const onIdle = () =>
      this.breakWith(failed('timeout', `the server stopped reading the message for ${timeoutMs} ms`));
    sock.setTimeout(timeoutMs, onIdle);
    const written = await new Promise<boolean>((ok) => {
      sock.write(payload, (err) => ok(!err));
    });
    sock.setTimeout(0);
    sock.off('timeout', onIdle);
    if (!written && this.broken) return this.broken;
    return this.read(timeoutMs);
  }

  /**
   * Starts TLS on this socket (after "220 Ready to start TLS", or at once for implicit TLS on port 465).
   * Certificates are not rejected here: the caller inspects them and says what is wrong.
   */
  upgradeTls(p: TlsParams = {}): Promise<TlsOutcome> {
    const start = now();
    const timeoutMs = p.timeoutMs ?? this.opts.timeoutMs;
    if (this.broken) return Promise.resolve({ ok: false, ms: 0, failure: this.broken.failure! });
    const plain = this.socket;
    this.detach(plain);
    // Whatever the server sent after its 220 came in plaintext and may be injected: never act on it.
    const discardedPlaintext = this.parser.reset() + this.queue.splice(0).length;
    return new Promise((resolve) => {
      const servername = p.servername && !isIP(p.servername) ? p.servername : undefined;
      const sock = tlsConnect({
        socket: plain,
        servername,
        ca: p.ca || undefined, // none: Node's root store
        rejectUnauthorized: false,
        // `authorized` is the chain's verdict alone. Node would fold the name check into it, against the
        // servername or, without one (an IP target: no SNI), against "localhost": the name is judged by
        // certificate.ts instead (IP SANs for an address), so that a good chain is not called untrusted.
        checkServerIdentity: () => undefined,
        // Accept old protocols so that we can report them (a finding), rather than fail to connect.
        minVersion: 'TLSv1',
        ciphers: 'DEFAULT:@SECLEVEL=0',
        ...p.options,
      });
      let settled = false;
      const finish = (o: TlsOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(o);
      };
      const timer = setTimeout(() => {
        sock.destroy();
        const f: ReplyFailure = { kind: 'timeout', message: `TLS handshake not finished within ${timeoutMs} ms` };
        this.breakWith({ code: 0, lines: [], failure: f });
        finish({ ok: false, ms: ms(start), failure: f });
      }, timeoutMs);
      sock.once('error', (e: NodeJS.ErrnoException) => {
        const f: ReplyFailure = {
          kind: 'error',
          message: `TLS handshake failed: ${e.code ? `${e.code} ` : ''}${e.message}`,
        };
        this.breakWith({ code: 0, lines: [], failure: f });
        sock.destroy();
        finish(definedOnly({ ok: false, ms: ms(start), failure: f, code: e.code || undefined }));
      });
      sock.once('secureConnect', () => {
        sock.removeAllListeners('error');
        this.socket = sock;
        this.secure = true;
        this.attach(sock);
        const cipher = sock.getCipher();
        // getPeerCertificate(true) must come first: after getPeerX509Certificate() it returns {} (Node 20).
        const chain = peerChain(sock);
        const certificate = chain[0] ?? sock.getPeerX509Certificate() ?? null;
        finish(
          definedOnly({
            ok: true,
            ms: ms(start),
            protocol: sock.getProtocol() ?? null,
            cipher: cipher?.standardName ?? cipher?.name ?? null,
            authorized: sock.authorized,
            authorizationError: sock.authorizationError ? String(sock.authorizationError) : undefined,
            certificate,
            chain,
            discardedPlaintext,
            ephemeralKey: ephemeralKey(sock),
            socket: sock,
          }),
        );
      });
    });
  }

  /** QUIT (politely, with a short wait), then close. */
  async quit(timeoutMs = Math.min(this.opts.timeoutMs, 2000)): Promise<Reply | undefined> {
    if (this.broken) {
      this.close();
      return undefined;
    }
    const r = await this.command('QUIT', { timeoutMs });
    this.close();
    return r;
  }

  close(): void {
    if (!this.broken) this.broken = failed('closed', 'the session was closed');
    this.socket.destroy();
  }

  private onData = (chunk: Buffer) => {
    for (const r of this.parser.feed(chunk)) {
      for (const line of wireLines(r)) this.log('S', line);
      this.deliver(r);
      if (r.failure) {
        // Garbage or an endless line: nothing after it can be trusted to be a reply.
        this.breakWith(failed('error', `the session was abandoned after a ${r.failure.kind} reply`));
        return;
      }
    }
  };

  private onClose = () => {
    const partial = this.parser.partial ? ` (after ${this.parser.partial} bytes of an unfinished line)` : '';
    this.breakWith(failed('closed', `the server closed the connection${partial}`));
    if (this.waiter) this.waiter(this.broken!);
  };

  private onError = (e: NodeJS.ErrnoException) => {
    const reset = e.code === 'ECONNRESET' || e.code === 'EPIPE';
    this.breakWith(
      failed(
        reset ? 'closed' : 'error',
        reset ? 'the connection was reset by the server' : `connection error: ${e.code ?? e.message}`,
      ),
    );
    if (this.waiter) this.waiter(this.broken!);
  };

  /**
   * Before a command, every reply so far has been read: one still queued came unasked, and from then on each
   * reply would be taken for the answer to the command before (RFC 5321 §4.2: one reply per command, in order).
   * The exception is 421, which a server may send at any time before it closes (§3.8): that is the answer.
   */
  private unsolicited(): Reply | undefined {
    const r = this.queue[0];
    if (!r) return undefined;
    this.queue.length = 0;
    if (r.code === 421) return r;
    const f = failed(
      'malformed',
      `the server sent a reply nobody asked for (${JSON.stringify(wireLines(r)[0]?.slice(0, 60) ?? '')}): its replies are out of order`,
    );
    this.breakWith(f);
    return f;
  }

  private deliver(r: Reply): void {
    if (this.waiter) this.waiter(r);
    else this.queue.push(r);
  }

  private attach(s: Socket): void {
    s.on('data', this.onData);
    s.on('close', this.onClose);
    s.on('error', this.onError);
  }

  private detach(s: Socket): void {
    s.off('data', this.onData);
    s.off('close', this.onClose);
    s.off('error', this.onError);
  }

  /** From now on every read returns `r` (the first failure wins) and the socket is gone. */
  private breakWith(r: Reply): void {
    if (this.broken) return;
    this.broken = r;
    this.socket.destroy();
  }

  private write(line: string, logAs?: string): void {
    this.log('C', logAs ?? line);
    this.socket.write(`${line}\r\n`);
  }

  private log(dir: 'C' | 'S', line: string): void {
    this.transcript.push({ dir, line });
    this.opts.onLine?.(dir, line);
  }

  private logData(payload: Buffer): void {
    const max = this.opts.maxDataLines ?? 200;
    let start = 0;
    let shown = 0;
    // Walk line by line only as far as we show; count the rest without decoding it.
    while (start < payload.length && shown < max) {
      const end = payload.indexOf('\r\n', start);
      if (end < 0) break;
      this.log('C', payload.subarray(start, end).toString('utf8'));
      shown++;
      start = end + 2;
    }
    if (start < payload.length) {
      let rest = 0;
      for (let i = payload.indexOf(0x0a, start); i >= 0; i = payload.indexOf(0x0a, i + 1)) rest++;
      this.log('C', `[… ${rest - 1} more lines not shown …]`);
      this.log('C', '.');
    }
  }
}

function failed(kind: ReplyFailure['kind'], message: string): Reply {
  return { code: 0, lines: [], failure: { kind, message } };
}

/** What to show for a reply in the transcript: its lines as sent, or the garbage that was not a reply. */
function wireLines(r: Reply): string[] {
  if (!r.failure)
    return r.lines.length
      ? r.lines.map((l, i) => `${r.code}${i === r.lines.length - 1 ? ' ' : '-'}${l}`.trimEnd())
      : [String(r.code)];
  if (r.failure.kind === 'malformed') return r.lines;
  return [`[${r.failure.message}]`];
}
