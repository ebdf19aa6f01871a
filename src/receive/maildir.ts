// Maildir delivery (https://cr.yp.to/proto/maildir.html): write to tmp/, fsync the file, rename into new/,
// fsync new/ — so a message is in new/ whole or not at all, and stays there after a crash.
// The file work runs on writer threads (store-worker.ts): done on the main thread it stalls SMTP whenever the
// journal is busy (creating a file waits for a commit), and libuv's four-thread pool would queue quick opens
// behind slow fsyncs. Directory fsyncs are shared (group commit): one fsync of new/ covers every rename made
// before it started, so concurrent deliveries do not each pay for one. On open, tmp/ is swept: files a crash
// left there are removed once 36 hours old (the spec's rule) and younger ones are counted, never touched.
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { lstat, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { inWords, makeDirs } from './make-dir.js';
import { STORE_WORKER_SOURCE, type StoreDone, type StoreJob } from './store-worker.js';

/** Writer threads: enough flushes in flight for the journal to batch them, few enough to start quickly. */
const WRITERS = 8;

export interface StoredMessage {
  /** Unique name within the Maildir (the file name in new/). */
  name: string;
  /** Absolute path of the file in new/. */
  path: string;
  size: number;
}

/** What the sweep of tmp/ at open found: files left by deliveries that never finished (a crash, a kill -9). */
export interface TmpSweep {
  /** Removed: not accessed or modified for STALE_TMP_MS. */
  removed: number;
  /** Left alone: younger (another process may still be writing them). */
  kept: number;
}

/** "When you are cleaning tmp/, delete files not accessed for 36 hours" (cr.yp.to/proto/maildir.html). */
export const STALE_TMP_MS = 36 * 3600 * 1000;

export interface Maildir {
  readonly root: string;
  readonly tmpSweep: TmpSweep;
  /** Writes the parts as one file and returns once it is durable in new/. */
  deliver(parts: readonly Buffer[]): Promise<StoredMessage>;
  close(): Promise<void>;
}

/** The Maildir cannot be created or opened: the message says why, in words, naming the Maildir. */
export class MaildirError extends Error {
  override name = 'MaildirError';
}

export interface MaildirOptions {
  now?: () => number;
  /** Watch the root for new/ being replaced (default); false: a stat per group commit instead (tests both ways). */
  watch?: boolean;
}

export async function openMaildir(dir: string, opts: MaildirOptions = {}): Promise<Maildir> {
  const root = resolve(dir);
  let tmpSweep: TmpSweep;
  let newDir: FileHandle;
  try {
    for (const sub of ['tmp', 'new', 'cur']) await makeDirs(join(root, sub), 0o700);
    tmpSweep = await sweepTmp(join(root, 'tmp'), (opts.now ?? Date.now)());
    newDir = await open(join(root, 'new'), 'r');
  } catch (e) {
    throw new MaildirError(`cannot use Maildir '${dir}': ${await inWords(e)}`);
  }
  const newPath = join(root, 'new');
  let newId = await dirId(newDir);
  // new/ deleted and made again (by hand, by a cleanup script) while we run: our handle is the old, unlinked
  // directory, and fsyncing it would not make the renames into the new one durable. A watch on the Maildir's root
  // (inotify: it sees only tmp/, new/ and cur/ themselves come and go, so it is silent while mail flows) marks
  // new/ as possibly replaced; the next group compares inodes and reopens. A stat per group instead cost a
  // thread-pool round trip per delivery where fsync is quick. Without a watch (inotify limits), every group stats.
  let suspect = false;
  const syncNew = groupCommit(async () => {
    // The watch's event may be handled just after a group that its change concerned (it and a writer's answer
    // can come in the same turn of the event loop): then it starts a group of its own at once (below), which
    // reopens and fsyncs new/ — a window of microseconds, once, after someone replaced new/. Waiting a turn
    // (setImmediate) before every group to close it cost ~10 µs a delivery where fsync is quick.
    if (watcher.active && !suspect) return newDir.sync();
    suspect = false;
    const now = await stat(newPath).catch(() => undefined);
    if (now?.isDirectory() && `${now.dev}:${now.ino}` !== newId) {
      const fresh = await open(newPath, 'r');
      const old = newDir;
      newDir = fresh;
      newId = await dirId(fresh);
      await old.close();
    }
    await newDir.sync();
  });
  const watcher = watchNew(root, opts.watch ?? true, () => {
    suspect = true;
    syncNew().catch(() => {}); // a failure here is the next delivery's to report
  });
  const writers = startWriters(WRITERS);
  // Maildir's host part must not contain '/' or ':' (the spec's \057 and \072 escapes).
  const host = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072');
  const unique = randomBytes(4).toString('hex');
  let seq = 0;

  return {
    root,
    tmpSweep,
    async deliver(parts) {
      const size = parts.reduce((n, p) => n + p.length, 0);
      const now = Date.now();
      // time.M<usec>P<pid>Q<seq>R<random>.host,S=<size>: unique per process, delivery and restart.
      const name = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++seq}R${unique}.${host},S=${size}`;
      const tmp = join(root, 'tmp', name);
      const path = join(root, 'new', name);
      await writers.store(tmp, path, parts);
      await syncNew();
      return { name, path, size };
    },
    close: async () => {
      watcher.close();
      await writers.close();
      await newDir.close();
    },
  };
}

/** An inotify watch on the Maildir root calling `changed` when new/ may have been replaced; inactive if unavailable. */
function watchNew(root: string, wanted: boolean, changed: () => void): { active: boolean; close(): void } {
  const state = { active: false, close: () => {} };
  if (!wanted) return state;
  try {
    const w = watch(root, { persistent: false }, (_event, name) => {
      if (name === null || name === 'new') changed();
    });
    // A watch that fails later (the root itself removed) falls back to a stat per group, from the next one on.
    w.on('error', () => {
      state.active = false;
      changed();
    });
    state.active = true;
    state.close = () => w.close();
  } catch {
    // ENOSPC (max_user_watches), EMFILE: the stat per group covers it.
  }
  return state;
}

async function dirId(handle: FileHandle): Promise<string> {
  const st = await handle.stat();
  return `${st.dev}:${st.ino}`;
}

/** Removes regular files in tmp/ untouched for STALE_TMP_MS; counts the younger ones. Other entries are not ours. */
async function sweepTmp(tmp: string, now: number): Promise<TmpSweep> {
  const out: TmpSweep = { removed: 0, kept: 0 };
  for (const name of await readdir(tmp)) {
    const path = join(tmp, name);
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (now - Math.max(st.atimeMs, st.mtimeMs) >= STALE_TMP_MS) {
      // Gone already (another sweeper) is as good as removed.
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      out.removed++;
    } else {
      out.kept++;
    }
  }
  return out;
}

interface Writers {
  store(tmp: string, path: string, parts: readonly Buffer[]): Promise<void>;
  close(): Promise<void>;
}

/** Writer threads, each job to the least busy one. A thread that dies fails its jobs and takes no more. */
function startWriters(n: number): Writers {
  interface Thread {
    worker: Worker;
    busy: number;
    alive: boolean;
    jobs: Map<number, { ok: () => void; fail: (e: Error) => void }>;
  }
  let nextId = 0;
  const threads: Thread[] = Array.from({ length: n }, () => {
    const t: Thread = {
      worker: new Worker(STORE_WORKER_SOURCE, { eval: true }),
      busy: 0,
      alive: true,
      jobs: new Map(),
    };
    t.worker.on('message', (m: StoreDone) => {
      // Idle writers must not keep the process alive; busy ones must (a pending delivery is a promise to a client).
      if (--t.busy === 0) t.worker.unref();
      const job = t.jobs.get(m.id);
      t.jobs.delete(m.id);
      if (m.error) job?.fail(new Error(`cannot store the message: ${m.error}`));
      else job?.ok();
    });
    const die = (e: Error) => {
      t.alive = false;
      for (const job of t.jobs.values()) job.fail(e);
      t.jobs.clear();
    };
    t.worker.on('error', die);
    t.worker.on('exit', () => die(new Error('Maildir writer thread exited')));
    t.worker.unref();
    return t;
  });
  return {
    store(tmp, path, parts) {
      const live = threads.filter((t) => t.alive);
      if (!live.length) return Promise.reject(new Error('no Maildir writer thread is running'));
      const t = live.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      if (t.busy++ === 0) t.worker.ref();
      const { data, transfer } = forTheWriter(parts);
      return new Promise<void>((ok, fail) => {
        t.jobs.set(id, { ok, fail });
        t.worker.postMessage({ id, tmp, path, parts: data } satisfies StoreJob, transfer);
      });
    },
    close: async () => {
      for (const t of threads) t.alive = false;
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

/**
 * The parts as a writer thread gets them: shared memory as it is (the thread reads the same bytes); each run of
 * ordinary buffers copied once into a fresh (unpooled) array that is moved, not cloned.
 */
function forTheWriter(parts: readonly Buffer[]): { data: Uint8Array[]; transfer: ArrayBuffer[] } {
  const data: Uint8Array[] = [];
  const transfer: ArrayBuffer[] = [];
  for (let i = 0; i < parts.length;) {
    if (parts[i]!.buffer instanceof SharedArrayBuffer) {
      data.push(parts[i++]!);
      continue;
    }
    let end = i;
    let length = 0;
    while (end < parts.length && !(parts[end]!.buffer instanceof SharedArrayBuffer)) length += parts[end++]!.length;
    const copy = new Uint8Array(length);
    for (let off = 0; i < end; off += parts[i++]!.length) copy.set(parts[i]!, off);
    data.push(copy);
    transfer.push(copy.buffer);
  }
  return { data, transfer };
}

/**
 * Runs `op` so that a caller is resolved by a run that started after it asked: while one run is in flight,
 * later callers share the next one. N concurrent callers cost two runs, not N.
 */
export function groupCommit(op: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const p = op().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return () => {
    if (!running) return start();
    // Renames made now may not be covered by the fsync already running: wait for it, then share one more.
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}
