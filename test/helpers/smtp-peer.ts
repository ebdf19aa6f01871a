// A fake SMTP server on 127.0.0.1:0 for tests: a small honest server by default (EHLO, STARTTLS, MAIL, RCPT,
// DATA with dot-unstuffing), a scripted dialogue (`[expect 'EHLO', reply '250-…']`), or a misbehaving one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, createSecureContext, type SecureContextOptions } from 'node:tls';

export type Misbehaviour =
  | 'normal'
  /** Accepts the connection and never says a word. */
  | 'silent'
  /** The greeting is not SMTP: binary junk with terminal escapes. */
  | 'garbage-banner'
  /** Answers EHLO with text that has no reply code. */
  | 'garbage'
  /** Answers EHLO with one line that never ends. */
  | 'endless-line'
  /** Closes the connection after reading part of the message in DATA. */
  | 'drop-mid-data'
  /** Says 354 to DATA, then stops reading (the client's writes back up). */
  | 'stall-data'
  /** First RCPT gets 450 (try later), every later one 550 (no such user). */
  | '4xx-then-5xx'
  /** Says "220 go ahead" to STARTTLS, then never starts the handshake. */
  | 'stall-tls'
  /** An old server: 500 to EHLO, only HELO (no ESMTP). */
  | 'no-ehlo'
  /** Greets, then closes at once. */
  | 'close-after-banner'
  /** 554 greeting: no SMTP service here. */
  | 'banner-554'
  /** 421 greeting: busy, come back later (greylisting at connect). */
  | 'banner-421'
  /** Answers EHLO with well-formed "250-" lines without end (up to 1 GiB, or until the client hangs up). */
  | 'flood'
  /** Answers EHLO with up to 1 GiB of bytes and no line end, or until the client hangs up. */
  | 'gigabyte'
  /** Answers EHLO with two lines of a multi-line reply and half of a third, then closes. */
  | 'close-mid-reply'
  /** Sends an extra "250 2.0.0 Ok" right after the greeting: every later reply answers the command before. */
  | 'wrong-order';

export interface ScriptStep {
  /** What the client must send (a prefix, case-insensitive, or a pattern). Omit for the greeting. */
  expect?: string | RegExp;
  /** Reply lines, sent as is (CRLF added). */
  reply?: string | string[];
  delayMs?: number;
  /** Close the connection after this step. */
  close?: boolean;
  /** Start TLS (server side) after sending the reply. */
  startTls?: boolean;
}

export interface SmtpPeerOptions {
  hostname?: string;
  /** Greeting text after "220 " (default "<hostname> ESMTP mailcheck-peer"). */
  greeting?: string;
  bannerDelayMs?: number;
  /** Extensions announced in EHLO; default PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES (+ STARTTLS with tls). */
  extensions?: string[];
  tls?: {
    cert: string;
    key: string;
    minVersion?: SecureContextOptions['minVersion'];
    maxVersion?: SecureContextOptions['maxVersion'];
    ciphers?: string;
    /** For a TLS audit's known settings: ECDHE groups, DH parameters (PEM or 'auto'), OpenSSL option bits,
     *  the server's own cipher order. */
    ecdhCurve?: string;
    dhparam?: string | Buffer;
    secureOptions?: number;
    honorCipherOrder?: boolean;
  };
  /** TLS from the first byte (port 465 style). */
  implicitTls?: boolean;
  mode?: Misbehaviour;
  /** A fixed dialogue; when set, mode and the default server are not used. */
  script?: ScriptStep[];
  /** Domains whose recipients are accepted; others get "554 5.7.1 Relay access denied". Default: every domain. */
  localDomains?: string[];
  /** Final reply to DATA (default "250 2.0.0 Ok: queued as <ID>"). */
  dataReply?: string;
  /** SMTP AUTH (RFC 4954): these credentials log in with the listed mechanisms (default PLAIN LOGIN), offered
   *  only after STARTTLS when `tlsOnly` (as Postfix's smtpd_tls_auth_only); without it, AUTH always fails. */
  auth?: { user: string; password: string; mechanisms?: string[]; tlsOnly?: boolean };
}

export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  data: Buffer;
  tls: boolean;
  helo: string;
  /** The user logged in with AUTH on this session, if any. */
  authUser?: string;
}

export interface SmtpPeer {
  host: string;
  port: number;
  /** Every command line received, per connection, in order. */
  readonly sessions: string[][];
  readonly messages: ReceivedMessage[];
  /** Script steps that did not match what the client sent. */
  readonly mismatches: string[];
  /** Bytes written by the streaming modes (flood, gigabyte) before the client hung up or the limit was reached. */
  readonly streamed: number;
  close(): Promise<void>;
}

export async function startSmtpPeer(opts: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const hostname = opts.hostname ?? 'peer.test';
  const sessions: string[][] = [];
  const messages: ReceivedMessage[] = [];
  const mismatches: string[] = [];
  const sockets = new Set<Socket>();
  const context = opts.tls
    ? createSecureContext({
        cert: opts.tls.cert,
        key: opts.tls.key,
        minVersion: opts.tls.minVersion ?? 'TLSv1',
        maxVersion: opts.tls.maxVersion,
        ciphers: opts.tls.ciphers ?? 'DEFAULT:@SECLEVEL=0',
        ecdhCurve: opts.tls.ecdhCurve,
        dhparam: opts.tls.dhparam,
        secureOptions: opts.tls.secureOptions,
        honorCipherOrder: opts.tls.honorCipherOrder,
      })
    : undefined;
  let queueId = 0x1000;
  let streamed = 0;

  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    const log: string[] = [];
    sessions.push(log);
    let sock: Socket = raw;
    let buffer = Buffer.alloc(0);
    let inData = false;
    let dataBytes = 0;
    let helo = '';
    let tx: { mailFrom: string; rcptTo: string[] } | null = null;
    let rcptCount = 0;
    let stalled = false;
    let step = 0;
    let authUser: string | undefined;
    /** AUTH LOGIN in progress: the next line is the user name, then the password (base64). */
    let login: { user?: string } | null = null;

    const send = (lines: string | string[]) => {
      if (!sock.destroyed)
        sock.write(
          [lines]
            .flat()
            .map((l) => `${l}\r\n`)
            .join(''),
        );
    };
    const startTls = () => {
      const secure = new TLSSocket(sock, { isServer: true, secureContext: context });
      secure.on('error', () => sock.destroy());
      sock.off('data', onData);
      secure.on('data', onData);
      sock = secure;
    };

    const onData = (chunk: Buffer) => {
      if (stalled) return;
      buffer = Buffer.concat([buffer, chunk]);
      if (inData) return readData();
      for (let lf = buffer.indexOf(0x0a); lf >= 0 && !inData && !stalled; lf = buffer.indexOf(0x0a)) {
        const line = buffer.subarray(0, lf).toString('utf8').replace(/\r$/, '');
        buffer = buffer.subarray(lf + 1);
        log.push(line);
        if (opts.script) scripted(line);
        else command(line);
        if (inData) readData();
      }
    };

    const readData = () => {
      if (opts.mode === 'drop-mid-data' && buffer.length + dataBytes > 20) {
        sock.destroy();
        return;
      }
      const end = buffer.indexOf('\r\n.\r\n');
      const atStart = buffer.subarray(0, 3).toString() === '.\r\n';
      if (end < 0 && !atStart) return;
      const body = atStart ? Buffer.alloc(0) : buffer.subarray(0, end + 2);
      buffer = buffer.subarray(atStart ? 3 : end + 5);
      inData = false;
      dataBytes = 0;
      // RFC 5321 §4.5.2: remove the extra leading dot the client added.
      const data = Buffer.from(body.toString('latin1').replace(/^\.\./gm, '.'), 'latin1');
      if (tx) messages.push({ ...tx, data, tls: sock instanceof TLSSocket, helo, ...(authUser ? { authUser } : {}) });
      tx = null;
      const id = (queueId++).toString(16).toUpperCase();
      send(opts.dataReply ?? `250 2.0.0 Ok: queued as ${id}`);
      if (buffer.length) onData(Buffer.alloc(0));
    };

    const scripted = (line: string) => {
      const s = opts.script![step++];
      if (!s) return send('500 5.5.1 script ended');
      const ok =
        s.expect === undefined ||
        (typeof s.expect === 'string' ? line.toUpperCase().startsWith(s.expect.toUpperCase()) : s.expect.test(line));
      if (!ok) mismatches.push(`step ${step}: expected ${String(s.expect)}, got ${line}`);
      const act = () => {
        if (s.reply) send(s.reply);
        if (/^DATA$/i.test(line) && s.reply && String([s.reply].flat()[0]).startsWith('354')) inData = true;
        if (s.startTls) startTls();
        if (s.close) sock.end();
      };
      if (s.delayMs) setTimeout(act, s.delayMs);
      else act();
    };

    const checkLogin = (user: string, password: string) => {
      if (opts.auth && user === opts.auth.user && password === opts.auth.password) {
        authUser = user;
        return send('235 2.7.0 Authentication successful');
      }
      return send('535 5.7.8 Error: authentication failed');
    };
    const command = (line: string) => {
      if (login) {
        const decoded = Buffer.from(line, 'base64').toString('utf8');
        if (line === '*') {
          login = null;
          return send('501 5.7.0 Authentication cancelled');
        }
        if (login.user === undefined) {
          login.user = decoded;
          return send('334 UGFzc3dvcmQ6');
        }
        const user = login.user;
        login = null;
        return checkLogin(user, decoded);
      }
      const [verb = '', ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO': {
          if (opts.mode === 'no-ehlo') return send('500 5.5.1 Command unrecognized');
          if (opts.mode === 'garbage') return send('hello there, friend');
          if (opts.mode === 'endless-line') return stream('250-', Buffer.alloc(16 * 1024, 'x'), 4 * 1024 ** 2);
          if (opts.mode === 'flood') return stream('', Buffer.from(`250-${'flood '.repeat(80)}\r\n`.repeat(64)));
          if (opts.mode === 'gigabyte') return stream('250-', Buffer.alloc(64 * 1024, 'x'));
          if (opts.mode === 'close-mid-reply') {
            sock.write(`250-${hostname}\r\n250-PIPELINING\r\n250-SI`);
            return sock.end();
          }
          helo = arg;
          const ext = opts.extensions ?? ['PIPELINING', 'SIZE 10485760', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES'];
          const secure = sock instanceof TLSSocket;
          const list = [
            ...ext,
            ...(context && !secure && !opts.extensions?.length ? ['STARTTLS'] : []),
            ...(opts.auth && (secure || !opts.auth.tlsOnly)
              ? [`AUTH ${(opts.auth.mechanisms ?? ['PLAIN', 'LOGIN']).join(' ')}`]
              : []),
          ];
          return send([hostname, ...list].map((l, i, a) => `250${i === a.length - 1 ? ' ' : '-'}${l}`));
        }
        case 'HELO':
          helo = arg;
          return send(`250 ${hostname}`);
        case 'STARTTLS':
          if (!context) return send('502 5.5.1 STARTTLS not available');
          send('220 2.0.0 Ready to start TLS');
          if (opts.mode === 'stall-tls') {
            stalled = true;
            return;
          }
          buffer = Buffer.alloc(0);
          return startTls();
        case 'MAIL':
          tx = { mailFrom: /<([^>]*)>/.exec(arg)?.[1] ?? '', rcptTo: [] };
          return send('250 2.1.0 Ok');
        case 'RCPT': {
          if (!tx) return send('503 5.5.1 Error: need MAIL command');
          const addr = /<([^>]*)>/.exec(arg)?.[1] ?? '';
          const domain = addr.split('@').pop()!.toLowerCase();
          if (opts.mode === '4xx-then-5xx') {
            return send(
              rcptCount++ === 0
                ? `450 4.2.0 <${addr}>: Mailbox busy, try again later`
                : `550 5.1.1 <${addr}>: Recipient address rejected: no such user`,
            );
          }
          if (opts.localDomains && !opts.localDomains.includes(domain))
            return send(`554 5.7.1 <${addr}>: Relay access denied`);
          tx.rcptTo.push(addr);
          return send('250 2.1.5 Ok');
        }
        case 'DATA':
          if (!tx?.rcptTo.length) return send('554 5.5.1 Error: no valid recipients');
          inData = true;
          send('354 End data with <CR><LF>.<CR><LF>');
          if (opts.mode === 'stall-data') {
            stalled = true;
            sock.pause();
          }
          return;
        case 'RSET':
          tx = null;
          return send('250 2.0.0 Ok');
        case 'NOOP':
          return send('250 2.0.0 Ok');
        case 'QUIT':
          send('221 2.0.0 Bye');
          return sock.end();
        case 'AUTH': {
          if (!opts.auth) return send('535 5.7.8 Error: authentication failed');
          if (opts.auth.tlsOnly && !(sock instanceof TLSSocket))
            return send('538 5.7.11 Encryption required for requested authentication mechanism');
          const [mech = '', initial] = rest;
          const allowed = opts.auth.mechanisms ?? ['PLAIN', 'LOGIN'];
          if (!allowed.includes(mech.toUpperCase())) return send('504 5.5.4 Unrecognized authentication type');
          if (mech.toUpperCase() === 'LOGIN') {
            login = {};
            return send('334 VXNlcm5hbWU6');
          }
          const [, user = '', password = ''] = Buffer.from(initial ?? '', 'base64')
            .toString('utf8')
            .split('\0');
          return checkLogin(user, password);
        }
        default:
          return send('502 5.5.2 Error: command not recognized');
      }
    };

    /** Writes `prefix`, then `chunk` again and again, as fast as the client reads, until it hangs up or `limit`. */
    const stream = (prefix: string, chunk: Buffer, limit = 1024 ** 3) => {
      const more = () => {
        if (sock.destroyed || streamed >= limit) return;
        streamed += chunk.length;
        sock.write(chunk, (err) => {
          if (!err) setImmediate(more);
        });
      };
      sock.write(prefix);
      more();
    };

    sock.on('data', onData);
    const greet = () => {
      if (sock.destroyed) return;
      if (opts.script) {
        const first = opts.script[0];
        if (first && first.expect === undefined) {
          step = 1;
          const act = () => {
            if (first.reply) send(first.reply);
            if (first.close) sock.end();
          };
          if (first.delayMs) setTimeout(act, first.delayMs);
          else act();
        }
        return;
      }
      switch (opts.mode) {
        case 'silent':
          return;
        case 'garbage-banner':
          return send('\x1b[31mHELLO\x07 this is not smtp\x1b]0;owned\x07');
        case 'banner-554':
          return send(`554 5.3.2 ${hostname} No SMTP service here`);
        case 'banner-421':
          send(`421 4.3.2 ${hostname} Service not available, try again later`);
          return sock.end();
        default:
          // wrong-order: an unasked reply right behind the greeting, in the same write, so that the client has
          // it before it sends EHLO however loaded the machine is (two writes could reach it either side of EHLO).
          send(
            opts.mode === 'wrong-order'
              ? [`220 ${opts.greeting ?? `${hostname} ESMTP mailcheck-peer`}`, '250 2.0.0 Ok']
              : `220 ${opts.greeting ?? `${hostname} ESMTP mailcheck-peer`}`,
          );
          if (opts.mode === 'close-after-banner') sock.end();
      }
    };
    if (opts.implicitTls) startTls();
    if (opts.bannerDelayMs) setTimeout(greet, opts.bannerDelayMs);
    else greet();
  });

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    sessions,
    messages,
    mismatches,
    get streamed() {
      return streamed;
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

export interface GeneratedCert {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  dir: string;
  cleanup(): void;
}

/**
 * A certificate made with openssl for tests: self-signed, or issued by `ca`. EC P-256 keys (fast to make).
 * Dates are relative to the real clock; tests move ctx.now() to see it expired or not yet valid.
 */
export function generateCertificate(o: {
  cn: string;
  altNames?: string[];
  days?: number;
  ca?: GeneratedCert;
  isCa?: boolean;
  rsa?: boolean;
}): GeneratedCert {
  const dir = mkdtempSync(join(tmpdir(), 'mc-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const ext = join(dir, 'ext.cnf');
  const sans = (o.altNames ?? [o.cn]).map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const lines = o.isCa
    ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash']
    : [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        ...(sans ? [`subjectAltName=${sans}`] : []),
      ];
  writeFileSync(ext, `[req]\ndistinguished_name=dn\n[dn]\n[ext]\n${lines.join('\n')}\n`);
  const newkey = o.rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  const days = String(o.days ?? 30);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (o.ca) {
    const csr = join(dir, 'req.csr');
    run(['req', '-new', ...newkey, '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${o.cn}`, '-config', ext]);
    run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      o.ca.certFile,
      '-CAkey',
      o.ca.keyFile,
      '-CAcreateserial',
      '-days',
      days,
      '-out',
      certFile,
      '-extfile',
      ext,
      '-extensions',
      'ext',
    ]);
  } else {
    run([
      'req',
      '-x509',
      ...newkey,
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      days,
      '-subj',
      `/CN=${o.cn}`,
      '-config',
      ext,
      '-extensions',
      'ext',
    ]);
  }
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
