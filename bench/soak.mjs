#!/usr/bin/env node
// Soak test for `mailcheck receive` (issue #8): 20 concurrent raw-socket senders for 60 s with random aborts
// (disconnect mid-DATA, RSET, QUIT early) and oversize messages mixed in. Proves accepted = stored (exit 1 if not)
// and reports the receiver's memory at start and end. Env: DURATION (s, default 60), SENDERS (20), SEED.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DURATION = Number(process.env.DURATION ?? 60) * 1000;
const SENDERS = Number(process.env.SENDERS ?? 20);
const MAX_SIZE = 512 * 1024;
const bin = fileURLToPath(new URL('../bin/mailcheck.js', import.meta.url));
const zone = fileURLToPath(new URL('../fixtures/zones/mail.test.zone', import.meta.url));
const [{ ReplyParser }, { dataPayload }] = await Promise.all(
  ['smtp/reply.js', 'smtp/data.js'].map((m) => import(new URL(`../dist/${m}`, import.meta.url).href)),
).catch(() => {
  console.error('bench/soak needs a build: npm run build');
  process.exit(2);
});

// A small seeded PRNG (mulberry32) so that a run can be repeated.
let seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
const seedUsed = seed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const dir = mkdtempSync(join(tmpdir(), 'mailcheck-soak-'));
const maildir = join(dir, 'Maildir');
const child = spawn(
  process.execPath,
  [
    bin,
    'receive',
    '--port',
    '0',
    '--json',
    '--offline',
    '--zone',
    zone,
    '--maildir',
    maildir,
    '--max-size',
    String(MAX_SIZE),
    '--max-connections',
    '200',
    // Every sender is 127.0.0.1: the soak is many clients, not one client's limit.
    '--max-connections-per-client',
    '200',
    '--timeout',
    '10000',
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const lines = createInterface({ input: child.stdout });
let events = 0;
const listening = await new Promise((resolve, reject) => {
  lines.once('line', (l) => resolve(JSON.parse(l)));
  child.once('exit', (code) => reject(new Error(`receive exited (${code}): ${stderr}`)));
});
lines.on('line', () => events++);

const status = () =>
  Object.fromEntries(
    readFileSync(`/proc/${child.pid}/status`, 'utf8')
      .split('\n')
      .filter((l) => /^Vm(RSS|HWM):/.test(l))
      .map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1]) / 1024]),
  );
const rssStart = status();

/** One connection with a reply reader: `reply()` resolves with the next reply, or code 0 once closed. */
function session(port) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const parser = new ReplyParser();
    const queue = [];
    const waiters = [];
    let closed = false;
    const push = (r) => (waiters.length ? waiters.shift()(r) : queue.push(r));
    sock.on('data', (d) => parser.feed(d).forEach(push));
    sock.on('error', () => {});
    sock.on('close', () => {
      closed = true;
      while (waiters.length) waiters.shift()({ code: 0, lines: [] });
    });
    sock.on('connect', () =>
      resolve({
        sock,
        reply: () => {
          if (queue.length) return Promise.resolve(queue.shift());
          if (closed) return Promise.resolve({ code: 0, lines: [] });
          return new Promise((r) => waiters.push(r));
        },
        send: (s) => sock.write(s),
        close: () => sock.destroy(),
      }),
    );
  });
}

const stats = {
  transactions: 0,
  sent: 0,
  accepted: 0,
  refused: 0,
  oversize: 0,
  oversizeRefused: 0,
  abortedMidData: 0,
  rset: 0,
  quitEarly: 0,
  errors: 0,
  bytes: 0,
};

function message(size, n) {
  const head = `From: alice@mail.test\r\nTo: bob@example.net\r\nSubject: soak ${n}\r\nMessage-ID: <soak-${n}@mail.test>\r\n\r\n`;
  const line = `${'soak '.repeat(15)}\r\n`;
  return head + line.repeat(Math.max(1, Math.ceil((size - head.length) / line.length)));
}

async function transaction(n) {
  const s = await session(listening.port);
  const step = async (cmd, want) => {
    s.send(`${cmd}\r\n`);
    const r = await s.reply();
    if (r.code !== want) throw Object.assign(new Error(`${cmd} → ${r.code}`), { code: r.code });
    return r;
  };
  stats.transactions++;
  try {
    if ((await s.reply()).code !== 220) throw new Error('no greeting');
    await step('EHLO soak.mail.test', 250);
    const roll = random();
    if (roll < 0.08) {
      stats.quitEarly++;
      await step('QUIT', 221);
      return;
    }
    await step('MAIL FROM:<alice@mail.test>', 250);
    await step('RCPT TO:<bob@example.net>', 250);
    if (roll < 0.16) {
      stats.rset++;
      await step('RSET', 250);
      await step('QUIT', 221);
      return;
    }
    const oversize = roll > 0.92;
    const body = message(
      oversize ? MAX_SIZE + 1 + Math.floor(random() * MAX_SIZE) : 500 + Math.floor(random() * 60_000),
      n,
    );
    await step('DATA', 354);
    if (roll < 0.26) {
      // Disconnect mid-DATA: part of the message, then gone. Nothing may be stored.
      stats.abortedMidData++;
      s.send(body.slice(0, Math.floor(body.length / 2)));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 20)));
      return;
    }
    s.send(dataPayload(Buffer.from(body, 'latin1')));
    stats.sent++;
    stats.bytes += body.length;
    if (oversize) stats.oversize++;
    const final = await s.reply();
    if (final.code === 250) stats.accepted++;
    else if (oversize && final.code === 552) stats.oversizeRefused++;
    else stats.refused++;
    if (final.code !== 0) {
      s.send('QUIT\r\n');
      await s.reply();
    }
  } catch {
    stats.errors++;
  } finally {
    s.close();
  }
}

const started = performance.now();
// RSS every tenth of the run: a plateau is a warm heap, a steady climb would be a leak.
const samples = [];
const sampler = setInterval(() => samples.push(status().VmRSS), DURATION / 10);
let n = 0;
await Promise.all(
  Array.from({ length: SENDERS }, async () => {
    while (performance.now() - started < DURATION) await transaction(n++);
  }),
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const rssEnd = status();
child.kill('SIGTERM');
const code = await new Promise((r) => child.once('exit', r));
const stored = readdirSync(join(maildir, 'new')).length;
const tmpLeft = readdirSync(join(maildir, 'tmp')).length;
rmSync(dir, { recursive: true, force: true });

const ok = stats.accepted === stored && tmpLeft === 0 && code === 0 && stats.oversize === stats.oversizeRefused;
console.log(`soak: ${SENDERS} senders for ${seconds.toFixed(1)} s (seed ${seedUsed})`);
console.log(
  `  transactions ${stats.transactions}: sent ${stats.sent} (${(stats.bytes / 1048576).toFixed(1)} MiB, ${stats.oversize} oversize), aborted mid-DATA ${stats.abortedMidData}, RSET ${stats.rset}, QUIT early ${stats.quitEarly}, client-side errors ${stats.errors}`,
);
console.log(`  250-accepted ${stats.accepted}, 552 oversize ${stats.oversizeRefused}, other refusals ${stats.refused}`);
console.log(
  `  stored in new/ ${stored}, left in tmp/ ${tmpLeft}, receiver message events ${events}, receiver exit ${code}`,
);
console.log(
  `  receiver RSS: start ${rssStart.VmRSS.toFixed(1)} MiB, end ${rssEnd.VmRSS.toFixed(1)} MiB, peak ${rssEnd.VmHWM.toFixed(1)} MiB`,
);
console.log(`  RSS every ${(DURATION / 10000).toFixed(0)} s (MiB): ${samples.map((x) => x.toFixed(0)).join(' ')}`);
console.log(ok ? '  accepted = stored: OK' : '  MISMATCH: accepted ≠ stored (or tmp/ not empty, or oversize accepted)');
process.exit(ok ? 0 : 1);
