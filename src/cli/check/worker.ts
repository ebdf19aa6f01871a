// A worker thread of `check --workers N`: the same checks the main thread would run, on a resolver stack of its own
// (its own UDP sockets and cache), for the domains the main thread sends it; it sends back each domain's output and
// tally (check/line.ts), so the main thread only orders, counts and writes.
import { parentPort, workerData } from 'node:worker_threads';
import { adaptiveConcurrency } from '../../posture/adaptive.js';
import { createTheme } from '../../report/theme.js';
import { createContext } from '../context.js';
import { batchLine, checkOne, type BatchLine } from './line.js';
import type { WorkerItem, WorkerSetup, WorkerReply, WorkerRequest } from './workers.js';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const ctx = await createContext(setup.opts);
// Colour and widths come from the main thread: a worker's own stdout is never a terminal.
const lineOptions = {
  format: setup.format,
  strict: setup.strict,
  verbose: setup.verbose,
  theme: createTheme(setup.color, setup.width, setup.lineWidth, setup.detail),
  now: ctx.now,
  zones: ctx.zones,
};

// Lines finished within FLUSH_MS go back in one message (each message wakes the main thread: a context switch),
// their text as UTF-8 in one buffer that is
// moved, not copied, to the main thread, which writes those bytes as they are (a string would be cloned into the
// message, then encoded again by the main thread's write).
const FLUSH_MS = 10;
let out: (BatchLine & { index: number })[] = [];
const flush = () => {
  if (!out.length) return;
  let size = 0;
  for (const l of out) size += Buffer.byteLength(l.text as string);
  const bytes = Buffer.allocUnsafeSlow(size);
  const lines: WorkerReply['lines'] = [];
  let at = 0;
  for (const l of out) {
    const end = at + bytes.write(l.text as string, at);
    lines.push({ index: l.index, start: at, end, tally: l.tally, code: l.code });
    at = end;
  }
  port.postMessage({ type: 'lines', bytes, lines } satisfies WorkerReply, [bytes.buffer]);
  out = [];
};

// Domains start as they arrive, as many at once as the limit allows (adaptive, as on the main thread). Pushed, not
// pulled: a pull (runBatch) would wait for the next domain before handing back finished ones, while the main thread
// waits for finished ones before sending more.
const queue: WorkerItem[] = [];
let running = 0;
let ended = false;
const level = setup.adaptive ? adaptiveConcurrency(setup.concurrency) : undefined;
const limit = () => Math.min(setup.concurrency, level?.limit() ?? Infinity);

function pump(): void {
  while (running < limit() && queue.length) {
    const item = queue.shift()!;
    running++;
    checkOne(item.input, ctx, setup.posture).then(
      (result) => {
        running--;
        if (!out.length) setTimeout(flush, FLUSH_MS);
        out.push({ index: item.index, ...batchLine(result, lineOptions) });
        pump();
        if (ended && !running && !queue.length) finish();
      },
      (error: unknown) => {
        // A bug, not a domain's outcome (checkPosture turns those into findings): the main thread reports it.
        throw error;
      },
    );
  }
}

function watchLimit(): void {
  level?.raised().then(() => {
    pump();
    watchLimit();
  });
}

function finish(): void {
  level?.stop();
  flush();
  // Nothing left to receive: the thread ends once the last message is out.
  port.removeAllListeners('message');
  port.unref();
}

port.on('message', (m: WorkerRequest) => {
  if (m.type === 'check') {
    queue.push(...m.items);
    pump();
  } else {
    ended = true;
    if (!running && !queue.length) finish();
  }
});
watchLimit();
