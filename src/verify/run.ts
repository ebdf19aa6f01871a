// Verifies many messages: in this process for a few, across worker threads (one per core) for many,
// and hands results back in input order. A file that cannot be read or is not a message is an item
// with `error`, and the others go on.
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import type { Context } from '../core/context.js';
import { finding, type Finding } from '../core/result.js';
import { MessageFormatError } from './message.js';
import { describeFsError, type MessageTask } from './sources.js';
import { verifyMessage, type MessageVerdict, type VerifyOptions } from './verdict.js';

export interface VerifiedFile extends MessageVerdict {
  kind: 'verify';
  file: string;
  /** Position in an mbox file (1-based). */
  index?: number;
  size: number;
}

export interface UnverifiableFile {
  kind: 'verify';
  file: string;
  index?: number;
  /** Why this file is not a message we could verify: bad input, exit 2. */
  error: string;
  findings: Finding[];
}

export type VerifyItem = VerifiedFile | UnverifiableFile;

export interface RunOptions {
  /** Worker threads: 1 runs everything here; default one per core once there are enough messages. */
  jobs?: number;
  onItem: (item: VerifyItem, done: number, total: number) => void;
}

/** Below this many messages starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 200;
const IN_PROCESS_CONCURRENCY = 32;

export async function verifyTasks(tasks: readonly MessageTask[], opts: VerifyOptions, ctx: Pick<Context, 'resolver' | 'now'>, run: RunOptions): Promise<void> {
  const jobs = run.jobs ?? (tasks.length >= WORKER_THRESHOLD ? availableParallelism() : 1);
  const emit = inOrder(tasks.length, run.onItem);
  if (jobs > 1 && tasks.length > 1) {
    const { runInWorkers } = await import('./pool.js');
    await runInWorkers(tasks, opts, ctx, Math.min(jobs, tasks.length), emit);
    return;
  }
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      emit(i, await verifyTask(tasks[i]!, opts, ctx));
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_PROCESS_CONCURRENCY, tasks.length) }, worker));
}

/** Reads (unless the bytes came from an mbox) and verifies one message; never throws for bad input. */
export async function verifyTask(task: MessageTask, opts: VerifyOptions, ctx: Pick<Context, 'resolver' | 'now'>): Promise<VerifyItem> {
  const where = { kind: 'verify' as const, file: task.file, ...(task.index !== undefined ? { index: task.index } : {}) };
  let bytes: Buffer;
  try {
    bytes = task.bytes ?? (await readFile(task.file));
  } catch (e) {
    return unverifiable(where, `cannot read: ${describeFsError(e)}`);
  }
  try {
    const verdict = await verifyMessage(bytes, opts, ctx);
    return { ...where, size: bytes.length, ...verdict };
  } catch (e) {
    if (e instanceof MessageFormatError) return unverifiable(where, `not a message: ${e.message}`);
    throw e;
  }
}

export function unverifiable(where: { file: string; index?: number }, error: string): UnverifiableFile {
  return { kind: 'verify', ...where, error, findings: [finding('verify.input.unreadable', 'fail', error)] };
}

/** Calls `onItem` in input order however results arrive. */
function inOrder(total: number, onItem: RunOptions['onItem']): (i: number, item: VerifyItem) => void {
  const pending = new Map<number, VerifyItem>();
  let next = 0;
  return (i, item) => {
    pending.set(i, item);
    while (pending.has(next)) {
      const it = pending.get(next)!;
      pending.delete(next);
      next++;
      onItem(it, next, total);
    }
  };
}
