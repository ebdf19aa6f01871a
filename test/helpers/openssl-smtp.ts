// `openssl s_server` as an SMTP server with STARTTLS, for TLS audit tests with settings Node's TLS server cannot
// show as an independent peer (Debian's OpenSSL build, its own switches: -client_renegotiation, -serverpref,
// -dhparam, TLS 1.0/1.1 at @SECLEVEL=0). s_server speaks no SMTP (-starttls is s_client's), so a small front
// does the SMTP part — greeting, EHLO with STARTTLS, "220 Ready" — and then pipes the connection's bytes to
// s_server, which sees a TLS client from the first byte. s_server serves one connection at a time; the others
// wait in its listen queue, as they would at a busy server.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { waitForPort } from './wait-port.js';

export interface OpensslSmtp {
  host: string;
  port: number;
  /** SMTP sessions that reached STARTTLS (each one TLS handshake for s_server). */
  readonly starttls: number;
  /** Sessions opened. */
  readonly sessions: number;
  /** What s_server wrote (errors go to stderr), for a failing test's message. */
  output(): string;
  close(): Promise<void>;
}

export async function startOpensslSmtp(o: {
  certFile: string;
  keyFile: string;
  /** s_server's TLS options: -min_protocol, -cipher, -serverpref, -dhparam, -groups, -client_renegotiation, … */
  args: string[];
  hostname?: string;
}): Promise<OpensslSmtp> {
  const hostname = o.hostname ?? 'mx.openssl.test';
  const tlsPort = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    'openssl',
    ['s_server', '-accept', `127.0.0.1:${tlsPort}`, '-cert', o.certFile, '-key', o.keyFile, '-quiet', ...o.args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(tlsPort, 10_000, {
    name: 'openssl s_server',
    dead: () => child.exitCode !== null,
    log: () => output,
  });

  let starttls = 0;
  let sessions = 0;
  const sockets = new Set<Socket>();
  const front: Server = createServer((client) => {
    sessions++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') client.write(`250-${hostname}\r\n250-PIPELINING\r\n250 STARTTLS\r\n`);
        else if (verb === 'HELO') client.write(`250 ${hostname}\r\n`);
        else if (verb === 'QUIT') {
          client.end('221 2.0.0 Bye\r\n');
          return;
        } else if (verb === 'STARTTLS') {
          starttls++;
          client.off('data', onData);
          client.write('220 2.0.0 Ready to start TLS\r\n');
          // From here on every byte is TLS: s_server takes the connection as if it had been TLS from the start.
          const backend = connect(tlsPort, '127.0.0.1');
          sockets.add(backend);
          backend.on('close', () => {
            sockets.delete(backend);
            client.destroy();
          });
          backend.on('error', () => client.destroy());
          client.on('close', () => backend.destroy());
          client.pipe(backend);
          backend.pipe(client);
          return;
        } else client.write('502 5.5.2 Error: command not recognized\r\n');
      }
    };
    client.on('data', onData);
    client.write(`220 ${hostname} ESMTP openssl s_server behind a STARTTLS front\r\n`);
  });
  await new Promise<void>((ok) => front.listen(0, '127.0.0.1', () => ok()));
  return {
    host: '127.0.0.1',
    port: (front.address() as { port: number }).port,
    get starttls() {
      return starttls;
    },
    get sessions() {
      return sessions;
    },
    output: () => output,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => front.close(() => ok()));
      child.kill();
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}
