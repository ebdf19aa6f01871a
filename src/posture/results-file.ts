// The NDJSON a batch writes (`check --batch … --json`), read back: by `--resume` to skip what is done (cutting off a
// line half written when the run was killed), and by `--summary-of` to total shard outputs as one run would.
import { open, stat, truncate } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../core/errors.js';
import { cannotRead } from '../core/user-file.js';
import type { PostureResult } from './types.js';

/**
 * The key a line is known by: the domain checked, lower-case (an A-label); for an input line that was not a
 * domain name, that line. The same key the input side computes (resumeKey in cli/commands/check.ts).
 */
export function resultKey(r: Pick<PostureResult, 'domain'>): string {
  return r.domain.toLowerCase();
}

/** Bytes after the last newline of a file (0 when it ends with one, or is empty or missing). */
export async function partialTail(file: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  if (size === 0) return 0;
  const fh = await open(file, 'r');
  try {
    // Back from the end in blocks until a newline: a result line is ~15 KB, so one or two reads.
    const block = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await fh.read(block, 0, end - start, start);
      const nl = block.subarray(0, bytesRead).lastIndexOf(10);
      if (nl >= 0) return size - (start + nl + 1);
      end = start;
    }
    return size;
  } finally {
    await fh.close();
  }
}

/** Cuts a half-written last line off a results file (a run killed while writing it); returns the bytes cut. */
export async function cutPartialLine(file: string): Promise<number> {
  const tail = await partialTail(file);
  if (tail) await truncate(file, (await stat(file)).size - tail);
  return tail;
}

/**
 * Every line of a results file, parsed, in order. A line that is not a posture result (not JSON, or another
 * command's output) is a UsageError naming the file and line: resuming into, or totalling, the wrong file
 * must stop, not count it.
 */
export async function* readResults(file: string): AsyncGenerator<PostureResult> {
  let input;
  try {
    // A directory opens, then fails at the first read (EISDIR) as an internal error: refuse it here.
    if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    input = createReadStream(file, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => input!.once('open', () => resolve()).once('error', reject));
  } catch (e) {
    throw cannotRead('results file', file, e);
  }
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${n} is not a JSON line of 'mailcheck check --json'`);
    }
    if (!isPostureResult(r)) throw new UsageError(`${file}:${n} is not a result of 'mailcheck check --json'`);
    yield r;
  }
}

function isPostureResult(r: unknown): r is PostureResult {
  const o = r as Partial<PostureResult> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    o.kind === 'posture' &&
    typeof o.domain === 'string' &&
    typeof o.ok === 'boolean' &&
    Array.isArray(o.findings) &&
    Array.isArray(o.summary)
  );
}
