// The floor under bench/receive.mjs: the lightest Node receiver that still stores every message durably before
// its 250 — a few lines of SMTP (EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT; pipelined replies
// in one write) in front of mailcheck's own Maildir (dist/receive/maildir.js: writer threads, fdatasync, rename,
// group-committed fsync of new/). No checks, no TLS, no limits, no events: not a server anyone should run, only
// about the best rate a Node receiver that fsyncs each message's file before its 250 reaches on this machine and disk.
//   node bench/receive-floor.mjs <port> <maildir> <count>
// Prints {"event":"listening"} and, once <count> messages are stored and the clients have gone, {"event":"done",...}.
import { createServer } from 'node:net';

const [portArg, dir, countArg] = process.argv.slice(2);
const count = Number(countArg);
const { openMaildir } = await import(new URL('../dist/receive/maildir.js', import.meta.url).href);
const maildir = await openMaildir(dir);
const CRLF = Buffer.from('\r\n');
const END = Buffer.from('\r\n.\r\n');
const TRACE = Buffer.from('Return-Path: <>\r\nReceived: from floor\r\n');
let stored = 0;
let open = 0;

/** Removes the dot a client adds to lines that start with one (RFC 5321 §4.5.2); `b` starts at a line start. */
function unstuff(b) {
  if (b[0] !== 0x2e && b.indexOf('\r\n.') < 0) return b;
  const out = Buffer.allocUnsafe(b.length);
  let o = 0;
  let i = b[0] === 0x2e ? 1 : 0;
  for (;;) {
    const j = b.indexOf('\r\n.', i);
    if (j < 0) return out.subarray(0, o + b.copy(out, o, i));
    o += b.copy(out, o, i, j + 2);
    i = j + 3;
  }
}

const server = createServer({ noDelay: true }, (sock) => {
  open++;
  let buf = Buffer.alloc(0);
  let inData = false;
  let waiting = false;
  let rcpts = 0;
  let out = '220 floor.test ESMTP\r\n';
  const flush = () => {
    if (out && !sock.destroyed) sock.write(out);
    out = '';
  };
  const pump = () => {
    while (!waiting) {
      if (inData) {
        // The body starts right after DATA's CRLF: a message of no lines ends with ".\r\n" at once.
        const end = buf[0] === 0x2e && buf[1] === 0x0d && buf[2] === 0x0a ? -2 : buf.indexOf(END);
        if (end === -1) break;
        const body = end === -2 ? Buffer.alloc(0) : unstuff(buf.subarray(0, end + 2));
        buf = buf.subarray(end === -2 ? 3 : end + 5);
        inData = false;
        rcpts = 0;
        waiting = true;
        flush();
        maildir
          .deliver([TRACE, body])
          .then(
            () => {
              stored++;
              out += '250 2.0.0 Ok: queued\r\n';
            },
            (e) => {
              out += `451 4.3.0 ${e.message}\r\n`;
            },
          )
          .then(() => {
            waiting = false;
            pump();
          });
        return;
      }
      const nl = buf.indexOf(CRLF);
      if (nl < 0) break;
      const verb = buf.toString('latin1', 0, Math.min(nl, 4)).toUpperCase();
      buf = buf.subarray(nl + 2);
      if (verb === 'EHLO') out += '250-floor.test\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250 8BITMIME\r\n';
      else if (verb === 'HELO') out += '250 floor.test\r\n';
      else if (verb === 'MAIL' || verb === 'RSET' || verb === 'NOOP') {
        rcpts = 0;
        out += '250 2.0.0 Ok\r\n';
      } else if (verb === 'RCPT') {
        rcpts++;
        out += '250 2.1.5 Ok\r\n';
      } else if (verb === 'DATA') {
        if (rcpts) {
          inData = true;
          out += '354 End data with <CR><LF>.<CR><LF>\r\n';
        } else out += '503 5.5.1 RCPT first\r\n';
      } else if (verb === 'QUIT') {
        out += '221 2.0.0 Bye\r\n';
        flush();
        sock.end();
        return;
      } else out += '502 5.5.2 unknown command\r\n';
    }
    flush();
  };
  flush();
  sock.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    if (!waiting) pump();
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    if (--open === 0 && stored >= count) done();
  });
});

function done() {
  process.stdout.write(`${JSON.stringify({ event: 'done', stored })}\n`);
  server.close();
  void maildir.close().then(() => process.exit(0));
}

server.maxConnections = 1000;
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ event: 'listening' })}\n`));
