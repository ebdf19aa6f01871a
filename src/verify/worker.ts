// A verify worker thread: takes message tasks, verifies them, and asks the main thread for DNS answers
// (kept in a local cache so a Maildir signed with one key costs one round trip, not one per message).
import { parentPort, workerData } from 'node:worker_threads';
import { cached } from '../dns/cache.js';
import type { Lookup, RRType, RecordOf, Resolver } from '../dns/types.js';
import type { FromWorker, ToWorker, WorkerSetup } from './pool.js';
import { verifyTask } from './run.js';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const waiting = new Map<number, (answer: Lookup<unknown>) => void>();
let nextDnsId = 0;

const viaMain: Resolver = {
  lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
    const id = nextDnsId++;
    port.postMessage({ type: 'dns', id, name, rrtype: type } satisfies FromWorker);
    return new Promise((resolve) => waiting.set(id, resolve as (a: Lookup<unknown>) => void));
  },
};
const ctx = {
  resolver: cached(viaMain),
  now: () => new Date(setup.now),
};

port.on('message', (m: ToWorker) => {
  if (m.type === 'dns') {
    const resolve = waiting.get(m.id);
    waiting.delete(m.id);
    resolve?.(m.answer as Lookup<unknown>);
  } else if (m.type === 'task') {
    // Structured clone turns a Buffer into a plain Uint8Array.
    const task = m.task.bytes ? { ...m.task, bytes: Buffer.from(m.task.bytes.buffer, m.task.bytes.byteOffset, m.task.bytes.byteLength) } : m.task;
    verifyTask(task, setup.opts, ctx).then(
      (item) => port.postMessage({ type: 'result', id: m.id, item } satisfies FromWorker),
      (e: unknown) => port.postMessage({ type: 'fatal', error: (e as Error)?.stack ?? String(e) } satisfies FromWorker),
    );
  } else {
    port.close();
  }
});
