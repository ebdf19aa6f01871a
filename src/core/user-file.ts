// Files a user names (--zone, --policy, --eml, --ca, --key, …): read whole, and a failure is one usage line (exit 2)
// worded the same for every flag: "cannot read <what> '<path>': no such file | EACCES | EISDIR | …".
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

/** Why a file could not be read, for a person: 'no such file', else the errno code (EACCES, EISDIR) or the message. */
export function fileErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  return code ?? (e as Error).message;
}

/** The usage error for a file that could not be read; `what` names it as the user gave it ("--eml file"). */
export function cannotRead(what: string, path: string, e: unknown): UsageError {
  return new UsageError(`cannot read ${what} '${path}': ${fileErrorReason(e)}`);
}

/** The file's bytes (or text, given an encoding), or a `cannotRead` usage error. */
export async function readUserFile(path: string, what: string): Promise<Buffer>;
export async function readUserFile(path: string, what: string, encoding: BufferEncoding): Promise<string>;
export async function readUserFile(path: string, what: string, encoding?: BufferEncoding): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(path, encoding) : await readFile(path);
  } catch (e) {
    throw cannotRead(what, path, e);
  }
}
