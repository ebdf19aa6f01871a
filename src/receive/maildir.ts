// Maildir delivery (https://cr.yp.to/proto/maildir.html): write to tmp/, fsync the file, rename into new/,
// fsync new/ — so a message is in new/ whole or not at all, and stays there after a crash.
// Directory fsyncs are shared (group commit): one fsync of new/ covers every rename made before it started,
// so concurrent deliveries do not each pay for one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export interface StoredMessage {
  /** Unique name within the Maildir (the file name in new/). */
  name: string;
  /** Absolute path of the file in new/. */
  path: string;
  size: number;
}

export interface Maildir {
  readonly root: string;
  /** Writes the parts as one file and returns once it is durable in new/. */
  deliver(parts: readonly Buffer[]): Promise<StoredMessage>;
  close(): Promise<void>;
}

export async function openMaildir(dir: string): Promise<Maildir> {
  const root = resolve(dir);
  for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(root, sub), { recursive: true, mode: 0o700 });
  const newDir = await open(join(root, 'new'), 'r');
  const syncNew = groupCommit(() => newDir.sync());
  // Maildir's host part must not contain '/' or ':' (the spec's \057 and \072 escapes).
  const host = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072');
  const unique = randomBytes(4).toString('hex');
  let seq = 0;

  return {
    root,
    async deliver(parts) {
      const size = parts.reduce((n, p) => n + p.length, 0);
      const now = Date.now();
      // time.M<usec>P<pid>Q<seq>R<random>.host,S=<size>: unique per process, delivery and restart.
      const name = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++seq}R${unique}.${host},S=${size}`;
      const tmp = join(root, 'tmp', name);
      const path = join(root, 'new', name);
      let fh: FileHandle | undefined;
      try {
        fh = await open(tmp, 'wx', 0o600);
        await fh.writev(parts as Buffer[]);
        await fh.datasync();
        await fh.close();
        fh = undefined;
        await rename(tmp, path);
      } catch (e) {
        await fh?.close().catch(() => {});
        await unlink(tmp).catch(() => {});
        throw e;
      }
      await syncNew();
      return { name, path, size };
    },
    close: () => newDir.close(),
  };
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
    queued ??= running.catch(() => {}).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}
