// A streamed `check` (several domains, or --batch): the selected inputs checked on this thread or on worker threads,
// each domain's line written as it comes (to stdout, or appended to the --resume file), then the totals: the
// summary table (text), the JUnit envelope, the exit code over every line. The only place this output is written.
import { createWriteStream, type WriteStream } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { definedOnly } from '../../core/object.js';
import { adaptiveConcurrency } from '../../posture/adaptive.js';
import { addTally, createBatchStats } from '../../posture/batch-stats.js';
import { runBatch } from '../../posture/batch.js';
import type { PostureOptions } from '../../posture/check.js';
import { junitClose, junitOpen } from '../../report/junit.js';
import { renderBatchSummary } from '../../report/text/check-batch.js';
import type { CliContext } from '../context.js';
import { progressBar } from '../progress-bar.js';
import { countSelected, selectedInputs, type InputSelection } from './inputs.js';
import { batchLine, checkOne, type BatchLine, type Format } from './line.js';
import { defaultWorkers, workerLines, type WorkerSetup } from './workers.js';
import type { CheckCliOptions } from './types.js';

export interface StreamOptions {
  ctx: CliContext;
  opts: CheckCliOptions;
  format: Format;
  /** Domains in flight at most (over all workers), and whether the level adapts below it. */
  concurrency: number;
  adaptive: boolean;
  order: 'input' | 'completion';
  strict: boolean;
  postureOptions: PostureOptions;
  selection: InputSelection;
  /** --workers, when given. */
  workers?: number;
  /** --resume: lines are appended to this file (and nothing goes to stdout); `code` is that of the lines it held. */
  resume?: { file: string; code: 0 | 1 | 3 };
  /** --allow-empty: an input with no domains passes instead of being bad input. */
  allowEmpty: boolean;
}

export async function runStream(o: StreamOptions): Promise<number> {
  const { ctx, format } = o;
  const total = await countSelected(o.selection);
  // A truncated list or the wrong file must not pass a CI gate as "0 failed": no domains is bad input. (A shard or a
  // resumed run may rightly have nothing left to do: the input itself is what must not be empty.)
  const filtered = o.selection.shard !== undefined || o.selection.done !== undefined;
  if (total === 0 && !filtered && !o.allowEmpty) throw noDomains(o.selection.batch);
  const workers = Math.min(o.workers ?? defaultWorkers(total), Math.max(1, total ?? Infinity));
  const out = o.resume ? appendTo(o.resume.file) : stdoutSink();
  const stats = createBatchStats();
  // Progress goes to stderr, so it may show with --json too (stdout stays machine output); never in CI or with -v.
  const bar =
    process.stderr.isTTY && process.env.CI === undefined && !ctx.verbose
      ? progressBar(definedOnly({ total }))
      : undefined;
  const start = performance.now();
  let code: 0 | 1 | 3 = o.resume?.code ?? 0;
  let invalid = 0;
  // Streamed lines carry no DNS steps (JUnit sums their times, -v --json prints them): none are built.
  const posture: PostureOptions = {
    ...o.postureOptions,
    steps: format === 'junit' || (format === 'json' && ctx.verbose),
  };
  const inputs = selectedInputs(o.selection);
  const lines =
    workers > 1
      ? workerLines(inputs, { workers, order: o.order, setup: workerSetup(o, posture, workers) })
      : localLines(inputs, o, posture);
  // JUnit opens with the first result, so that an empty stdin can still end as one line on stderr and exit 2.
  let opened = false;
  try {
    for await (const line of lines) {
      addTally(stats, line.tally);
      if (line.tally.invalid) invalid++;
      if (line.code === 1 || (line.code === 3 && code === 0)) code = line.code;
      bar?.clear();
      if (format === 'junit' && !opened) await out.write(junitOpen());
      opened = true;
      await out.write(line.text);
      bar?.tick();
    }
    if (o.selection.seen === 0 && !o.allowEmpty) throw noDomains(o.selection.batch);
    if (format === 'junit') await out.write((opened ? '' : junitOpen()) + junitClose());
    if (format === 'text' || format === 'github')
      await out.write(renderBatchSummary(stats, ctx.theme, { seconds: (performance.now() - start) / 1000 }));
  } finally {
    bar?.stop();
    await out.end();
  }
  if (invalid)
    process.stderr.write(
      `mailcheck: ${invalid} input line${invalid > 1 ? 's were' : ' was'} not a domain name (reported in place)\n`,
    );
  return code;
}

function noDomains(batch: string | undefined): UsageError {
  return new UsageError(
    `no domains in ${batch === '-' ? 'stdin' : `'${batch}'`} (only blank lines and # comments); --allow-empty accepts an empty list`,
  );
}

/** The lines of the domains checked on this thread (one worker, or none asked for). */
async function* localLines(
  inputs: AsyncIterable<string>,
  o: StreamOptions,
  posture: PostureOptions,
): AsyncGenerator<BatchLine> {
  const { ctx } = o;
  const lineOptions = {
    format: o.format,
    strict: o.strict,
    verbose: ctx.verbose,
    theme: ctx.theme,
    now: ctx.now,
    zones: ctx.zones,
  };
  const level = o.adaptive ? adaptiveConcurrency(o.concurrency) : undefined;
  try {
    for await (const { result } of runBatch(inputs, (input) => checkOne(input, ctx, posture), {
      concurrency: o.concurrency,
      order: o.order,
      limit: level,
    }))
      yield batchLine(result, lineOptions);
  } finally {
    level?.stop();
  }
}

function workerSetup(o: StreamOptions, posture: PostureOptions, workers: number): WorkerSetup {
  return {
    opts: o.opts,
    posture,
    format: o.format,
    strict: o.strict,
    verbose: o.ctx.verbose,
    color: o.ctx.theme.color,
    width: o.ctx.theme.width,
    lineWidth: o.ctx.theme.lineWidth,
    detail: o.ctx.theme.detail,
    // --concurrency is the total in flight: each worker takes its share.
    concurrency: Math.max(1, Math.ceil(o.concurrency / workers)),
    adaptive: o.adaptive,
  };
}

interface Sink {
  /** Resolves once the text is taken, or the stream has room again (a slow reader slows the batch). */
  write(s: string | Buffer): Promise<void>;
  end(): Promise<void>;
}

function stdoutSink(): Sink {
  return { write: (s) => writeTo(process.stdout, s), end: async () => {} };
}

/** --resume: append to the file (created if missing); a killed run leaves at most a partial last line. */
function appendTo(file: string): Sink {
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  let error: Error | undefined;
  stream.on('error', (e) => (error = e));
  return {
    write: async (s) => {
      if (error) throw error;
      await writeTo(stream, s);
    },
    end: () =>
      new Promise<void>((resolve, reject) => {
        if (error) return reject(error);
        stream.end(() => (error ? reject(error) : resolve()));
      }),
  };
}

function writeTo(stream: NodeJS.WritableStream, s: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(s)) resolve();
    else stream.once('drain', () => resolve());
  });
}
