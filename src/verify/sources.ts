// What `verify` reads: message files, Maildir folders (new/ and cur/), plain folders of messages, and mbox
// files (RFC 4155, mboxrd quoting undone). Every unreadable path is reported on its own, never thrown.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One message to verify: a file read later (maybe in a worker), or bytes already split out of an mbox. */
export interface MessageTask {
  file: string;
  /** 1-based position in an mbox file. */
  index?: number;
  bytes?: Buffer;
}

export interface SourceError {
  file: string;
  error: string;
}

export interface ExpandedTargets {
  tasks: MessageTask[];
  errors: SourceError[];
  /** Folders that held no message (a mistyped path or a list that never filled): the caller decides. */
  empty: string[];
  /** A folder, an mbox or more than one path was given: the output is a stream (NDJSON, a line per message)
   *  however many messages there turn out to be, so its format never depends on a count. */
  stream: boolean;
}

export async function expandTargets(paths: readonly string[]): Promise<ExpandedTargets> {
  const tasks: MessageTask[] = [];
  const errors: SourceError[] = [];
  const empty: string[] = [];
  let stream = paths.length > 1;
  for (const path of paths) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) {
        const found = await listFolder(path);
        if (!found.length) empty.push(path);
        tasks.push(...found);
        stream = true;
      } else if (st.isFile()) {
        const found = await readFileTarget(path);
        if (found[0]?.index !== undefined) stream = true;
        tasks.push(...found);
      } else errors.push({ file: path, error: 'not a regular file or folder' });
    } catch (e) {
      errors.push({ file: path, error: describeFsError(e) });
    }
  }
  return { tasks, errors, empty, stream };
}

/** A Maildir's new/ and cur/ (tmp/ holds unfinished deliveries); any other folder: the files in it. */
async function listFolder(dir: string): Promise<MessageTask[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const sub = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  const folders =
    sub.has('new') || sub.has('cur') ? ['new', 'cur'].filter((s) => sub.has(s)).map((s) => join(dir, s)) : [dir];
  const out: MessageTask[] = [];
  for (const folder of folders) {
    const names =
      folder === dir
        ? entries.filter((e) => e.isFile()).map((e) => e.name)
        : (await readdir(folder, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    for (const name of names.filter((n) => !n.startsWith('.')).sort()) out.push({ file: join(folder, name) });
  }
  return out;
}

async function readFileTarget(path: string): Promise<MessageTask[]> {
  const head = await readHead(path);
  if (!head.startsWith('From ')) return [{ file: path }];
  const messages = splitMbox(await readFile(path));
  return messages.map((bytes, i) => ({ file: path, index: i + 1, bytes }));
}

async function readHead(path: string): Promise<string> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(5);
    const { bytesRead } = await fh.read(buf, 0, 5, 0);
    return buf.toString('latin1', 0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * RFC 4155: each message starts with a "From " separator line at the start of the file or after an empty
 * line; the empty line before a separator belongs to the format, and mboxrd's ">From " quoting is undone.
 */
export function splitMbox(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  const starts: number[] = [];
  if (text.startsWith('From ')) starts.push(0);
  for (let i = text.indexOf('\n\nFrom '); i !== -1; i = text.indexOf('\n\nFrom ', i + 1)) starts.push(i + 2);
  for (let i = text.indexOf('\n\r\nFrom '); i !== -1; i = text.indexOf('\n\r\nFrom ', i + 1)) starts.push(i + 3);
  starts.sort((a, b) => a - b);
  return starts.map((start, n) => {
    const end = n + 1 < starts.length ? starts[n + 1]! : text.length;
    let msg = text.slice(text.indexOf('\n', start) + 1, end);
    msg = msg.replace(/\r?\n$/, ''); // the separator's empty line
    return Buffer.from(msg.replace(/^>(>*From )/gm, '$1'), 'latin1');
  });
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return code ?? (e as Error).message;
  }
}
