// What `report` reads: report files (.xml, .xml.gz, .zip, .json, .json.gz), messages (.eml), Maildirs (new/ and
// cur/), folders (recursively) and mbox files (RFC 4155, streamed a message at a time): one input at a time, so
// memory stays bounded however large the folder. Unreadable paths are data, never thrown.
import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFsError } from '../verify/sources.js';

export interface InputError {
  path: string;
  error: string;
}

export type Input = { label: string; data: Buffer } | { label: string; error: string; tooLarge?: boolean };

const MAX_FOLDER_DEPTH = 8;

/** The files behind the paths, in a stable order; missing or odd paths as errors. */
export async function listInputs(paths: readonly string[]): Promise<{ files: string[]; errors: InputError[] }> {
  const files: string[] = [];
  const errors: InputError[] = [];
  for (const path of paths) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) await listFolder(path, 0, files);
      else if (st.isFile()) files.push(path);
      else errors.push({ path, error: 'not a regular file or folder' });
    } catch (e) {
      errors.push({ path, error: describeFsError(e) });
    }
  }
  return { files, errors };
}

/** A Maildir: its new/ and cur/ (tmp/ holds unfinished deliveries). Any other folder: its files and folders. */
async function listFolder(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const sub = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  if (sub.has('new') && sub.has('cur')) {
    for (const s of ['new', 'cur']) {
      const names = (await readdir(join(dir, s), { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
      for (const n of names) out.push(join(dir, s, n));
    }
    return;
  }
  for (const e of entries.sort(byName)) {
    if (e.name.startsWith('.')) continue;
    if (e.isFile()) out.push(join(dir, e.name));
    else if (e.isDirectory() && depth < MAX_FOLDER_DEPTH) await listFolder(join(dir, e.name), depth + 1, out);
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

/**
 * Each file's bytes, or each message of an mbox file, one at a time. Regular files are read synchronously: one
 * open, a positional read of the head and a read of the rest; on the VMs we measured, each asynchronous fs call
 * costs ~0.5 ms of thread-pool round trip, 15× the read itself (bench/report.mjs), and nothing else runs meanwhile.
 */
export async function* readInputs(files: readonly string[], maxBytes: number): AsyncGenerator<Input> {
  for (const path of files) {
    const got = readOne(path, maxBytes);
    if (got === 'mbox') yield* readMbox(path, maxBytes);
    else yield got;
  }
}

/** One file's bytes; 'mbox' when it is an mbox file (streamed instead). */
function readOne(path: string, maxBytes: number): Input | 'mbox' {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(5);
    const n = readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1', 0, n).startsWith('From ')) return 'mbox';
    if (size > maxBytes)
      return { label: path, error: `${size} bytes, over the ${maxBytes}-byte limit for one input`, tooLarge: true };
    return { label: path, data: readFileSync(fd) };
  } catch (e) {
    return { label: path, error: describeFsError(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * RFC 4155 mbox, streamed: a message starts at a "From " line at the start of the file or after an empty line;
 * that empty line belongs to the format, and mboxrd's ">From " quoting is undone. A message over `maxBytes` is
 * skipped (and named), not held — nor is a line longer than that, however far it runs without a newline.
 */
export async function* readMbox(path: string, maxBytes: number): AsyncGenerator<Input> {
  let lines: string[] = [];
  let bytes = 0;
  let index = 0;
  let tooBig = false;
  let previousEmpty = true;
  // The line being read, in pieces: a chunk without a newline is appended and never scanned again (joining and
  // splitting it anew with every chunk is quadratic: a 150 MB line took 108 s and 1.5 GB), and a line that
  // outgrows the limit is dropped up to its newline.
  let pending: string[] = [];
  let pendingBytes = 0;
  let dropping = false;
  const ready: Input[] = [];
  const finish = (): void => {
    if (index === 0) return;
    const label = `${path} #${index}`;
    if (tooBig) {
      ready.push({ label, error: `a message over the ${maxBytes}-byte limit for one input`, tooLarge: true });
      return;
    }
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    ready.push({ label, data: Buffer.from(lines.join('\n'), 'latin1') });
  };
  const onLine = (raw: string): void => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (previousEmpty && line.startsWith('From ')) {
      finish();
      index++;
      lines = [];
      bytes = 0;
      tooBig = false;
      previousEmpty = false;
      return;
    }
    previousEmpty = line === '';
    if (tooBig) return;
    bytes += line.length + 1;
    if (bytes > maxBytes) {
      tooBig = true;
      lines = [];
      return;
    }
    lines.push(/^>+From /.test(line) ? line.slice(1) : line);
  };
  try {
    for await (const chunk of createReadStream(path, { encoding: 'latin1', highWaterMark: 256 * 1024 })) {
      const text = chunk as string;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        const piece = text.slice(start, nl);
        start = nl + 1;
        if (dropping) {
          // The end of a line too long to keep: its message is already marked too large.
          dropping = false;
          continue;
        }
        onLine(pending.length ? pending.join('') + piece : piece);
        pending = [];
        pendingBytes = 0;
      }
      if (start < text.length && !dropping) {
        pending.push(text.slice(start));
        pendingBytes += text.length - start;
        if (pendingBytes > maxBytes) {
          if (index) {
            tooBig = true;
            lines = [];
          }
          pending = [];
          pendingBytes = 0;
          dropping = true;
          previousEmpty = false;
        }
      }
      yield* ready.splice(0);
    }
    // The last line, when the file does not end in a newline, counts like any other.
    if (pending.length) onLine(pending.join(''));
    finish();
    yield* ready.splice(0);
  } catch (e) {
    yield* ready.splice(0);
    yield { label: path, error: describeFsError(e) };
  }
}
