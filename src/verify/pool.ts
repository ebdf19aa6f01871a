// Worker threads for big Maildirs and mbox files: verification is CPU-bound (hashing, signature checks), so
// one worker per core. DNS stays in the main thread: workers ask it through messages, so there is one
// cache, one set of --zone files and one --verbose log however many workers run.
import { Worker } from 'node:worker_threads';
import type { Context } from '../core/context.js';
import type { RRType } from '../dns/types.js';
import type { VerifyItem } from './run.js';
import type { MessageTask } from './sources.js';
import type { VerifyOptions } from './verdict.js';

export type ToWorker =
  | { type: 'task'; id: number; task: MessageTask }
  | { type: 'dns'; id: number; answer: unknown }
  | { type: 'end' };
export type FromWorker =
  | { type: 'result'; id: number; item: VerifyItem }
  | { type: 'dns'; id: number; name: string; rrtype: RRType }
  | { type: 'fatal'; error: string };

/** `now` is the run's clock reading: one instant for every message, so results do not depend on the worker. */
export interface WorkerSetup { opts: VerifyOptions; now: number }

/** Tasks each worker holds at once: enough to overlap DNS round trips with hashing. */
const WINDOW = 16;

export async function runInWorkers(
  tasks: readonly MessageTask[], opts: VerifyOptions, ctx: Pick<Context, 'resolver' | 'now'>, size: number,
  emit: (i: number, item: VerifyItem) => void,
): Promise<void> {
  const setup: WorkerSetup = { opts, now: ctx.now().getTime() };
  let next = 0;
  await Promise.all(Array.from({ length: size }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });
    let inFlight = 0;
    let failed = false;
    const feed = () => {
      while (inFlight < WINDOW && next < tasks.length) {
        const id = next++;
        inFlight++;
        worker.postMessage({ type: 'task', id, task: tasks[id]! } satisfies ToWorker);
      }
      if (inFlight === 0 && next >= tasks.length) worker.postMessage({ type: 'end' } satisfies ToWorker);
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'dns') {
        ctx.resolver.lookup(m.name, m.rrtype).then(
          (answer) => worker.postMessage({ type: 'dns', id: m.id, answer } satisfies ToWorker),
          (e: unknown) => worker.postMessage({ type: 'dns', id: m.id, answer: { status: 'servfail', server: 'main', error: String(e) } } satisfies ToWorker),
        );
      } else if (m.type === 'result') {
        inFlight--;
        emit(m.id, m.item);
        feed();
      } else {
        failed = true;
        reject(new Error(`verify worker failed: ${m.error}`));
      }
    });
    worker.once('error', (e) => {
      failed = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!failed && code !== 0) reject(new Error(`verify worker exited with code ${code}`));
      else resolve();
    });
    feed();
  })));
}
