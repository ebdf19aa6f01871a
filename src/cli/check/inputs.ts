// The domains a streamed `check` works on: the positional ones, then the --batch file, less those of other shards
// (--shard K/N) and those a results file already holds (--resume). Each line keeps its place in the order.
import { countDomains, readDomains } from '../../posture/batch.js';
import { readResults, resultKey } from '../../posture/results-file.js';
import { shardOf, type Shard } from '../../posture/shard.js';
import type { PostureResult } from '../../posture/types.js';
import { inputKey } from './line.js';

export interface InputSelection {
  positional: string[];
  batch?: string;
  shard?: Shard;
  /** Keys already done (from --resume): skipped, and each new one added as it is taken, so it is done once. */
  done?: Set<string>;
  /** Lines read from the input so far, shard or not, done or not (set by selectedInputs). */
  seen?: number;
}

export async function* selectedInputs(s: InputSelection): AsyncGenerator<string> {
  s.seen = 0;
  for await (const input of allInputs(s)) {
    s.seen++;
    if (!s.shard && !s.done) {
      yield input;
      continue;
    }
    const key = inputKey(input);
    if (s.shard && shardOf(key, s.shard.count) !== s.shard.index) continue;
    if (s.done) {
      if (s.done.has(key)) continue;
      s.done.add(key);
    }
    yield input;
  }
}

/** How many lines selectedInputs will give, for the progress bar and the default worker count (undefined for
 *  stdin). A domain listed twice in a resumed run counts twice: the bar may end a little short. */
export async function countSelected(s: InputSelection): Promise<number | undefined> {
  if (s.batch === '-') return undefined;
  if (!s.shard && !s.done) return s.positional.length + (s.batch ? await countDomains(s.batch) : 0);
  let n = 0;
  for await (const input of allInputs(s)) {
    const key = inputKey(input);
    if (s.shard && shardOf(key, s.shard.count) !== s.shard.index) continue;
    if (s.done?.has(key)) continue;
    n++;
  }
  return n;
}

async function* allInputs(s: InputSelection): AsyncGenerator<string> {
  yield* s.positional;
  if (s.batch) yield* readDomains(s.batch);
}

/** The results a file already holds, by key, and what each would add to the exit code. */
export async function resultsDone(file: string, onResult: (r: PostureResult) => void): Promise<Set<string>> {
  const done = new Set<string>();
  for await (const r of readResults(file)) {
    const key = resultKey(r);
    if (done.has(key)) continue;
    done.add(key);
    onResult(r);
  }
  return done;
}
