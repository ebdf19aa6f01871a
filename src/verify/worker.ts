// A verify helper process (see pool.ts): takes batches of message tasks over IPC, verifies them, and sends the
// results back in one message per turn of the event loop. DNS answers come from the main process, kept in a
// local cache so a Maildir signed with one key costs one round trip, not one per message.
import { cached } from '../dns/cache.js';
import type { Lookup, RRType, RecordOf, Resolver } from '../dns/types.js';
import { toWire, type FromWorker, type ToWorker, type WireItem } from './pool.js';
import { verifyTask } from './run.js';
import type { VerifyOptions } from './verdict.js';

const send = (m: FromWorker) => process.send!(m);
const waiting = new Map<number, (answer: Lookup<unknown>) => void>();
let nextDnsId = 0;
let opts: VerifyOptions | undefined;

const viaMain: Resolver = {
  lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
    const id = nextDnsId++;
    send({ type: 'dns', id, name, rrtype: type });
    return new Promise((resolve) => waiting.set(id, resolve as (a: Lookup<unknown>) => void));
  },
};
const resolver = cached(viaMain);

let done: { id: number; item: WireItem }[] = [];
const flush = () => {
  send({ type: 'results', results: done });
  done = [];
};

process.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'setup':
      opts = m.opts;
      send({ type: 'ready' });
      break;
    case 'dns': {
      const resolve = waiting.get(m.id);
      waiting.delete(m.id);
      resolve?.(m.answer as Lookup<unknown>);
      break;
    }
    case 'tasks': {
      const ctx = { resolver, now: () => new Date(m.now) };
      for (const t of m.tasks) {
        // V8 serialization hands Buffers over as plain Uint8Arrays.
        const task = { ...t, bytes: t.bytes && Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength) };
        verifyTask(task, opts!, ctx).then(
          (item) => {
            if (!done.length) setImmediate(flush);
            done.push({ id: t.id, item: toWire(item) });
          },
          (e: unknown) => send({ type: 'fatal', error: (e as Error)?.stack ?? String(e) }),
        );
      }
      break;
    }
    case 'end':
      process.disconnect();
      break;
  }
});
// The parent going away (Ctrl-C, a crash) ends the helper too.
process.on('disconnect', () => process.exit(0));
