// A verify helper process (see pool.ts): takes message tasks over IPC, verifies them, and asks the main process
// for DNS answers, kept in a local cache so a Maildir signed with one key costs one round trip, not one per message.
import { cached } from '../dns/cache.js';
import type { Lookup, RRType, RecordOf, Resolver } from '../dns/types.js';
import type { FromWorker, ToWorker } from './pool.js';
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
    case 'task': {
      // mbox messages come as latin1 text: IPC is JSON, and latin1 keeps every byte.
      const task = { file: m.task.file, ...(m.task.index !== undefined ? { index: m.task.index } : {}), ...(m.task.bytes !== undefined ? { bytes: Buffer.from(m.task.bytes, 'latin1') } : {}) };
      verifyTask(task, opts!, { resolver, now: () => new Date(m.now) }).then(
        (item) => send({ type: 'result', id: m.id, json: JSON.stringify(item) }),
        (e: unknown) => send({ type: 'fatal', error: (e as Error)?.stack ?? String(e) }),
      );
      break;
    }
    case 'end':
      process.disconnect();
      break;
  }
});
// The parent going away (Ctrl-C, a crash) ends the helper too.
process.on('disconnect', () => process.exit(0));
