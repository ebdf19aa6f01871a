// The Maildir writer thread (see maildir.ts): creates, writes and fdatasyncs a file in tmp/, then renames it
// into new/. Blocking calls on purpose: each thread waits on the disk for one message while the main thread
// serves SMTP, and several threads in flight let the filesystem fold their flushes into one journal commit.
// Kept as source text run with `eval`: no module file to locate, the same under tsc output and under vitest.

export interface StoreJob {
  id: number;
  tmp: string;
  path: string;
  /** Written in order: moved copies, and views of shared memory (a big message's blocks, never copied). */
  parts: Uint8Array[];
}
export interface StoreDone {
  id: number;
  error?: string;
}

export const STORE_WORKER_SOURCE = `
const { closeSync, fdatasyncSync, openSync, renameSync, unlinkSync, writeSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  let fd;
  try {
    fd = openSync(job.tmp, 'wx', 0o600);
    for (const part of job.parts) for (let off = 0; off < part.length; ) off += writeSync(fd, part, off);
    fdatasyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(job.tmp, job.path);
    parentPort.postMessage({ id: job.id });
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(job.tmp); } catch {}
    parentPort.postMessage({ id: job.id, error: e.message });
  }
});
`;
