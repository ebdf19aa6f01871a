// The receiver: smtp-server hooks wired to the client's name (client-name.ts), SPF at MAIL FROM (RFC 7208 §2.4),
// the verdict (verdict.ts), the trace headers (trace-headers.ts) and Maildir storage (maildir.ts). The 250 is
// sent only once the message is fsynced in new/. Never relays: every recipient is a local mailbox here.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Context } from '../core/context.js';
import type { Finding } from '../core/result.js';
import { heloCheck, type HeloCheck } from '../verify/requirements/connection.js';
import { requirementLine } from '../verify/requirements/transport.js';
import type { ConnectionFacts, RequirementLine, RequirementsVerdict } from '../verify/requirements/types.js';
import { checkHeloSpf, checkSpf, type SpfVerdict } from '../verify/spf.js';
import { lookupClientName, type ClientName } from './client-name.js';
import { openMaildir, type TmpSweep } from './maildir.js';
import { PromptSMTPServer } from './prompt-server.js';
import { SERVER_TLS_PROFILE } from './tls-profile.js';
import { traceHeaders } from './trace-headers.js';
import { toReceiveAuth, type ReceiveAuth } from './verdict.js';
import { MessageBytes } from './message-bytes.js';
import { startVerifier } from './verify-threads.js';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface ReceiverOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  maildir: string;
  /** Our name: greeting, Received: by, Authentication-Results authserv-id. */
  hostname: string;
  tls: 'none' | 'starttls' | 'implicit';
  cert?: string | Buffer;
  key?: string | Buffer;
  maxSize: number;
  maxRecipients: number;
  maxConnections: number;
  /** Connections at a time from one address (an IPv6 /64); default DEFAULT_CONNECTIONS_PER_CLIENT. */
  maxConnectionsPerClient?: number;
  /** A client's turn to send a command line (also the idle timeout). */
  commandTimeoutMs: number;
  /** From 354 to the final ".". */
  dataTimeoutMs: number;
  /**
   * Threads that verify signed and big messages off the thread that greets clients (verify-threads.ts). 0 or
   * absent: every message is verified inline (what tests running from TypeScript sources get).
   */
  verifyThreads?: number;
  /** SMTP lines as they happen (for --verbose). */
  onLine?: (dir: 'C' | 'S', line: string, session: string) => void;
  /** Judge each message by the bulk-sender rules (otherwise those are advice). */
  bulk?: boolean;
}

export interface ReceivedMessage {
  event: 'message';
  id: string;
  /** The file in the Maildir's new/. */
  file: string;
  remoteAddress: string;
  helo: string;
  mailFrom: string;
  rcptTo: string[];
  /** Bytes received (the trace headers we add are not counted). */
  size: number;
  tls: boolean;
  auth: ReceiveAuth;
  receivedAt: string;
  clientName: string | null;
  tlsProtocol?: string;
  cipher?: string;
  from: string | null;
  subject?: string;
  authenticationResults: string;
  findings: Finding[];
  /** Gmail's and Yahoo's sender rules, judged on this message and its connection ({ id, result, reason }). */
  requirements: RequirementLine[];
  requirementsVerdict: RequirementsVerdict;
}

export interface RejectedMessage {
  event: 'rejected';
  remoteAddress: string;
  mailFrom: string;
  rcptTo: string[];
  code: number;
  reason: string;
}

export interface Receiver {
  host: string;
  port: number;
  /** Absolute path of the Maildir. */
  maildir: string;
  /** Files a crashed delivery left in tmp/, found at start: stale ones removed, younger ones counted. */
  tmpSweep: TmpSweep;
  /** Messages stored so far. */
  readonly stored: number;
  on(event: 'message', listener: (m: ReceivedMessage) => void): this;
  on(event: 'rejected', listener: (m: RejectedMessage) => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
  off(event: string, listener: (...args: never[]) => void): this;
  /** Stops accepting, lets messages in flight finish (their 250 included), then closes every connection. */
  close(): Promise<void>;
}

interface SessionState {
  client: Promise<ClientName>;
  spf?: Promise<SpfVerdict>;
  /** What the HELO name gets, once per session (a client reusing its connection sends one HELO for many messages). */
  helo?: { name: string; spf: Promise<SpfVerdict>; check: Promise<HeloCheck | null> };
}

type Ctx = Pick<Context, 'resolver' | 'now'>;

/** The keys of a message event that come after the optional TLS ones (deliver sets them in this order). */
type Later =
  | 'tlsProtocol'
  | 'cipher'
  | 'from'
  | 'subject'
  | 'authenticationResults'
  | 'findings'
  | 'requirements'
  | 'requirementsVerdict';

/**
 * Well below the default 100 connections, so that one address cannot hold them all; as many as a Postfix sender
 * opens to one destination by default (default_destination_concurrency_limit), so such a sender is never refused.
 */
export const DEFAULT_CONNECTIONS_PER_CLIENT = 20;

export async function startReceiver(opts: ReceiverOptions, ctx: Ctx): Promise<Receiver> {
  const maildir = await openMaildir(opts.maildir);
  // A verdict is given as long as the client was given to send the message.
  const verifier = startVerifier(opts.verifyThreads ?? 0, ctx, { deadlineMs: opts.dataTimeoutMs });
  const emitter = new EventEmitter();
  const sessions = new Map<string, SessionState>();
  const inflight = new Set<Promise<unknown>>();
  let stored = 0;
  let closing: Promise<void> | undefined;
  // Queue ids: a random prefix per receiver and a counter, unique without a random draw per message.
  const idPrefix = randomBytes(3).toString('hex').toUpperCase();
  let idSeq = 0;
  const nextId = () => `${idPrefix}${(++idSeq).toString(16).toUpperCase().padStart(6, '0')}`;

  const spfOrTemp = (p: Promise<SpfVerdict>, ip: string, sender: string, identity: 'mailfrom' | 'helo') =>
    p.catch((e: unknown): SpfVerdict => ({
      result: 'temperror',
      domain: '',
      identity,
      sender,
      ip,
      reason: (e as Error).message,
    }));

  // Without TLS no key or certificate goes to smtp-server at all (a spread of undefined adds nothing).
  const tlsOptions = opts.tls === 'none' ? undefined : { key: opts.key, cert: opts.cert, ...SERVER_TLS_PROFILE };
  const server = new PromptSMTPServer(
    {
      name: opts.hostname,
      banner: 'mailcheck receive (a test receiver: stores, never relays)',
      size: opts.maxSize,
      rejectOversized: true,
      maxClients: opts.maxConnections,
      maxRecipients: opts.maxRecipients,
      maxCommandLength: 2048, // RFC 5321 §4.5.3.1.4 says 512; extensions (SIZE, BODY, SMTPUTF8) make room for more
      disabledCommands: opts.tls === 'starttls' ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      hideSTARTTLS: opts.tls !== 'starttls',
      secure: opts.tls === 'implicit',
      ...tlsOptions,
      // PTR goes through our resolver (onConnect), without holding the greeting.
      disableReverseLookup: true,
      socketTimeout: opts.commandTimeoutMs,
      closeTimeout: opts.dataTimeoutMs,
      logger: opts.onLine ? lineLogger(opts.onLine) : false,

      onConnect(session, callback) {
        sessions.set(session.id, {
          client: lookupClientName(session.remoteAddress, ctx.resolver).catch((): ClientName => ({
            name: null,
            ptr: [],
            iprev: 'temperror',
          })),
        });
        callback();
      },

      onMailFrom(address, session, callback) {
        const st = sessions.get(session.id);
        if (st) {
          const ip = session.remoteAddress;
          const helo = session.hostNameAppearsAs || '';
          // Evaluated while the client sends RCPT and DATA; awaited only once the message is in.
          st.spf = spfOrTemp(
            checkSpf({ ip, sender: address.address, helo }, ctx.resolver, opts.hostname),
            ip,
            address.address,
            'mailfrom',
          );
          if (st.helo?.name !== helo)
            st.helo = {
              name: helo,
              spf: spfOrTemp(checkHeloSpf(ip, helo, ctx.resolver, opts.hostname), ip, `postmaster@${helo}`, 'helo'),
              check: helo ? heloCheck(helo, ctx.resolver) : Promise.resolve(null),
            };
        }
        callback();
      },

      onRcptTo(_address, _session, callback) {
        callback();
      },

      onData(stream: SMTPServerDataStream, session, callback) {
        const bytes = new MessageBytes();
        stream.on('data', (chunk: Buffer) => {
          if (!stream.sizeExceeded) bytes.push(chunk);
        });
        stream.once('error', () => {}); // the client went away mid-message: nothing was accepted
        stream.once('end', () => {
          const envelope = envelopeOf(session);
          if (stream.sizeExceeded) {
            // RFC 1870 §6.2 / RFC 5321 §4.5.3.1.10: 552, and nothing stored (rejectOversized sends the reply).
            emitter.emit('rejected', {
              event: 'rejected',
              remoteAddress: session.remoteAddress,
              ...envelope,
              code: 552,
              reason: `message exceeds the ${opts.maxSize}-byte limit`,
            } satisfies RejectedMessage);
            callback(
              Object.assign(new Error(`Error: message exceeds fixed maximum message size ${opts.maxSize}`), {
                responseCode: 552,
              }),
            );
            return;
          }
          const job = deliver(session, bytes).then(
            (m) => {
              stored++;
              callback(null, `OK: queued as ${m.id}`);
              emitter.emit('message', m);
            },
            (e: unknown) => {
              emitter.emit('rejected', {
                event: 'rejected',
                remoteAddress: session.remoteAddress,
                ...envelope,
                code: 451,
                reason: (e as Error).message,
              } satisfies RejectedMessage);
              callback(
                Object.assign(new Error('Error: local error in processing, try again later'), { responseCode: 451 }),
              );
            },
          );
          inflight.add(job);
          void job.finally(() => inflight.delete(job));
        });
      },

      onClose(session) {
        sessions.delete(session.id);
      },
    },
    {
      commandMs: opts.commandTimeoutMs,
      dataMs: opts.dataTimeoutMs,
      connectionsPerClient: opts.maxConnectionsPerClient ?? DEFAULT_CONNECTIONS_PER_CLIENT,
    },
  );

  let listening = false;
  server.on('error', (e: Error) => {
    // Before listen() succeeds its error rejects startReceiver; socket errors of single clients are theirs.
    if (
      !listening ||
      /ECONNRESET|EPIPE|ETIMEDOUT|Socket closed|TLS|SSL/i.test(
        `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`,
      )
    )
      return;
    if (emitter.listenerCount('error')) emitter.emit('error', e);
  });

  async function deliver(session: SMTPServerSession, bytes: MessageBytes): Promise<ReceivedMessage> {
    const st = sessions.get(session.id) ?? {
      client: Promise.resolve<ClientName>({ name: null, ptr: [], iprev: 'fail' }),
    };
    const ip = session.remoteAddress;
    const helo = session.hostNameAppearsAs || '';
    const envelope = envelopeOf(session);
    const [spf, heloSpf, client, heloChecked] = await Promise.all([
      st.spf ??
        spfOrTemp(
          checkSpf({ ip, sender: envelope.mailFrom, helo }, ctx.resolver, opts.hostname),
          ip,
          envelope.mailFrom,
          'mailfrom',
        ),
      st.helo?.spf,
      st.client,
      // The session's, as its HELO SPF; made now only where no MAIL FROM went through onMailFrom.
      st.helo?.check ?? (helo ? heloCheck(helo, ctx.resolver) : null),
    ]);
    const tls =
      session.secure && session.tlsOptions
        ? { protocol: session.tlsOptions.version, cipher: session.tlsOptions.name }
        : undefined;
    // What this session saw, for the sender requirements (never the message's own Received: fields).
    const connection: ConnectionFacts = { source: 'smtp', ip, tls: !!tls, client };
    if (helo) connection.helo = helo;
    if (tls) {
      connection.tlsProtocol = tls.protocol;
      connection.cipher = tls.cipher;
    }
    const verdict = await verifier.verdict(
      {
        authservId: opts.hostname,
        spf,
        heloSpf,
        connection,
        bulk: !!opts.bulk,
        lookups: { client, helo: heloChecked },
      },
      bytes,
    );
    const id = nextId();
    const now = ctx.now();
    const headers = traceHeaders({
      hostname: opts.hostname,
      helo,
      ip,
      clientName: client.name,
      protocol: session.transmissionType || 'SMTP',
      tls,
      id,
      ...envelope,
      date: now,
      authenticationResults: verdict.authenticationResults,
    });
    const file = await maildir.deliver([headers, ...bytes.parts()]);
    // Built in the order of the line, with no copy to drop the absent keys (definedOnly): one a message. Every key
    // not in Later is checked here; those are set below, in order.
    const head: Omit<ReceivedMessage, Later> = {
      event: 'message',
      id,
      file: file.path,
      remoteAddress: ip,
      helo,
      mailFrom: envelope.mailFrom,
      rcptTo: envelope.rcptTo,
      size: bytes.length,
      tls: !!tls,
      auth: toReceiveAuth(verdict, heloSpf),
      receivedAt: now.toISOString(),
      clientName: client.name,
    };
    const m = head as ReceivedMessage;
    if (tls) {
      m.tlsProtocol = tls.protocol;
      m.cipher = tls.cipher;
    }
    m.from = verdict.from;
    if (verdict.subject !== undefined) m.subject = verdict.subject;
    m.authenticationResults = verdict.authenticationResults;
    m.findings = verdict.findings;
    m.requirements = verdict.requirements.map(requirementLine);
    m.requirementsVerdict = verdict.requirementsVerdict;
    return m;
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      listening = true;
      resolve();
    });
  }).catch(async (e: unknown) => {
    await maildir.close();
    throw e;
  });
  const address = server.server.address() as { address: string; port: number };

  const receiver = Object.assign(emitter, {
    host: address.address,
    port: address.port,
    maildir: maildir.root,
    tmpSweep: maildir.tmpSweep,
    get stored() {
      return stored;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Sessions not in the middle of a message have nothing to finish: 421 (RFC 5321 §3.8). Those receiving
        // or storing one get it after their 250. The DATA deadline bounds the wait.
        const deadline = Date.now() + opts.dataTimeoutMs;
        for (;;) {
          for (const conn of server.connections) {
            if (!conn._dataStream && !conn._closing)
              conn.send(421, `${opts.hostname} Service shutting down, closing transmission channel`);
          }
          if ((!server.connections.size && !inflight.size) || Date.now() > deadline) break;
          // A timer, not just the deliveries: waiting only on promises would never let the sockets' I/O in.
          await new Promise((r) => setTimeout(r, 20));
        }
        await closed;
        await verifier.close();
        await maildir.close();
      })();
      return closing;
    },
  });
  return receiver as unknown as Receiver;
}

function envelopeOf(session: SMTPServerSession): { mailFrom: string; rcptTo: string[] } {
  return {
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
  };
}

/** smtp-server's logger interface, reduced to the protocol lines ("C:" / "S:" debug entries). */
function lineLogger(onLine: NonNullable<ReceiverOptions['onLine']>) {
  const noop = () => {};
  return {
    info: noop,
    error: noop,
    debug: (meta: { cid?: string }, kind: unknown, line: unknown) => {
      if (kind === 'C:' || kind === 'S:') onLine(kind === 'C:' ? 'C' : 'S', String(line), meta?.cid ?? '');
    },
  };
}
