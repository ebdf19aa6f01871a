// Test helpers for the receiver: a raw SMTP client on a socket (reads replies line by line, multi-line aware,
// STARTTLS), a receiver on port 0 with a temp Maildir and the fixture zones, and a one-call transaction.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import {
  startReceiver,
  type ReceivedMessage,
  type Receiver,
  type ReceiverOptions,
  type RejectedMessage,
} from '../../src/receive/server.js';
import type { Resolver } from '../../src/dns/types.js';
import { fixtureResolver } from './zones.js';

export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

export interface RawClient {
  socket: Socket | TLSSocket;
  /** The next reply (all lines of a multi-line one). */
  reply(timeoutMs?: number): Promise<Reply>;
  /** Writes a line (CRLF added). */
  write(line: string): void;
  /** Writes raw bytes. */
  writeRaw(data: string | Buffer): void;
  command(line: string): Promise<Reply>;
  starttls(servername?: string): Promise<void>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  close(): void;
}

export async function rawClient(
  port: number,
  opts: {
    host?: string;
    tls?: boolean;
    /** Our side's address: 127.0.0.2 is another client on loopback. */ localAddress?: string;
  } = {},
): Promise<RawClient> {
  const host = opts.host ?? '127.0.0.1';
  const local = opts.localAddress ? { localAddress: opts.localAddress } : {};
  let socket: Socket | TLSSocket = opts.tls
    ? tlsConnect({ host, port, rejectUnauthorized: false, ...local })
    : connect({ host, port, ...local });
  await new Promise<void>((resolve, reject) => {
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  let buffer = '';
  let waiting: (() => void) | undefined;
  let ended = false;
  let closedResolve: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  const attach = (s: Socket | TLSSocket) => {
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buffer += d;
      waiting?.();
    });
    s.on('close', () => {
      ended = true;
      waiting?.();
      closedResolve();
    });
    s.on('error', () => {});
  };
  attach(socket);

  const tryParse = (): Reply | undefined => {
    const lines: string[] = [];
    let pos = 0;
    for (;;) {
      const nl = buffer.indexOf('\r\n', pos);
      if (nl === -1) return undefined;
      const line = buffer.slice(pos, nl);
      lines.push(line);
      pos = nl + 2;
      if (/^\d{3}( |$)/.test(line)) {
        buffer = buffer.slice(pos);
        return { code: Number(line.slice(0, 3)), lines, text: lines.map((l) => l.slice(4)).join('\n') };
      }
    }
  };

  const reply = async (timeoutMs = 5000): Promise<Reply> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = tryParse();
      if (r) return r;
      if (ended) throw new Error(`connection closed while waiting for a reply (buffer: ${JSON.stringify(buffer)})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms (buffer: ${JSON.stringify(buffer)})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiting = () => {
          clearTimeout(t);
          waiting = undefined;
          resolve();
        };
      });
    }
  };
  const client: RawClient = {
    get socket() {
      return socket;
    },
    reply,
    write: (line) => socket.write(`${line}\r\n`),
    writeRaw: (data) => socket.write(data),
    command: async (line) => {
      socket.write(`${line}\r\n`);
      return reply();
    },
    starttls: async (servername) => {
      const r = await client.command('STARTTLS');
      if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.lines.join(' ')}`);
      const plain = socket;
      plain.removeAllListeners('data');
      const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', () => resolve());
        secure.once('error', reject);
      });
      socket = secure;
      attach(secure);
    },
    closed,
    close: () => socket.destroy(),
  };
  return client;
}

export interface Transaction {
  helo?: string;
  from: string;
  to: string[];
  /** The message, with CRLF line ends; dot-stuffing is done here. */
  data: string | Buffer;
}

/** EHLO, MAIL, RCPT and DATA on a greeted client, each answered as it should be: the client is at 354. */
export async function openData(c: RawClient, t: Omit<Transaction, 'data'>): Promise<void> {
  expectCode(await c.command(`EHLO ${t.helo ?? 'client.mail.test'}`), 250);
  expectCode(await c.command(`MAIL FROM:<${t.from}>`), 250);
  for (const r of t.to) expectCode(await c.command(`RCPT TO:<${r}>`), 250);
  expectCode(await c.command('DATA'), 354);
}

/** EHLO, MAIL, RCPT, DATA, QUIT on an open client; returns the reply to the final "." */
export async function transact(c: RawClient, t: Transaction, opts: { greeting?: boolean } = {}): Promise<Reply> {
  if (opts.greeting !== false) expectCode(await c.reply(), 220);
  await openData(c, t);
  c.writeRaw(dotStuff(t.data));
  c.writeRaw('.\r\n');
  return c.reply(15000);
}

export function dotStuff(data: string | Buffer): Buffer {
  let s = Buffer.isBuffer(data) ? data.toString('latin1') : data;
  if (!s.endsWith('\r\n')) s += '\r\n';
  return Buffer.from(s.replace(/(^|\r\n)\./g, '$1..'), 'latin1');
}

export function expectCode(r: Reply, code: number): Reply {
  if (r.code !== code) throw new Error(`expected ${code}, got ${r.lines.join(' | ')}`);
  return r;
}

export interface TestReceiver {
  receiver: Receiver;
  port: number;
  maildir: string;
  messages: ReceivedMessage[];
  rejected: RejectedMessage[];
  /** Resolves once `n` messages have been stored. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Files in new/ and tmp/. */
  files(): Promise<{ new: string[]; tmp: string[] }>;
  read(file: string): Promise<Buffer>;
  stop(): Promise<void>;
}

/** A receiver on 127.0.0.1:0 with a temp Maildir, answering DNS from the fixture zones (offline) unless given a resolver. */
export async function startTestReceiver(
  overrides: Partial<ReceiverOptions> = {},
  resolver: Resolver = fixtureResolver(),
): Promise<TestReceiver> {
  const dir = await mkdtemp(join(tmpdir(), 'mailcheck-receive-'));
  const maildir = join(dir, 'Maildir');
  const receiver = await startReceiver(
    {
      host: '127.0.0.1',
      port: 0,
      maildir,
      hostname: 'mx.mail.test',
      tls: 'none',
      maxSize: 1024 * 1024,
      maxRecipients: 100,
      maxConnections: 100,
      commandTimeoutMs: 10_000,
      dataTimeoutMs: 60_000,
      ...overrides,
    },
    { resolver, now: () => new Date() },
  );
  const messages: ReceivedMessage[] = [];
  const rejected: RejectedMessage[] = [];
  receiver.on('message', (m) => messages.push(m));
  receiver.on('rejected', (r) => rejected.push(r));
  let stopped = false;
  return {
    receiver,
    port: receiver.port,
    maildir,
    messages,
    rejected,
    waitFor: async (n, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline)
          throw new Error(`only ${messages.length} of ${n} messages stored within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return messages;
    },
    files: async () => ({
      new: (await readdir(join(maildir, 'new'))).sort(),
      tmp: await readdir(join(maildir, 'tmp')),
    }),
    read: (file) => readFile(file.includes('/') ? file : join(maildir, 'new', file)),
    stop: async () => {
      if (!stopped) {
        stopped = true;
        await receiver.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
