// Batch audits: domains read as a stream, checked with bounded concurrency, results yielded in input order (or as
// they complete). Memory stays flat: at most `concurrency` domains in flight and a bounded reorder window.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ConcurrencyLimit } from './adaptive.js';

export interface BatchOptions {
  /** Domains in flight at most. */
  concurrency: number;
  /** A lower limit that may change as the batch runs (see adaptive.ts): consulted whenever a domain finishes or
   *  the limit goes up. */
  limit?: Pick<ConcurrencyLimit, 'limit' | 'raised'>;
  /** 'input': results in the order of the input (a slow domain holds back the ones after it, up to the window);
   *  'completion': each result as soon as it is ready. */
  order: 'input' | 'completion';
  /** In input order, how far reading may run ahead of the oldest unfinished domain (default 4 × concurrency). */
  window?: number;
}

export interface BatchItem<T, I = string> {
  index: number;
  input: I;
  result: T;
}

export const DEFAULT_CONCURRENCY = 64;

export async function* runBatch<T, I = string>(
  inputs: AsyncIterable<I>,
  work: (input: I, index: number) => Promise<T>,
  o: BatchOptions,
): AsyncGenerator<BatchItem<T, I>> {
  const it = inputs[Symbol.asyncIterator]();
  const window = Math.max(o.concurrency, o.window ?? o.concurrency * 4);
  const ready = new Map<number, BatchItem<T, I>>();
  const inFlight = new Set<Promise<void>>();
  let read = 0;
  let emitted = 0;
  let exhausted = false;
  let failure: { error: unknown } | undefined;

  const fill = async () => {
    while (
      !exhausted &&
      inFlight.size < Math.min(o.concurrency, o.limit?.limit() ?? Infinity) &&
      (o.order === 'completion' || read - emitted < window)
    ) {
      const next = await it.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const index = read++;
      const input = next.value;
      const p: Promise<void> = work(input, index)
        .then(
          (result) => void ready.set(index, { index, input, result }),
          (error: unknown) => void (failure ??= { error }),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };

  try {
    for (;;) {
      await fill();
      if (failure) throw failure.error;
      if (o.order === 'input') {
        while (ready.has(emitted)) {
          const item = ready.get(emitted)!;
          ready.delete(emitted);
          emitted++;
          yield item;
        }
      } else {
        for (const [index, item] of ready) {
          ready.delete(index);
          emitted++;
          yield item;
        }
      }
      if (exhausted && inFlight.size === 0 && ready.size === 0) return;
      if (inFlight.size) await Promise.race(o.limit ? [...inFlight, o.limit.raised()] : inFlight);
    }
  } finally {
    // Stopped early (an error, or the consumer broke off): let the work in flight settle quietly.
    if (inFlight.size) await Promise.allSettled(inFlight);
    await it.return?.();
  }
}

/** One domain per line; blank lines and comments (# …, also after a domain) skipped. `-` reads stdin. */
export async function* readDomains(source: string | Readable): AsyncGenerator<string> {
  let input: Readable;
  if (typeof source !== 'string') input = source;
  else if (source === '-') input = process.stdin;
  else input = createReadStream(source, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line) yield line;
  }
}

/** How many domains a file holds (a streaming pass, for the progress bar's ETA). */
export async function countDomains(file: string): Promise<number> {
  let n = 0;
  const domains = readDomains(file);
  while (!(await domains.next()).done) n++;
  return n;
}
