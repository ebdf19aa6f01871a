// Verifies many messages: in this process for a few, with helper processes (one per other core) for many,
// and hands results back in input order. A file that cannot be read or is not a message is an item
// with `error`, and the others go on.
import { readFileSync } from 'node:fs';
import type { Context } from '../core/context.js';
import { finding } from '../core/result.js';
import { MessageFormatError } from './message.js';
import { startPool, type VerifyPool } from './pool.js';
import { threadsFor } from './prestart.js';
import { describeFsError, type MessageTask } from './sources.js';
import type { Every } from '../core/object.js';
import type { UnverifiableFile, VerifiedFile, VerifyItem } from './types.js';
import { verifyMessage, type VerifyOptions } from './verdict.js';

export interface RunOptions {
  /** Processes verifying, this one included: 1 runs everything here; default one per core for big inputs. */
  jobs?: number;
  /** Helpers started early by the caller (see startPool); otherwise started here when `jobs` > 1. */
  pool?: VerifyPool;
  onItem: (item: VerifyItem, done: number, total: number) => void;
}

const IN_PROCESS_CONCURRENCY = 32;
const MAIN_LANES_WITH_HELPERS = 4;

export async function verifyTasks(
  tasks: readonly MessageTask[],
  opts: VerifyOptions,
  ctx: Pick<Context, 'resolver' | 'now'>,
  run: RunOptions,
): Promise<void> {
  let pool = run.pool;
  if (!pool && threadsFor(tasks.length, run.jobs) > 1) pool = startPool(threadsFor(tasks.length, run.jobs) - 1, opts);
  const emit = inOrder(tasks.length, run.onItem);
  let next = 0;
  const take = () => (next < tasks.length ? next++ : -1);
  const parallel = !!pool && pool.size > 0;
  // The main process verifies too (it is one of the `jobs`), and yields between messages so helpers'
  // DNS questions and results are not kept waiting.
  const lane = async () => {
    for (let i = take(); i !== -1; i = take()) {
      emit(i, await verifyTask(tasks[i]!, opts, ctx));
      if (parallel) await new Promise((r) => setImmediate(r));
    }
  };
  const lanes = Array.from(
    { length: Math.min(parallel ? MAIN_LANES_WITH_HELPERS : IN_PROCESS_CONCURRENCY, tasks.length) },
    lane,
  );
  if (pool) lanes.push(pool.run(tasks, take, () => tasks.length - next, ctx, emit));
  await Promise.all(lanes);
}

/** Reads (unless the bytes came from an mbox) and verifies one message; never throws for bad input. */
export async function verifyTask(
  task: MessageTask,
  opts: VerifyOptions,
  ctx: Pick<Context, 'resolver' | 'now'>,
): Promise<VerifyItem> {
  const where: { kind: 'verify'; file: string; index?: number } = {
    kind: 'verify',
    file: task.file,
    index: task.index,
  };
  let bytes: Buffer;
  try {
    // Synchronous on purpose: messages are small and in the page cache, and fs/promises' open-stat-read-close
    // round trips through the thread pool cost more than verifying the message.
    bytes = task.bytes ?? readFileSync(task.file);
  } catch (e) {
    return unverifiable(where, `cannot read: ${describeFsError(e)}`);
  }
  try {
    const v = await verifyMessage(bytes, opts, ctx);
    // Every key named, none spread in: spreading the verdict after other keys cost a runtime call a key in V8's
    // interpreter, where short verify runs stay (~5 µs a message). `index` is undefined (absent from JSON) for a file.
    const item: Every<VerifiedFile> = {
      kind: 'verify',
      file: task.file,
      index: task.index,
      size: bytes.length,
      from: v.from,
      subject: v.subject,
      messageId: v.messageId,
      dkim: v.dkim,
      spf: v.spf,
      dmarc: v.dmarc,
      arc: v.arc,
      dkimNotVerified: v.dkimNotVerified,
      bareCr: v.bareCr,
      authenticationResults: v.authenticationResults,
      findings: v.findings,
      connection: v.connection,
      requirements: v.requirements,
      requirementsVerdict: v.requirementsVerdict,
    };
    return item;
  } catch (e) {
    if (e instanceof MessageFormatError) return unverifiable(where, `not a message: ${e.message}`);
    throw e;
  }
}

export function unverifiable(
  where: { file: string; index?: number },
  error: string,
  id = 'verify.input.unreadable',
): UnverifiableFile {
  return { kind: 'verify', ...where, error, findings: [finding(id, 'fail', error)] };
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
