// One measured run of bench/batch.mjs, in its own process so peak memory is its own: the first N domains of the
// list checked exactly as `mailcheck check --batch --json` does (same resolver stack, runBatch, NDJSON written to a
// sink), wire queries counted at the socket. Prints one JSON line.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { appendFileSync, writeFileSync } from 'node:fs';
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
// The CLI escapes C1 and bidi controls in each NDJSON line (src/cli/check/line.ts); builds before that did not.
const { escapeJsonText = (s) => s } = await import(new URL('core/text.js', dist));

let queries = 0;
let shared = 0;
let answers = 0;
// Names that are the same for every domain (the SPF include's record): asked once per run, not per domain.
const perDomainName = /(^|\.)d\d{5}\.bench(\.|$)|\.arpa$/;
// The CLI's resolver builds no events without -v, so neither does this run: queries are counted at the socket
// (every datagram sent is one, every datagram received an answer). Only with BENCH_QUERY_LOG, the floor's list
// of every wire query (name, type) to replay, are the resolver's events on.
const queryLog = process.env.BENCH_QUERY_LOG ? [] : undefined;
const onEvent = queryLog
  ? (e) => {
      if (e.type === 'dns.query') queryLog.push(`${e.name}\t${e.qtype}\n`);
    }
  : () => {};
const { Socket } = await import('node:dgram');
const send = Socket.prototype.send;
Socket.prototype.send = function (msg, ...rest) {
  queries++;
  if (!perDomainName.test(questionName(msg))) shared++;
  return send.call(this, msg, ...rest);
};
const emit = Socket.prototype.emit;
Socket.prototype.emit = function (event, ...rest) {
  if (event === 'message') answers++;
  return emit.call(this, event, ...rest);
};
/** The question name of a query (uncompressed labels from offset 12). */
function questionName(msg) {
  const labels = [];
  for (let i = 12; i < msg.length && msg[i] !== 0; i += msg[i] + 1)
    labels.push(msg.toString('latin1', i + 1, i + 1 + msg[i]));
  return labels.join('.');
}
const resolver = cached(
  networkResolver({ servers: [{ host, port: Number(port) }], timeoutMs: 2000, ...(queryLog ? { onEvent } : {}) }),
);
const ctx = { resolver, timeoutMs: 2000, now: () => new Date(), onEvent };
// Like stdout to /dev/null, but in-process: serialization is measured, the terminal is not.
// BENCH_NDJSON=<file> also keeps the lines, to compare two builds' output (timings aside).
let bytes = 0;
const keep = process.env.BENCH_NDJSON ? [] : undefined;
const sink = new Writable({
  write(chunk, _enc, cb) {
    bytes += chunk.length;
    keep?.push(chunk);
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
// Every 100 ms (memoryUsage() is a system call; the peak RSS at the end comes from getrusage anyway).
const sample = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapTotal);
  peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
}, 100);
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
  let verdict = 'ok';
  if (v.includes('fail')) verdict = 'fail';
  else if (v.includes('unknown')) verdict = 'unknown';
  verdicts[verdict]++;
  if (!sink.write(escapeJsonText(JSON.stringify(withoutSteps(result))) + '\n'))
    await new Promise((r) => sink.once('drain', r));
}
const seconds = (performance.now() - start) / 1000;
level?.stop();
const cpu = process.cpuUsage(cpuStart);
clearInterval(sample);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
if (queryLog) appendFileSync(process.env.BENCH_QUERY_LOG, queryLog.join(''));
if (keep) writeFileSync(process.env.BENCH_NDJSON, Buffer.concat(keep));
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
    failedQueries: queries - answers,
    peakRssMb: peakRss / 1048576,
    peakHeapMb: peakHeap / 1048576,
    peakExternalMb: peakExternal / 1048576,
    ndjsonMb: bytes / 1048576,
    verdicts,
    loopDelayP99Ms: lag.percentile(99) / 1e6,
    loopDelayMaxMs: lag.max / 1e6,
  }) + '\n',
);
