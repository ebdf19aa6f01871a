// One measured run of bench/batch.mjs, in its own process so peak memory is its own: the first N domains of the
// list checked exactly as `mailcheck check --batch --json` does (same resolver stack, runBatch, NDJSON written to a
// sink), wire queries counted from the resolver's events. Prints one JSON line.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';

const [file, nArg, server, concurrencyArg] = process.argv.slice(2);
const n = Number(nArg);
const [host, port] = server.split(':');
// BENCH_DIST=<dir>/dist/ measures another build (an old commit's worktree) with this same script.
const dist = process.env.BENCH_DIST
  ? new URL(`file://${process.env.BENCH_DIST.replace(/\/?$/, '/')}`)
  : new URL('../dist/', import.meta.url);
const { networkResolver } = await import(new URL('dns/network.js', dist));
const { cached } = await import(new URL('dns/cache.js', dist));
const { checkPosture, withoutSteps } = await import(new URL('posture/check.js', dist));
const { runBatch, readDomains, DEFAULT_CONCURRENCY } = await import(new URL('posture/batch.js', dist));
const { adaptiveConcurrency } = await import(new URL('posture/adaptive.js', dist));

let queries = 0;
let shared = 0;
let failedQueries = 0;
// Names that are the same for every domain (the SPF include's record): asked once per run, not per domain.
const perDomainName = /(^|\.)d\d{5}\.bench(\.|$)|\.arpa$/;
// With BENCH_QUERY_LOG, every wire query (name, type) is kept for bench/batch-floor.mjs to replay.
const queryLog = process.env.BENCH_QUERY_LOG ? [] : undefined;
const onEvent = (e) => {
  if (e.type !== 'dns.query') return;
  queries++;
  queryLog?.push(`${e.name}\t${e.qtype}\n`);
  if (!perDomainName.test(e.name)) shared++;
  if (e.status === 'timeout' || e.status === 'servfail' || e.status === 'error') failedQueries++;
};
const resolver = cached(networkResolver({ servers: [{ host, port: Number(port) }], timeoutMs: 2000, onEvent }));
const ctx = { resolver, timeoutMs: 2000, now: () => new Date(), onEvent };
// Like stdout to /dev/null, but in-process: serialization is measured, the terminal is not.
let bytes = 0;
const sink = new Writable({
  write(chunk, _enc, cb) {
    bytes += chunk.length;
    cb();
  },
});

async function* firstN() {
  let i = 0;
  for await (const d of readDomains(file)) {
    if (i++ >= n) return;
    yield d;
  }
}

let peakRss = 0;
let peakHeap = 0;
let peakExternal = 0;
const sample = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapTotal);
  peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
}, 20);
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const verdicts = { ok: 0, fail: 0, unknown: 0 };
const start = performance.now();
const cpuStart = process.cpuUsage();
let done = 0;
// 'auto' is the CLI's default (no --concurrency): the batch finds its own level up to 64.
const level = concurrencyArg === 'auto' ? adaptiveConcurrency(DEFAULT_CONCURRENCY) : undefined;
const concurrency = level ? DEFAULT_CONCURRENCY : Number(concurrencyArg);
for await (const { result } of runBatch(
  firstN(),
  (d) => checkPosture(d, ctx, { selectors: ['s1'], budgetMs: 20000, steps: false }),
  {
    concurrency,
    order: 'input',
    ...(level ? { limit: level } : {}),
  },
)) {
  done++;
  const v = result.summary.map((s) => s.verdict);
  verdicts[v.includes('fail') ? 'fail' : v.includes('unknown') ? 'unknown' : 'ok']++;
  if (!sink.write(JSON.stringify(withoutSteps(result)) + '\n')) await new Promise((r) => sink.once('drain', r));
}
const seconds = (performance.now() - start) / 1000;
level?.stop();
const cpu = process.cpuUsage(cpuStart);
clearInterval(sample);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
if (queryLog) appendFileSync(process.env.BENCH_QUERY_LOG, queryLog.join(''));
process.stdout.write(
  JSON.stringify({
    n: done,
    seconds,
    rate: done / seconds,
    queries,
    perDomain: queries / done,
    shared,
    perDomainOwn: (queries - shared) / done,
    cpuUsPerDomain: (cpu.user + cpu.system) / done,
    userUsPerDomain: cpu.user / done,
    systemUsPerDomain: cpu.system / done,
    failedQueries,
    peakRssMb: peakRss / 1048576,
    peakHeapMb: peakHeap / 1048576,
    peakExternalMb: peakExternal / 1048576,
    ndjsonMb: bytes / 1048576,
    verdicts,
    loopDelayP99Ms: lag.percentile(99) / 1e6,
    loopDelayMaxMs: lag.max / 1e6,
  }) + '\n',
);
