// Helper processes for big Maildirs and mbox files. Verification is CPU-bound (hashing, signature checks), so
// the main process and one helper per other core share the queue. Processes, not worker_threads: Node 20's
// OpenSSL 3.0 takes process-wide locks in every signature check (measured in one process: RSA verifying on two
// threads did less than on one, ed25519 gained 1.1–1.5× where two processes gain 1.9×).
// DNS stays in the main process: helpers ask it through IPC, so there is one cache, one set of --zone files
// and one --verbose log. Tasks and results travel in batches, V8-serialized: one IPC message per batch instead
// of a JSON round trip per message (a message costs ~150 µs to verify; per-message IPC cost a third of that).
import type { ChildProcess } from 'node:child_process';
import type { Context } from '../core/context.js';
import type { RRType } from '../dns/types.js';
import { requirementLine, withRule } from './requirements/transport.js';
import type { RequirementLine } from './requirements/types.js';
import type { VerifiedFile, VerifyItem } from './types.js';
import type { MessageTask } from './sources.js';
import type { VerifyOptions } from './verdict.js';
import { adoptHelpers, forkHelper } from './prestart.js';

export interface WorkerTask {
  id: number;
  file: string;
  index?: number;
  bytes?: Uint8Array;
}
export type ToWorker =
  | { type: 'setup'; opts: VerifyOptions }
  | { type: 'tasks'; tasks: WorkerTask[]; now: number }
  | { type: 'dns'; id: number; answer: unknown }
  | { type: 'end' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'results'; results: { id: number; item: WireItem }[] }
  | { type: 'dns'; id: number; name: string; rrtype: RRType }
  | { type: 'fatal'; error: string };

/** A result as a helper sends it: requirements without their rule's scope and source (fromWire puts them back). */
export type WireItem =
  Exclude<VerifyItem, VerifiedFile> | (Omit<VerifiedFile, 'requirements'> & { requirements: RequirementLine[] });

export function toWire(item: VerifyItem): WireItem {
  return 'requirements' in item ? { ...item, requirements: item.requirements.map(requirementLine) } : item;
}

export function fromWire(item: WireItem): VerifyItem {
  return 'requirements' in item ? { ...item, requirements: item.requirements.map(withRule) } : item;
}

export interface VerifyPool {
  readonly size: number;
  /**
   * Hands out task indexes from `take` (-1: none left) until the queue is empty and every helper has exited;
   * `left` says how many are not taken yet (by any process).
   */
  run(
    tasks: readonly MessageTask[],
    take: () => number,
    left: () => number,
    ctx: Pick<Context, 'resolver' | 'now'>,
    emit: (i: number, item: VerifyItem) => void,
  ): Promise<void>;
  /** Stops helpers that never got to run. */
  terminate(): Promise<void>;
}

/** Tasks per IPC message, and how many a helper holds at once (enough to overlap IPC and DNS with hashing). */
const BATCH = 8;
const WINDOW = 24;
/** The least a helper holds near the end of the queue: one to work on while the next one travels. */
const MIN_HELD = 2;

/**
 * How many tasks to send a helper holding `inFlight` when `rest` are not taken yet (0: none now). Whole batches up
 * to the window; near the end of the queue a helper holds no more than is left for all, so the last tasks do not
 * wait in one helper's window while the other processes have nothing left to do (with 24 held, the main process
 * sat idle 8–17 ms at the end of a 1,000-message run).
 */
export function batchSize(rest: number, inFlight: number): number {
  const size = Math.min(BATCH, rest, Math.min(WINDOW, Math.max(MIN_HELD, rest)) - inFlight);
  return size >= (rest < WINDOW ? 1 : BATCH) ? size : 0;
}

/**
 * Starts the helpers now — a process takes tens of milliseconds to load its modules, so the CLI starts them
 * before it builds its context and lists the folders, and they are ready when the first task is.
 */
export function startPool(size: number, opts: VerifyOptions, v8Flags: readonly string[] = []): VerifyPool {
  // Helpers forked at start-up (prestart.ts) when they fit this run, the rest now.
  const early = adoptHelpers(size, v8Flags);
  const helpers = Array.from({ length: size }, (_, i) => {
    const child = early[i] ?? forkHelper(v8Flags);
    const ready = new Promise<boolean>((resolve) => {
      child.once('message', (m: FromWorker) => resolve(m.type === 'ready'));
      child.once('exit', () => resolve(false));
    });
    child.send({ type: 'setup', opts } satisfies ToWorker);
    return { child, ready };
  });
  return {
    size,
    terminate: async () => {
      await Promise.all(helpers.map(({ child }) => stop(child)));
    },
    run: (tasks, take, left, ctx, emit) =>
      Promise.all(
        helpers.map(
          ({ child, ready }) =>
            new Promise<void>((resolve, reject) => {
              // One clock reading for the whole run (and MAILCHECK_NOW honoured): results do not depend on the process.
              const now = ctx.now().getTime();
              let inFlight = 0;
              let failed = false;
              let drained = false;
              const feed = () => {
                while (!drained) {
                  const rest = left();
                  // The others took the last ones (batchSize says 0 for none left, and take() is never asked).
                  if (rest === 0) drained = true;
                  const size = batchSize(rest, inFlight);
                  if (!size) break;
                  const batch: WorkerTask[] = [];
                  while (batch.length < size) {
                    const id = take();
                    if (id === -1) {
                      drained = true;
                      break;
                    }
                    // A MessageTask is exactly { file, index?, bytes? }, and V8 serialization carries it as it is.
                    batch.push({ id, ...tasks[id]! });
                  }
                  if (!batch.length) break;
                  inFlight += batch.length;
                  child.send({ type: 'tasks', tasks: batch, now } satisfies ToWorker);
                }
                if (inFlight === 0 && drained) {
                  child.send({ type: 'end' } satisfies ToWorker);
                  // Every result is in: the run goes on without waiting the few ms the helper takes to exit.
                  resolve();
                }
              };
              child.on('message', (m: FromWorker) => {
                if (m.type === 'dns') {
                  ctx.resolver.lookup(m.name, m.rrtype).then(
                    (answer) => child.connected && child.send({ type: 'dns', id: m.id, answer } satisfies ToWorker),
                    (e: unknown) =>
                      child.connected &&
                      child.send({
                        type: 'dns',
                        id: m.id,
                        answer: { status: 'servfail', server: 'main', error: String(e) },
                      } satisfies ToWorker),
                  );
                } else if (m.type === 'results') {
                  inFlight -= m.results.length;
                  for (const r of m.results) emit(r.id, fromWire(r.item));
                  feed();
                } else if (m.type === 'fatal') {
                  failed = true;
                  reject(new Error(`verify helper failed: ${m.error}`));
                }
              });
              child.once('error', (e) => {
                failed = true;
                reject(e);
              });
              child.once('exit', (code) => {
                if (failed) return;
                // A helper that died before taking work is no loss: the main process verifies what is left.
                if (code !== 0 && inFlight > 0) reject(new Error(`verify helper exited with code ${code}`));
                else resolve();
              });
              // Until a helper is up, the main process keeps taking tasks itself.
              void ready.then((ok) => (ok ? feed() : resolve()));
            }),
        ),
      ).then(() => undefined),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}
