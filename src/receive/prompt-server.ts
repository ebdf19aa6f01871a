// smtp-server, minus its fixed 100 ms wait before every greeting (and its per-connection random session ids), plus
// a deadline on each command and on DATA, a limit of connections per client address, a limit of commands that do
// nothing, and "500 Line too long" for an over-long command line with the session going on (line-limit-stream.ts).
// smtp-server 3.21 holds each new connection 100 ms (an early-talker check for Internet-facing MXs, with no
// option to turn it off), which caps one-message-per-connection clients at ~200 msgs/s. A subclass that starts
// the session at once is the smallest change: the check itself stays (a command before the 220 still gets
// 421 "You talk too soon"), only the wait goes. The idle timeout (socketTimeout) resets on every byte, so a
// client trickling one byte a second would never be dropped; the deadlines bound a whole command line and a
// whole DATA phase (RFC 5321 §4.5.3.2 gives the server the right to time out and close with 421).
import { randomBytes } from 'node:crypto';
import { isIPv6, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { expandIpv6 } from '../dns/types.js';
import { LineLimitStream } from './line-limit-stream.js';

export interface SessionLimits {
  /** From a reply that hands the turn to the client until its next command line is complete. */
  commandMs: number;
  /** From the 354 until the final "." of the message. */
  dataMs: number;
  /** Connections at a time from one client (an IPv4 address, an IPv6 /64); more get 421. 0: no limit. */
  connectionsPerClient?: number;
  /** Commands that move no message forward, per session between accepted messages; past it, 421. */
  junkCommands?: number;
}

/** Postfix's smtpd_junk_command_limit. */
export const JUNK_COMMAND_LIMIT = 100;

/**
 * Commands that do nothing towards a message: NOOP, RSET, VRFY, EXPN, HELP, and HELO/EHLO (a session needs one or
 * two). Errors to syntax and sequence (500–504, an over-long line too) count as well.
 */
const JUNK = new Set(['NOOP', 'RSET', 'VRFY', 'EXPN', 'HELP', 'HELO', 'EHLO', 'LHLO']);

/** The command's first word, upper-cased, read from at most its first five bytes ('NOOPX' is not NOOP). */
function verbOf(command: Buffer): string {
  let end = 0;
  while (end < 5 && end < command.length && command[end] !== 0x20) end++;
  return command.toString('latin1', 0, end).toUpperCase();
}

/** What a client is counted as: its IPv4 address, or its IPv6 /64 (a host there has all of it to choose from). */
export function clientKey(address: string): string {
  if (!isIPv6(address)) return address;
  return expandIpv6(address).split(':').slice(0, 4).join(':');
}

export class PromptSMTPServer extends SMTPServer {
  private readonly idPrefix = randomBytes(4).toString('hex');
  private idSeq = 0;

  constructor(
    options: SMTPServerOptions,
    readonly limits: SessionLimits,
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

  /** Junk commands since the session began or since its last accepted message (as Postfix counts them). */
  private junk = 0;

  override init(): void {
    this._setListeners(() => {
      const max = this._server.options.maxClients;
      if (max && this._server.connections.size > max) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      // One address cannot take every slot: others are still served while it is at its limit.
      const perClient = this.limits.connectionsPerClient;
      if (perClient && this.connectionsFromHere() > perClient) {
        return this.send(421, `${this.name} Too many connections from ${this.remoteAddress}, try again later`, false);
      }
      this.connectionReady();
    });
  }

  /** This connection and the others open from the same client (closing ones have left the set already). */
  private connectionsFromHere(): number {
    const key = clientKey(this.remoteAddress);
    let n = 0;
    for (const c of this._server.connections) if (clientKey(c.remoteAddress) === key) n++;
    return n;
  }

  override _createParser(): SMTPStream {
    // As SMTPConnection's, with our parser (an over-long line is answered, not fatal).
    const parser = new LineLimitStream({ maxCommandLength: this._server.options.maxCommandLength });
    parser.oncommand = (command, callback) => this._onCommand(command, callback);
    parser.onlinetoolong = (length, next) => this.onLineTooLong(length, next);
    parser.on('error', (err: Error) => this.send(421, `Error: ${err.message}`));
    return parser;
  }

  private onLineTooLong(length: number, next: () => void): void {
    this._server.logger.debug(
      { tnx: 'command', cid: this.id },
      'C:',
      `<a command line of ${length} bytes, over the ${this._server.options.maxCommandLength}-byte limit: dropped>`,
    );
    this.clearDeadline();
    if (this._upgrading || this._closing) return next();
    // The 500 itself counts as junk (send): refuse instead when it would go past the limit.
    if (this.junk >= this.junkLimit) return this.tooMuchJunk();
    this.send(500, 'Line too long');
    this._whenWritable(next);
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    // Replies sent in one turn of the event loop (to pipelined MAIL, RCPT, DATA) leave in one write, not one each.
    const socket = this._socket as Socket | undefined;
    if (socket && !socket.destroyed && !socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    super.send(code, data, context);
    if (code >= 500 && code <= 504) this.junk++;
    else if (code === 250 && context === 'DATA_OK') this.junk = 0; // a message accepted: a client doing work
    if (code === 421 || this._closing) this.clearDeadline();
    else this.armDeadline(code === 354 ? this.limits.dataMs : this.limits.commandMs, code === 354 ? 'DATA' : 'command');
  }

  override _onCommand(command: Buffer, callback?: () => void): void {
    this.clearDeadline();
    // Not continuation lines of an exchange (AUTH is never offered, but the library has such handlers).
    if (!this._nextHandler && this._ready && !this._upgrading) {
      if (JUNK.has(verbOf(command))) this.junk++;
      if (this.junk > this.junkLimit) return this.tooMuchJunk();
    }
    super._onCommand(command, callback);
  }

  private get junkLimit(): number {
    return this.limits.junkCommands ?? JUNK_COMMAND_LIMIT;
  }

  private tooMuchJunk(): void {
    this.send(421, `${this.name} Too many commands that do nothing (${this.junkLimit}), closing connection`, false);
  }

  override close(): void {
    this.clearDeadline();
    super.close();
  }

  private get limits(): SessionLimits {
    return (this._server as PromptSMTPServer).limits;
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
