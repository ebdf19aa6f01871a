// bench/batch: `mailcheck check --batch` throughput against a real authoritative server. Generates N synthetic mail
// domains (bench/batch-zones.mjs), serves them from a private knot on loopback, and reports for each size:
// domains/s, DNS queries per domain, CPU per domain, peak memory (RSS of the checking process). Needs `npm run build`
// and knotd.
//   node bench/batch.mjs [--sizes 10000,100000] [--concurrency N|auto] [--no-workers] [--no-floor]
// (auto, the CLI's default: adaptive up to 64; 100,000 domains take a few minutes, and show memory stays flat.)
// Then the CLI end to end at the first size with --workers 1 and 2, and pinned with taskset (knot on one core,
// mailcheck on the other: the shape of a machine whose resolver is elsewhere).
// Then the floor (bench/batch-floor.mjs): the same questions through a bare client, the checks with every answer
// cached, and knot's own CPU per query; their sum bounds the rate on this machine whatever the code between them.
//   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/batch.mjs   (profile the measured process)
//   BENCH_DIST=/tmp/old/dist node bench/batch.mjs   (the in-process runs and the floor of another build, e.g. an
//   older commit's worktree; the CLI runs are always this checkout's)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchZones } from './batch-zones.mjs';
import { cpuMicros } from './proc-cpu.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = opt('sizes', '10000,100000').split(',').map(Number);
const concurrency = opt('concurrency', 'auto');
const TARGET = { rate: 2000, perDomain: 18, memoryMb: 200, cpuMs: 1.0 };

const knotd = [
  '/usr/sbin/knotd',
  '/usr/local/sbin/knotd',
  ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'knotd')),
].find((p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
if (!knotd) {
  console.error('bench/batch: knotd not found (Debian package knot)');
  process.exit(process.env.CI ? 1 : 0);
}

const dir = mkdtempSync(join(tmpdir(), 'mailcheck-bench-'));
const max = Math.max(...sizes);
const genStart = performance.now();
const files = writeBenchZones(dir, max);
console.log(`zones: ${max} domains, ${((performance.now() - genStart) / 1000).toFixed(1)} s to generate (${dir})`);

const port = await freeUdpPort();
for (const d of ['run', 'db']) mkdirSync(join(dir, d));
writeFileSync(
  join(dir, 'knot.conf'),
  `server:
    rundir: "${dir}/run"
    listen: 127.0.0.1@${port}
    udp-workers: ${Math.max(1, Math.min(2, cpus().length - 1))}
    tcp-workers: 1
    background-workers: 1
database:
    storage: "${dir}/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: bench.
    file: "${files.fwd}"
  - domain: 10.in-addr.arpa.
    file: "${files.v4}"
  - domain: d.f.ip6.arpa.
    file: "${files.v6}"
`,
);
const knot = spawn(knotd, ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => {
  knot.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});
try {
  const loadStart = performance.now();
  await waitForKnot(port);
  console.log(
    `knot ${execFileSync(knotd, ['--version']).toString().trim().split('\n')[0]} on 127.0.0.1:${port}, loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );
  console.log(
    `concurrency ${concurrency === 'auto' ? 'adaptive up to 64 (the CLI default)' : concurrency}, all checks but --smtp, DKIM selector s1\n`,
  );
  const rows = [];
  for (const n of sizes) {
    const knotBefore = cpuMicros(knot.pid);
    const r = runBatch(n);
    const knotAfter = cpuMicros(knot.pid);
    r.knotUsPerQuery =
      knotBefore === undefined || knotAfter === undefined ? undefined : (knotAfter - knotBefore) / r.queries;
    rows.push(r);
    const pass = (ok) => (ok ? 'ok' : 'MISSED');
    // Per domain: the queries about that domain's own names; the shared ones (the SPF include every domain names)
    // are asked once per run and shown apart. CPU is the measured process's, all threads (GC included), per domain:
    // on a busy machine it moves less than the rate does.
    console.log(
      `N=${String(n).padStart(6)}  ${r.rate.toFixed(0).padStart(5)} domains/s [${pass(r.rate >= TARGET.rate)}]  ${r.perDomainOwn.toFixed(2)} DNS queries/domain + ${r.shared} shared [${pass(r.perDomainOwn <= TARGET.perDomain)}]  CPU ${(r.cpuUsPerDomain / 1000).toFixed(2)} ms/domain [${pass(r.cpuUsPerDomain / 1000 <= TARGET.cpuMs)}] (user ${(r.userUsPerDomain / 1000).toFixed(2)}, system ${(r.systemUsPerDomain / 1000).toFixed(2)}; knot ${r.knotUsPerQuery === undefined ? '?' : ((r.knotUsPerQuery * r.perDomain) / 1000).toFixed(2)})  peak RSS ${r.peakRssMb.toFixed(0)} MB [${pass(r.peakRssMb < TARGET.memoryMb)}] (heap ${r.peakHeapMb.toFixed(0)} MB)  (${r.seconds.toFixed(2)} s, ${r.failedQueries} failed queries, verdicts ${JSON.stringify(r.verdicts)}, NDJSON ${r.ndjsonMb.toFixed(1)} MB)`,
    );
  }
  if (!args.includes('--no-workers')) workers(sizes[0]);
  if (!args.includes('--no-floor')) floor(Math.min(max, 3000));
  console.log(
    `\ntargets: ≥ ${TARGET.rate} domains/s, ≤ ${TARGET.perDomain} queries/domain, ≤ ${TARGET.cpuMs} ms CPU/domain, < ${TARGET.memoryMb} MB`,
  );
} finally {
  stop();
}

function runBatch(n, env = process.env) {
  const out = execFileSync(
    process.execPath,
    [
      ...(env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      new URL('batch-run.mjs', import.meta.url).pathname,
      files.list,
      String(n),
      `127.0.0.1:${port}`,
      String(concurrency),
    ],
    { maxBuffer: 1 << 20, env },
  ).toString();
  return JSON.parse(out.trim().split('\n').pop());
}

/**
 * The CLI end to end (startup included), `mailcheck check --batch <first n> --json > /dev/null`, with 1 and 2 worker
 * threads, then pinned: knot on core 0, mailcheck on core 1, one thread. CPU is the child's (all its threads), from
 * /proc as a reaped child's times; peak RSS from a preloaded exit hook.
 */
function workers(n) {
  const list = join(dir, `first-${n}.txt`);
  writeFileSync(list, readFileSync(files.list, 'utf8').split('\n').slice(0, n).join('\n') + '\n');
  const cores = cpus().length;
  console.log(`\nthe CLI end to end, N=${n} (startup included; ${cores} cores, knot on the same machine):`);
  const row = (label, r) =>
    console.log(
      `  ${label.padEnd(40)} ${(n / r.seconds).toFixed(0).padStart(5)} domains/s  CPU ${(r.cpuUs / n / 1000).toFixed(2)} ms/domain  peak RSS ${r.rssMb.toFixed(0)} MB  (${r.seconds.toFixed(1)} s, exit ${r.status})`,
    );
  row('--workers 1', cli(list, ['--workers', '1']));
  row('--workers 2', cli(list, ['--workers', '2']));
  const taskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  if (cores < 2 || !taskset) return console.log('  (pinned run skipped: needs taskset and 2 cores)');
  // All of knot's threads to core 0 while mailcheck runs on core 1; back to every core afterwards.
  spawnSync('taskset', ['-a', '-p', '-c', '0', String(knot.pid)], { stdio: 'ignore' });
  try {
    row('pinned: knot core 0, mailcheck core 1', cli(list, ['--workers', '1'], ['taskset', '-c', '1']));
  } finally {
    spawnSync('taskset', ['-a', '-p', '-c', `0-${cores - 1}`, String(knot.pid)], { stdio: 'ignore' });
  }
}

function cli(list, extra, prefix = []) {
  const rssFile = join(dir, 'rss');
  const hook = join(dir, 'rss-hook.mjs');
  writeFileSync(
    hook,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const command = [
    process.execPath,
    new URL('../bin/mailcheck.js', import.meta.url).pathname,
    'check',
    '--batch',
    list,
    '--resolver',
    `127.0.0.1:${port}`,
    '--selector',
    's1',
    '--json',
    ...(concurrency === 'auto' ? [] : ['--concurrency', String(concurrency)]),
    ...extra,
  ];
  const all = [...prefix, ...command];
  const cpu0 = cpuMicros(process.pid);
  const start = performance.now();
  // Exit 1 is expected: the synthetic domains publish _mta-sts but no policy host (mta-sts.<domain> is NXDOMAIN).
  const r = spawnSync(all[0], all.slice(1), {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CI: '1', NODE_OPTIONS: `--import ${hook}` },
  });
  const seconds = (performance.now() - start) / 1000;
  const cpuUs = cpuMicros(process.pid) - cpu0;
  return { seconds, cpuUs, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, status: r.status };
}

/** What n domains' questions and checks cost with nothing else around them, and the rate that allows here. */
function floor(n) {
  const log = join(dir, 'queries.tsv');
  const run = runBatch(n, { ...process.env, BENCH_QUERY_LOG: log, BENCH_NODE_ARGS: '' });
  const script = new URL('batch-floor.mjs', import.meta.url).pathname;
  const node = (...a) =>
    JSON.parse(
      execFileSync(process.execPath, [script, ...a], { maxBuffer: 1 << 20 })
        .toString()
        .trim()
        .split('\n')
        .pop(),
    );
  const t = node('transport', log, `127.0.0.1:${port}`, String(knot.pid));
  const c = node('checks', files.list, String(n), `127.0.0.1:${port}`);
  const perDomain = run.perDomain;
  const transportMs = (t.cpuUsPerQuery * perDomain) / 1000;
  const knotMs = (t.knotUsPerQuery * perDomain) / 1000;
  const checksMs = c.cpuUsPerDomain / 1000;
  const sum = transportMs + knotMs + checksMs;
  const cores = cpus().length;
  console.log(`\nfloor, ${n} domains (${perDomain.toFixed(2)} wire queries each; CPU per domain):`);
  console.log(
    `  the same queries through a bare UDP client (no retries, cache or steps): ${transportMs.toFixed(2)} ms  (${t.qps.toFixed(0)} queries/s, ${t.failed} failed)`,
  );
  console.log(`  knot answering them: ${knotMs.toFixed(2)} ms`);
  console.log(
    `  the checks with every answer already cached (no transport): ${checksMs.toFixed(2)} ms  (${c.rate.toFixed(0)} domains/s on one thread)`,
  );
  console.log(
    `  sum ${sum.toFixed(2)} ms: at most ${((cores * 1000) / sum).toFixed(0)} domains/s on ${cores} cores, with every core busy and no cost between transport and checks`,
  );
}

async function freeUdpPort() {
  const s = createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  s.close();
  return p;
}

/** Until bench. answers SOA (knot loads large zones in the background). */
async function waitForKnot(p) {
  const { encodeQuery, decodeMessage } = await import(new URL('../dist/dns/codec.js', import.meta.url));
  for (let i = 0; i < 600; i++) {
    const ok = await new Promise((resolve) => {
      const s = createSocket('udp4');
      const q = encodeQuery('bench', 'SOA');
      const t = setTimeout(() => {
        s.close();
        resolve(false);
      }, 200);
      s.on('message', (m) => {
        clearTimeout(t);
        s.close();
        const d = decodeMessage(m);
        resolve(d.ok && d.message.rcode === 'NOERROR' && d.message.answers.length > 0);
      });
      s.send(q.bytes, p, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('knot did not load the bench zones within 60 s');
}
