// Verify helpers forked before the command line is parsed. A helper takes ~120 ms to boot Node and load the
// verifier, and the CLI ~60 ms to load commander and its command tree before `verify` knows how many messages
// it has: forked at the top of main.ts the two overlap, and a helper is ready about when the first message is
// (in bench/verify.mjs, ~70 ms into a ~250 ms run before). Only for a verify that will use helpers, guessed from
// the paths (a cheap count of a folder's files, a big file taken for an mbox); `adoptHelpers` gives the pool
// those that fit the run and stops the rest, so a wrong guess costs a stopped process, never a result.
// Node builtins only: this loads before everything else on every verify.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Below this many messages a helper process (~100 ms to start) costs more than it saves. */
export const HELPER_THRESHOLD = 500;

/** A file this big is guessed to be an mbox of at least HELPER_THRESHOLD messages. */
const MBOX_GUESS = 1 << 20;

/** How many processes, this one included, to verify `count` messages with. */
export function threadsFor(count: number, jobs?: number): number {
  return Math.max(1, Math.min(jobs ?? (count >= HELPER_THRESHOLD ? availableParallelism() : 1), count));
}

/**
 * V8 flags for a verify run of `perProcess` messages per process. Its optimizing compiler (TurboFan) pays for
 * itself only on long runs: over a process's first thousands of messages, compiling costs more CPU than the faster
 * code saves (measured per message over the first 1,000: ed25519 ~400 → ~250 µs, RSA ~295 → ~160 µs without it;
 * with it the steady state is ~20–35% cheaper, which wins back the head start after ~10,000 messages).
 */
export function v8FlagsFor(perProcess: number): string[] {
  return perProcess < 10_000 ? ['--no-opt'] : [];
}

export function forkHelper(v8Flags: readonly string[]): ChildProcess {
  return fork(fileURLToPath(new URL('./worker.js', import.meta.url)), [], {
    execArgv: [...v8Flags],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
}

let early: { child: ChildProcess; flags: string }[] = [];

/** Forks the helpers a `mailcheck <args>` run of verify will want, if it is one. */
export function prestartHelpers(args: readonly string[]): void {
  const plan = planHelpers(args);
  for (let i = 0; i < plan.helpers; i++) {
    const child = forkHelper(plan.v8Flags);
    // Until adopted, a helper keeps nothing alive: a run that ends early (a usage error) just exits, and the
    // helper ends with the IPC channel (worker.ts).
    child.unref();
    child.channel?.unref();
    early.push({ child, flags: plan.v8Flags.join(' ') });
  }
}

/** Up to `size` of the prestarted helpers, those forked with `v8Flags`; the others are stopped. */
export function adoptHelpers(size: number, v8Flags: readonly string[]): ChildProcess[] {
  const key = v8Flags.join(' ');
  const out: ChildProcess[] = [];
  for (const { child, flags } of early) {
    if (out.length < size && flags === key && child.exitCode === null && child.connected) {
      child.ref();
      child.channel?.ref();
      out.push(child);
    } else child.kill();
  }
  early = [];
  return out;
}

/**
 * How many helpers, with which flags, a verify run of `args` (the command line after the program name) will
 * want: { helpers: 0 } for any other command, for --jobs 1, and for paths that do not add up to
 * HELPER_THRESHOLD messages. A guess: options and their values are taken for paths too (a --zone file counts
 * as one message, an --ip value as none), which can only make it start helpers that end up stopped.
 */
export function planHelpers(args: readonly string[]): { helpers: number; v8Flags: string[] } {
  const none = { helpers: 0, v8Flags: [] };
  const at = args.findIndex((a) => !a.startsWith('-'));
  if (at === -1 || args[at] !== 'verify') return none;
  let jobs: number | undefined;
  let count = 0;
  for (let i = at + 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--jobs' || a.startsWith('--jobs=')) {
      jobs = Number(a === '--jobs' ? args[++i] : a.slice(7));
      if (!Number.isInteger(jobs) || jobs < 1) return none; // commander will refuse it
    } else if (!a.startsWith('-')) count += guessMessages(a);
  }
  const procs = threadsFor(count, jobs);
  return procs > 1 ? { helpers: procs - 1, v8Flags: v8FlagsFor(Math.ceil(count / procs)) } : none;
}

/** Messages at `path`, counted as listFolder (sources.ts) would for a folder, guessed for a file. */
function guessMessages(path: string): number {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return 0;
    if (st.isFile()) return st.size >= MBOX_GUESS ? HELPER_THRESHOLD : 1;
    if (!st.isDirectory()) return 0;
    const names = readdirSync(path);
    const sub = names.filter((n) => n === 'new' || n === 'cur');
    if (!sub.length) return visible(names);
    let n = 0;
    for (const s of sub) n += visible(readdirSync(join(path, s)));
    return n;
  } catch {
    return 0; // unreadable: the run itself will say so
  }
}

function visible(names: readonly string[]): number {
  let n = 0;
  for (const name of names) if (!name.startsWith('.')) n++;
  return n;
}
