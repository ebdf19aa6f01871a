// The floor under bench/batch.mjs's rate on this machine: what the same DNS questions cost with nothing else
// around them, and what the checks cost with nothing to wait for. Run by batch.mjs after the measured runs:
//   node bench/batch-floor.mjs transport <queries.tsv> <host:port> <knot pid>
//     Replays the wire queries a measured run asked (name TAB type per line) through a bare client: connected UDP
//     sockets, the project's encoder and decoder, 128 in flight (the resolver's window per server), no retries,
//     no cache, no steps. Prints our CPU and knot's per query.
//   node bench/batch-floor.mjs checks <domains file> <n> <host:port>
//     Checks n domains twice on one resolver whose cache holds every answer; the second pass, which asks the
//     network nothing, is measured: the checks, the cache and the steps, without the transport.
// Each prints one JSON line.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { cpuMicros } from './proc-cpu.mjs';

const [mode, ...rest] = process.argv.slice(2);
// BENCH_DIST=<dir>/dist/ measures another build (an old commit's worktree), as batch-run.mjs does.
const dist = process.env.BENCH_DIST
  ? new URL(`file://${process.env.BENCH_DIST.replace(/\/?$/, '/')}`)
  : new URL('../dist/', import.meta.url);
const hostPort = (s) => {
  const [host, port] = s.split(':');
  return { host, port: Number(port) };
};

if (mode === 'transport') {
  const [file, server, knotPid] = rest;
  const { host, port } = hostPort(server);
  const { encodeQuery, decodeMessage } = await import(new URL('dns/codec.js', dist));
  const queries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  const SOCKETS = 8;
  const WINDOW = Number(process.env.FLOOR_WINDOW ?? 128);
  const sockets = [];
  const pending = new Map();
  for (let i = 0; i < SOCKETS; i++) {
    const s = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    await new Promise((r) => s.connect(port, host, r));
    s.on('message', (m) => {
      const d = decodeMessage(m);
      const key = i * 65536 + (d.ok ? d.message.id : -1);
      const done = pending.get(key);
      if (done) {
        pending.delete(key);
        done(d);
      }
    });
    sockets.push(s);
  }
  let next = 0;
  let answered = 0;
  let failed = 0;
  let id = 0;
  const ask = ([name, type]) =>
    new Promise((resolve) => {
      const n = id++;
      const sock = n % SOCKETS;
      const q = encodeQuery(name, type, { id: Math.floor(n / SOCKETS) % 65536 });
      const key = sock * 65536 + q.id;
      const timer = setTimeout(() => {
        pending.delete(key);
        failed++;
        resolve();
      }, 2000);
      pending.set(key, (d) => {
        clearTimeout(timer);
        if (d.ok) answered++;
        else failed++;
        resolve();
      });
      sockets[sock].send(q.bytes);
    });
  const knotBefore = cpuMicros(knotPid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < queries.length) await ask(queries[next++]);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const knotAfter = cpuMicros(knotPid);
  for (const s of sockets) s.close();
  console.log(
    JSON.stringify({
      queries: queries.length,
      answered,
      failed,
      seconds,
      qps: queries.length / seconds,
      cpuUsPerQuery: (cpu.user + cpu.system) / queries.length,
      knotUsPerQuery:
        knotBefore === undefined || knotAfter === undefined ? null : (knotAfter - knotBefore) / queries.length,
    }),
  );
} else if (mode === 'checks') {
  const [file, nArg, server] = rest;
  const n = Number(nArg);
  const { networkResolver } = await import(new URL('dns/network.js', dist));
  const { cached } = await import(new URL('dns/cache.js', dist));
  const { checkPosture, withoutSteps } = await import(new URL('posture/check.js', dist));
  const { runBatch, DEFAULT_CONCURRENCY } = await import(new URL('posture/batch.js', dist));
  const { adaptiveConcurrency } = await import(new URL('posture/adaptive.js', dist));
  const domains = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .slice(0, n);
  const resolver = cached(networkResolver({ servers: [hostPort(server)], timeoutMs: 2000 }), { maxEntries: 1 << 20 });
  const ctx = { resolver, timeoutMs: 2000, now: () => new Date(), onEvent: () => {} };
  // As the measured run goes (bench/batch-run.mjs, the CLI's default): runBatch with adaptive concurrency.
  const pass = async () => {
    let bytes = 0;
    const level = adaptiveConcurrency(DEFAULT_CONCURRENCY);
    const inputs = (async function* () {
      yield* domains;
    })();
    for await (const { result } of runBatch(
      inputs,
      (d) => checkPosture(d, ctx, { selectors: ['s1'], budgetMs: 20000, steps: false }),
      { concurrency: DEFAULT_CONCURRENCY, order: 'input', limit: level },
    )) {
      bytes += JSON.stringify(withoutSteps(result)).length;
    }
    level.stop();
    return bytes;
  };
  await pass();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pass();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({
      n: domains.length,
      seconds,
      rate: domains.length / seconds,
      cpuUsPerDomain: (cpu.user + cpu.system) / domains.length,
    }),
  );
} else {
  console.error(
    'usage: batch-floor.mjs transport <queries.tsv> <host:port> <knot pid> | checks <domains> <n> <host:port>',
  );
  process.exit(2);
}
