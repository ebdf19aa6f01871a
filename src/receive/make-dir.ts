// Creating the Maildir's directories, and saying in words why it could not be done.
// Not `mkdir({ recursive: true })`: Node 20's loops forever when mkdir(2) answers ENOENT under a parent that
// exists (/proc/nope: the file system takes no new entries), and its errors name the deepest path, not the
// component that is in the way.
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Creates `dir` and any missing parents (each with `mode`). Errors are the system's, for `inWords()`. */
export async function makeDirs(dir: string, mode: number): Promise<void> {
  const path = resolve(dir);
  try {
    await mkdir(path, { mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return mustBeDirectory(path, e as NodeJS.ErrnoException);
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw e;
    // The parent is missing: create it (or fail there), then try once more. A second ENOENT is the file
    // system's refusal and ends here: every step goes one level up, so this cannot loop.
    await makeDirs(parent, mode);
    await mkdir(path, { mode }).catch((again: NodeJS.ErrnoException) => {
      if (again.code === 'EEXIST') return mustBeDirectory(path, again);
      throw again;
    });
  }
}

async function mustBeDirectory(path: string, e: NodeJS.ErrnoException): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) return;
  throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { ...e, code: 'ENOTDIR', path });
}

const WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  ENOENT: 'the file system takes no new entries there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'an input/output error (the disk failed)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on this system',
};

const ACTIONS: Record<string, string> = {
  mkdir: 'cannot create',
  open: 'cannot open',
  scandir: 'cannot list',
  lstat: 'cannot examine',
  stat: 'cannot examine',
  unlink: 'cannot remove',
};

/**
 * "cannot create '/sys/nope': not permitted" rather than "EPERM: operation not permitted, mkdir '/sys/nope'";
 * "'/etc/passwd' is not a directory" (the part of the path in the way, not the deepest one the system named).
 */
export async function inWords(e: unknown): Promise<string> {
  const err = e as NodeJS.ErrnoException;
  if (!err?.code) return String(err?.message ?? err);
  const path = err.path;
  if (err.code === 'ENOTDIR' && path) return `'${await firstNonDirectory(path)}' is not a directory`;
  if (err.code === 'EISDIR' && path) return `'${path}' is a directory`;
  // Codes without a phrase of ours keep the system's own words ("EXDEV: cross-device link not permitted, …").
  const words = WORDS[err.code] ?? /^[A-Z0-9]+: ([^,]+)/.exec(err.message)?.[1] ?? err.code;
  if (!path) return words;
  return `${ACTIONS[err.syscall ?? ''] ?? 'cannot use'} '${path}': ${words}`;
}

/** The first prefix of `path` that exists but is not a directory ('/etc/passwd' in '/etc/passwd/x/tmp'). */
async function firstNonDirectory(path: string): Promise<string> {
  const parts = resolve(path).split('/');
  for (let i = 2; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    const st = await stat(prefix).catch(() => undefined);
    if (!st) break;
    if (!st.isDirectory()) return prefix;
  }
  return path;
}
