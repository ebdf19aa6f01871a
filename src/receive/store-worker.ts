// A Maildir writer thread (see maildir.ts): creates, writes and fdatasyncs a file in tmp/, then renames it into
// new/. Blocking calls on purpose: each thread waits on the disk for one message while the main thread serves
// SMTP, and many threads in flight let the filesystem fold their flushes into one journal commit.
import { closeSync, fdatasyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface StoreJob { id: number; tmp: string; path: string; data: Uint8Array }
export interface StoreDone { id: number; error?: string }

parentPort!.on('message', (job: StoreJob) => {
  let fd: number | undefined;
  try {
    fd = openSync(job.tmp, 'wx', 0o600);
    for (let off = 0; off < job.data.length; ) off += writeSync(fd, job.data, off);
    fdatasyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(job.tmp, job.path);
    parentPort!.postMessage({ id: job.id } satisfies StoreDone);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(job.tmp);
    } catch {
      // never created, or already renamed
    }
    parentPort!.postMessage({ id: job.id, error: (e as Error).message } satisfies StoreDone);
  }
});
