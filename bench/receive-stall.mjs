#!/usr/bin/env node
// Does one costly message hold up everyone else? `mailcheck receive` gets a message whose verification is costly
// and stays costly however well the verifier is written: a ~24 MB body (under the default --max-size) under DKIM
// signatures of both body canonicalizations, with a key that exists, so each form is canonicalized and hashed
// in full. While it is being verified, a new client connects every PROBE_MS and its greeting is timed, and an
// established session sends NOOPs, timed too. Prints the greeting and NOOP delays (max, median) and the time
// from the final "." to the 250. Env: MB (24), PROBE_MS (20), RUNS (3), ROOT (the checkout whose build to run).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MB = Number(process.env.MB ?? 24);
const PROBE_MS = Number(process.env.PROBE_MS ?? 20);
const RUNS = Number(process.env.RUNS ?? 3);
const root = resolve(process.env.ROOT ?? fileURLToPath(new URL('..', import.meta.url)));
const bin = join(root, 'bin/mailcheck.js');
const zone = join(root, 'fixtures/zones/mail.test.zone');

/** The costly message: relaxed and simple body forms, each over the whole body (no l=), key mail.test/rsa2048. */
export function costlyMessage(mb = MB) {
  const line = 'The quick brown fox  jumps over the lazy dog \t and keeps on running\r\n';
  const body = line.repeat(Math.ceil((mb * 1024 * 1024) / line.length));
  const sig = (c) =>
    `DKIM-Signature: v=1; a=rsa-sha256; c=${c}; d=mail.test; s=rsa2048; h=from:to:subject;\r\n bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA`;
  return Buffer.from(
    `${sig('relaxed/relaxed')}\r\n${sig('relaxed/simple')}\r\nFrom: Alice <alice@mail.test>\r\nTo: bob@example.net\r\nSubject: costly\r\n\r\n${body}`,
    'latin1',
  );
}

/** A line-reading SMTP client: `reply()` resolves with the next reply's code. */
function client(port) {
  return new Promise((res, rej) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const waiters = [];
    const codes = [];
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      buf += d;
      for (let nl; (nl = buf.indexOf('\r\n')) !== -1;) {
        const l = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (/^\d{3} /.test(l)) (waiters.length ? waiters.shift() : (c) => codes.push(c))(Number(l.slice(0, 3)));
      }
    });
    sock.on('error', rej);
    // A closed connection answers every later wait with 0.
    sock.on('close', () => {
      while (waiters.length) waiters.shift()(0);
      codes.push(0);
    });
    sock.on('connect', () =>
      res({
        sock,
        reply: () => (codes.length ? Promise.resolve(codes.shift()) : new Promise((r) => waiters.push(r))),
        write: (s) => sock.write(s),
      }),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function run(message) {
  const dir = mkdtempSync(join(tmpdir(), 'mailcheck-bench-stall-'));
  const child = spawn(
    process.execPath,
    [bin, 'receive', '--port', '0', '--json', '--offline', '--zone', zone, '--maildir', join(dir, 'Maildir')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const { port } = JSON.parse(await new Promise((r) => createInterface({ input: child.stdout }).once('line', r)));
    const busy = await client(port);
    await busy.reply();
    const session = async () => {
      const c = await client(port);
      await c.reply();
      c.write('EHLO idle.mail.test\r\n');
      await c.reply();
      return c;
    };
    let idle = await session();
    busy.write('EHLO alice.mail.test\r\nMAIL FROM:<alice@mail.test>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n');
    for (let i = 0; i < 4; i++) await busy.reply();
    await new Promise((r) => busy.sock.write(message, r));
    const t0 = performance.now();
    busy.write('\r\n.\r\n');
    let done = false;
    const final = busy.reply().then((code) => {
      done = true;
      return { code, ms: performance.now() - t0 };
    });
    const greetings = [];
    const noops = [];
    // Probes until the 250: each a new connection's 220, and a NOOP on the idle session.
    while (!done) {
      const g0 = performance.now();
      const c = await client(port);
      await c.reply();
      greetings.push(performance.now() - g0);
      c.sock.destroy();
      const n0 = performance.now();
      idle.write('NOOP\r\n');
      await idle.reply();
      noops.push(performance.now() - n0);
      // A fresh session before the junk-command limit (100 commands that do nothing) closes this one.
      if (noops.length % 80 === 0) {
        idle.sock.destroy();
        idle = await session();
      }
      await new Promise((r) => setTimeout(r, PROBE_MS));
    }
    const { code, ms } = await final;
    busy.sock.destroy();
    idle.sock.destroy();
    return { code, ms, greetings, noops };
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const message = costlyMessage();
  console.log(
    `receive stall: ${(message.length / 1048576).toFixed(1)} MiB message, 2 DKIM body forms, probes every ${PROBE_MS} ms (${root})`,
  );
  console.log(
    `  ${'run'.padEnd(4)} ${'reply'.padStart(6)} ${'to 250'.padStart(9)} ${'probes'.padStart(7)} ${'220 max'.padStart(9)} ${'220 med'.padStart(9)} ${'NOOP max'.padStart(9)} ${'NOOP med'.padStart(9)}`,
  );
  const f = (x) => `${x.toFixed(1)} ms`;
  for (let i = 1; i <= RUNS; i++) {
    const r = await run(message);
    console.log(
      `  ${String(i).padEnd(4)} ${String(r.code).padStart(6)} ${f(r.ms).padStart(9)} ${String(r.greetings.length).padStart(7)} ${f(Math.max(...r.greetings)).padStart(9)} ${f(median(r.greetings)).padStart(9)} ${f(Math.max(...r.noops)).padStart(9)} ${f(median(r.noops)).padStart(9)}`,
    );
  }
  console.log('  220/NOOP: how long a new client waited for its greeting, and an idle session for its NOOP reply,');
  console.log('  while the message was verified and stored (from its final "." to its 250).');
}
