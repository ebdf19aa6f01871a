// `check --workers N`: one event loop is one core, so the domains are spread over N worker threads (check/worker.ts),
// each with its own resolver stack. The main thread reads the input, hands each domain to the least busy worker,
// and yields the finished lines in input order (or as they complete), with the same bounded window as one thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PostureOptions } from '../../posture/check.js';
import type { CheckCliOptions } from './types.js';
import type { BatchLine, Format } from './line.js';
import type { Detail } from '../../report/theme.js';

/** Below this many domains a batch stays on one thread: starting workers costs more than they save. */
export const WORKERS_FROM = 500;

/** Everything a worker needs to check as the main thread would; plain data (it is copied into the thread). */
export interface WorkerSetup {
  opts: CheckCliOptions;
  posture: PostureOptions;
  format: Format;
  strict: boolean;
  verbose: boolean;
  color: boolean;
  width: number;
  lineWidth: number;
  detail: Detail;
  /** Domains in flight in this worker at most, and whether the level adapts below that (posture/adaptive.ts). */
  concurrency: number;
  adaptive: boolean;
}

export interface WorkerItem {
  index: number;
  input: string;
}
export type WorkerRequest = { type: 'check'; items: WorkerItem[] } | { type: 'end' };
export interface WorkerReply {
  type: 'lines';
  /** The lines' text, UTF-8, back to back (its ArrayBuffer is transferred). */
  bytes: Buffer;
  lines: { index: number; start: number; end: number; tally: BatchLine['tally']; code: BatchLine['code'] }[];
}

/** The default: every core when the input is known to be large enough, else one thread. */
export function defaultWorkers(total: number | undefined): number {
  return total !== undefined && total > WORKERS_FROM ? availableParallelism() : 1;
}

interface Slot {
  worker: Worker;
  outstanding: number;
  /** Handed to this worker, not yet sent. */
  pending: WorkerItem[];
  exited: boolean;
}

export async function* workerLines(
  inputs: AsyncIterable<string>,
  o: { workers: number; order: 'input' | 'completion'; setup: WorkerSetup },
): AsyncGenerator<BatchLine> {
  // As runBatch's window: reading runs at most 4 × the domains in flight ahead of the oldest unfinished one.
  const window = o.workers * o.setup.concurrency * 4;
  const ready = new Map<number, BatchLine>();
  let read = 0;
  let emitted = 0;
  let inFlight = 0;
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  // Two waiters: the reader waits for room in the window, the emitter for lines; anything that may concern
  // either wakes both, and each looks again.
  const reader = waiter();
  const emitter = waiter();
  const signal = () => {
    reader.wake();
    emitter.wake();
  };

  const slots: Slot[] = [];
  for (let i = 0; i < o.workers; i++) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: o.setup });
    const slot: Slot = { worker, outstanding: 0, pending: [], exited: false };
    worker.on('message', (m: WorkerReply) => {
      // A transferred Buffer arrives as a Uint8Array over the same memory.
      const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      for (const line of m.lines) {
        ready.set(line.index, { text: bytes.subarray(line.start, line.end), tally: line.tally, code: line.code });
        slot.outstanding--;
        inFlight--;
      }
      signal();
    });
    worker.on('error', (error) => {
      failure ??= { error };
      signal();
    });
    worker.on('exit', (code) => {
      slot.exited = true;
      if (code !== 0 || slot.outstanding) failure ??= { error: new Error(`a check worker stopped (exit ${code})`) };
      signal();
    });
    slots.push(slot);
  }

  // Domains read in one turn of the event loop go to each worker in one message (a message costs tens of µs).
  let scheduled = false;
  const send = () => {
    scheduled = false;
    for (const s of slots) {
      if (!s.pending.length) continue;
      s.worker.postMessage({ type: 'check', items: s.pending } satisfies WorkerRequest);
      s.pending = [];
    }
  };
  const sendSoon = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(send);
  };

  // Reading and handing out run beside the emitting below, so lines go out while the input is still being read.
  const it = inputs[Symbol.asyncIterator]();
  const feed = (async () => {
    while (!failure) {
      if (inFlight >= window || (o.order === 'input' && read - emitted >= window)) {
        await reader.wait();
        continue;
      }
      const next = await it.next();
      if (next.done) break;
      const slot = slots.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
      slot.outstanding++;
      inFlight++;
      if (!slot.pending.length) sendSoon();
      slot.pending.push({ index: read++, input: next.value });
    }
    exhausted = true;
    send();
    for (const s of slots) s.worker.postMessage({ type: 'end' } satisfies WorkerRequest);
    signal();
  })().catch((error: unknown) => {
    failure ??= { error };
    signal();
  });

  try {
    for (;;) {
      if (failure) throw failure.error;
      let progressed = false;
      if (o.order === 'input') {
        while (ready.has(emitted)) {
          const line = ready.get(emitted)!;
          ready.delete(emitted++);
          progressed = true;
          yield line;
        }
      } else {
        for (const [index, line] of ready) {
          ready.delete(index);
          emitted++;
          progressed = true;
          yield line;
        }
      }
      if (progressed) reader.wake();
      if (exhausted && inFlight === 0 && ready.size === 0) break;
      await emitter.wait();
    }
    await feed;
    await Promise.all(slots.map((s) => (s.exited ? undefined : new Promise((r) => s.worker.once('exit', r)))));
  } finally {
    if (!exhausted || failure) {
      await it.return?.();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    }
  }
}

/** A promise to wait on that the next wake() resolves. */
function waiter(): { wait(): Promise<void>; wake(): void } {
  let resolve: (() => void) | undefined;
  return {
    wait: () => new Promise<void>((r) => (resolve = r)),
    wake: () => {
      const r = resolve;
      resolve = undefined;
      r?.();
    },
  };
}
