#!/usr/bin/env node
// `mailcheck receive` throughput: N messages (~2 KB) from Postfix's smtp-source (20 sessions) into the receiver,
// one message per connection and with connections reused (smtp-source -d), verification on and fsync before
// every 250; Postfix's smtp-sink (accepts and discards: the ceiling) measured in the same run.
// Prints msgs/s, the ratio to smtp-sink, and stored vs sent (must be equal). Needs a build and Debian's postfix.
// Also the storage ceiling: the receiver's own Maildir delivery with no SMTP at all, SESSIONS at a time, in the
// same directory — what the disk allows (on some virtual disks it, not SMTP or verification, is the limit).
// Also the floor: the lightest durable receiver (bench/receive-floor.mjs) under the same load.
// Env: N (default 10000), SESSIONS (20), SIZE (2000), BENCH_DIR (where the Maildirs go; default the temp dir),
// ROOT (the checkout whose build to measure: another worktree's, to compare builds back to back).
// Also the receiver's CPU time per message (user+sys from /proc, all its threads), the steadier figure on a
// shared machine.
// On ext4 without a journal, creating files is slower for minutes after many were deleted (inode allocation skips
// recently freed inodes): a run right after another, which deleted its 40,000 files, measures low.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuMicros } from './proc-cpu.mjs';

const N = Number(process.env.N ?? 10000);
const SESSIONS = Number(process.env.SESSIONS ?? 20);
const SIZE = Number(process.env.SIZE ?? 2000);
const root = process.env.ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/mailcheck.js');
const zones = ['mail.test.zone'].map((z) => join(root, 'fixtures/zones', z));
// Builds before --max-connections-per-client had no per-client limit to lift.
const perClientFlag = spawnSync(process.execPath, [bin, 'receive', '--help'], { encoding: 'utf8' }).stdout.includes(
  '--max-connections-per-client',
);
const find = (name) =>
  ['/usr/sbin', '/usr/bin', '/usr/local/sbin']
    .map((d) => join(d, name))
    .find((p) => spawnSync('test', ['-x', p]).status === 0);
const source = find('smtp-source');
const sink = find('smtp-sink');
if (!source || !sink) {
  console.error('bench/receive needs smtp-source and smtp-sink (Debian: apt-get install postfix)');
  process.exit(2);
}
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'mailcheck-bench-receive-'));

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** smtp-source from alice@mail.test (SPF pass for 127.0.0.1, DMARC aligned): resolves with the seconds it took. */
function runSource(port, reuse) {
  const args = [
    '-s',
    String(SESSIONS),
    '-m',
    String(N),
    '-l',
    String(SIZE),
    '-f',
    'alice@mail.test',
    '-t',
    'bob@example.net',
    '-M',
    'client.mail.test',
    '-S',
    'bench',
    ...(reuse ? ['-d'] : []),
    `127.0.0.1:${port}`,
  ];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(source, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) =>
      code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`smtp-source exited ${code}: ${err}`)),
    );
  });
}

async function measureSink(reuse) {
  const port = await freePort();
  const asRoot = userInfo().uid === 0 ? ['-u', 'nobody'] : [];
  const p = spawn(sink, [...asRoot, '-m', '1024', `127.0.0.1:${port}`, '1024'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  try {
    return N / (await runSource(port, reuse));
  } finally {
    p.kill();
  }
}

/**
 * Starts a receiver (node `args`, NDJSON on stdout), waits for its 'listening' event, runs smtp-source against it and
 * waits for the receiver to exit by itself (after N messages). `onMessage` is called at each message line, with the
 * line unparsed: the lines are parsed after the run (`events`), so that this process, on the same cores, spends
 * nothing during it in proportion to how much the receiver writes.
 */
async function runReceiver(args, port, reuse, onMessage = () => {}) {
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let listening;
  const ready = new Promise((resolve) => (listening = resolve));
  const lines = [];
  createInterface({ input: p.stdout }).on('line', (l) => {
    lines.push(l);
    if (l.startsWith('{"event":"message"')) onMessage(p);
    else if (l.startsWith('{"event":"listening"')) listening();
  });
  const exited = new Promise((resolve) => p.on('exit', resolve));
  await ready;
  const t0 = performance.now();
  await runSource(port, reuse);
  const code = await exited;
  const seconds = (performance.now() - t0) / 1000;
  return { code, seconds, events: lines.map((l) => JSON.parse(l)) };
}

async function measureReceive(reuse) {
  const maildir = join(dir, reuse ? 'reused' : 'per-connection');
  const port = await freePort();
  let seen = 0;
  let cpu;
  const { code, seconds, events } = await runReceiver(
    [
      bin,
      'receive',
      '--port',
      String(port),
      '--maildir',
      maildir,
      '--count',
      String(N),
      '--json',
      '--hostname',
      'mx.mail.test',
      '--max-connections',
      '1000',
      // smtp-source's sessions all come from 127.0.0.1: measure throughput, not the per-client limit.
      ...(perClientFlag ? ['--max-connections-per-client', '1000'] : []),
      ...zones.flatMap((z) => ['--zone', z]),
      '--offline',
    ],
    port,
    reuse,
    (p) => {
      // The last message is reported: the work is done, the exit not yet begun.
      if (++seen === N) cpu = cpuMicros(p.pid);
    },
  );
  const stored = readdirSync(join(maildir, 'new')).length;
  if (code !== 0) throw new Error(`mailcheck receive exited ${code}`);
  const messages = events.filter((e) => e.event === 'message');
  const passed = messages.filter((e) => e.auth.spf.result === 'pass' && e.auth.dmarc.result === 'pass').length;
  return {
    rate: N / seconds,
    stored,
    events: messages.length,
    passed,
    cpuPerMessage: cpu === undefined ? NaN : cpu / N,
  };
}

/** The lightest durable receiver (bench/receive-floor.mjs): hand-written SMTP in front of our Maildir, no checks. */
async function measureFloor(reuse) {
  const maildir = join(dir, reuse ? 'floor-reused' : 'floor-per-connection');
  const port = await freePort();
  const { seconds } = await runReceiver(
    [fileURLToPath(new URL('receive-floor.mjs', import.meta.url)), String(port), maildir, String(N)],
    port,
    reuse,
  );
  const stored = readdirSync(join(maildir, 'new')).length;
  if (stored !== N) throw new Error(`receive-floor stored ${stored} of ${N}`);
  return N / seconds;
}

/** Maildir delivery alone (the receiver's code: writer threads, fdatasync, rename, group-committed fsync of new/). */
async function measureStorage() {
  const { openMaildir } = await import(pathToFileURL(join(root, 'dist/receive/maildir.js')).href);
  const md = await openMaildir(join(dir, 'storage-only'));
  const header = Buffer.alloc(600, 'h');
  const body = Buffer.alloc(SIZE, 'b');
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      while (started < N) {
        started++;
        await md.deliver([header, body]);
      }
    }),
  );
  const rate = N / ((performance.now() - t0) / 1000);
  await md.close();
  return rate;
}

try {
  console.log(
    `receive benchmark: ${N} messages of ${SIZE} bytes, ${SESSIONS} smtp-source sessions, ${availableParallelism()} cores (${root})`,
  );
  console.log(
    `  ${'mode'.padEnd(24)} ${'smtp-sink'.padStart(10)} ${'floor'.padStart(10)} ${'mailcheck'.padStart(10)} ${'ratio'.padStart(6)} ${'stored/sent'.padStart(13)} ${'auth pass'.padStart(10)} ${'CPU/msg'.padStart(9)}`,
  );
  for (const reuse of [false, true]) {
    const sinkRate = await measureSink(reuse);
    const floorRate = await measureFloor(reuse);
    const r = await measureReceive(reuse);
    const f = (x) => Math.round(x).toLocaleString('en-US');
    console.log(
      `  ${(reuse ? 'connections reused (-d)' : 'one per connection').padEnd(24)} ${f(sinkRate).padStart(10)} ${f(floorRate).padStart(10)} ${f(r.rate).padStart(10)} ${`${(r.rate / sinkRate).toFixed(2)}`.padStart(6)} ${`${r.stored}/${N}`.padStart(13)} ${`${r.passed}`.padStart(10)} ${`${r.cpuPerMessage.toFixed(0)} µs`.padStart(9)}`,
    );
    if (r.stored !== N || r.events !== N) {
      console.error(`  LOST MESSAGES: sent ${N}, stored ${r.stored}, reported ${r.events}`);
      process.exitCode = 1;
    }
  }
  const storage = await measureStorage();
  console.log(
    `  ${'Maildir alone (no SMTP)'.padEnd(24)} ${''.padStart(10)} ${''.padStart(10)} ${Math.round(storage).toLocaleString('en-US').padStart(10)}   (storage ceiling in ${dir})`,
  );
  console.log(
    '  msgs/s: from smtp-source start to the last message stored (fsync before every 250), with SPF, DKIM, DMARC and ARC checks.',
  );
  console.log(
    '  floor: bench/receive-floor.mjs, a few lines of SMTP in front of the same Maildir, no checks: about what any Node',
  );
  console.log(
    '  receiver that fsyncs a Maildir file before each 250 can reach on this machine and disk. ratio: mailcheck / smtp-sink.',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
