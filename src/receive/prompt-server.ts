// smtp-server, minus its fixed 100 ms wait before every greeting (and its per-connection random session ids), plus
// a deadline on each command and on DATA.
// smtp-server 3.21 holds each new connection 100 ms (an early-talker check for Internet-facing MXs, with no
// option to turn it off), which caps one-message-per-connection clients at ~200 msgs/s. A subclass that starts
// the session at once is the smallest change: the check itself stays (a command before the 220 still gets
// 421 "You talk too soon"), only the wait goes. The idle timeout (socketTimeout) resets on every byte, so a
// client trickling one byte a second would never be dropped; the deadlines bound a whole command line and a
// whole DATA phase (RFC 5321 §4.5.3.2 gives the server the right to time out and close with 421).
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

export interface Deadlines {
  /** From a reply that hands the turn to the client until its next command line is complete. */
  commandMs: number;
  /** From the 354 until the final "." of the message. */
  dataMs: number;
}

export class PromptSMTPServer extends SMTPServer {
  private readonly idPrefix = randomBytes(4).toString('hex');
  private idSeq = 0;

  constructor(
    options: SMTPServerOptions,
    readonly deadlines: Deadlines,
  ) {
    super(options);
  }

  // Without a PROXY header to read, smtp-server still draws random bytes for a session id (twice: here and in
  // the connection) and waits a turn of the event loop before the session starts. A counter and a direct call
  // do the same for a fraction of the cost — per connection, which is what one-message-per-connection clients pay.
  override _handleProxy(socket: Socket, callback: Parameters<SMTPServer['_handleProxy']>[1]): void {
    if (this.options.useProxy) return super._handleProxy(socket, callback);
    const ignore = !!this.options.ignoredHosts?.includes(socket.remoteAddress ?? '');
    callback(null, { id: `${this.idPrefix}${(++this.idSeq).toString(32).padStart(8, '0')}`, ignore });
  }

  // The same as SMTPServer.connect, with our connection class.
  override connect(socket: Socket | TLSSocket, socketOptions?: ConstructorParameters<typeof SMTPConnection>[2]): void {
    const connection = new PromptConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data: Parameters<SMTPServer['_onClientConnect']>[0]) => this._onClientConnect(data));
    connection.init();
  }
}

class PromptConnection extends SMTPConnection {
  private deadline: NodeJS.Timeout | undefined;

  override init(): void {
    this._setListeners(() => {
      const max = this._server.options.maxClients;
      if (max && this._server.connections.size > max) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      this.connectionReady();
    });
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    // Replies sent in one turn of the event loop (to pipelined MAIL, RCPT, DATA) leave in one write, not one each.
    const socket = this._socket as Socket | undefined;
    if (socket && !socket.destroyed && !socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    super.send(code, data, context);
    if (code === 421 || this._closing) this.clearDeadline();
    else this.armDeadline(code === 354 ? this.limits.dataMs : this.limits.commandMs, code === 354 ? 'DATA' : 'command');
  }

  override _onCommand(command: Buffer, callback?: () => void): void {
    this.clearDeadline();
    super._onCommand(command, callback);
  }

  override close(): void {
    this.clearDeadline();
    super.close();
  }

  private get limits(): Deadlines {
    return (this._server as PromptSMTPServer).deadlines;
  }

  private armDeadline(ms: number, what: string): void {
    this.clearDeadline();
    this.deadline = setTimeout(() => {
      this.deadline = undefined;
      if (this._closing) return;
      // Our turn (a handler or the message's verdict and fsync pending): the client is waiting, not slow.
      if (this._handlerPending || (this._dataStream && this._parser && !this._parser._dataMode)) {
        this.armDeadline(ms, what);
        return;
      }
      this.send(
        421,
        `${this.name} Timeout: ${what} not completed within ${Math.round(ms / 1000)} s, closing connection`,
      );
    }, ms);
    this.deadline.unref();
  }

  private clearDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }
}
