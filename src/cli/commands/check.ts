// `mailcheck check <domain...> [--batch <file>]`: parse flags → checkPosture per domain (streamed, bounded
// concurrency) → text, JSON/NDJSON, JUnit or GitHub annotations → exit code. The only place this output is written.
import { open, stat } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { definedOnly } from '../../core/object.js';
import { cannotRead } from '../../core/user-file.js';
import { toALabel } from '../../core/names.js';
import { DEFAULT_CONCURRENCY } from '../../posture/batch.js';
import { checkPosture, type PostureOptions } from '../../posture/check.js';
import { loadPolicy } from '../../posture/policy.js';
import { cutPartialLine } from '../../posture/results-file.js';
import { parseShard, shardFromIndex, type Shard } from '../../posture/shard.js';
import { githubAnnotations } from '../../report/github.js';
import { toJson } from '../../report/json.js';
import { junitClose, junitOpen, junitSuite } from '../../report/junit.js';
import { renderPosture } from '../../report/text/check.js';
import { readCaFiles } from '../ca-files.js';
import { resultsDone, type InputSelection } from '../check/inputs.js';
import { zoneFileOf, type Format } from '../check/line.js';
import { runStream, type StreamOptions } from '../check/stream.js';
import { runSummaryOf } from '../check/summary-of.js';
import { parseInteger } from '../options.js';
import { startSpinner } from '../spinner.js';
import { createContext, type CliContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import type { CheckCliOptions } from '../check/types.js';

export type { CheckCliOptions };

export async function run(domains: string[], opts: CheckCliOptions): Promise<number> {
  const format = parseFormat(opts);
  // Given, it is the number in flight; left out, the batch finds its own level up to the default (adaptive.ts).
  const concurrency = parseInteger(opts.concurrency ?? String(DEFAULT_CONCURRENCY), '--concurrency', 1, 4096);
  const adaptive = opts.concurrency === undefined;
  // Dozens of handshakes per MX address need more than the 20 s a domain's DNS checks get.
  const budgetMs = parseInteger(opts.budget ?? (opts.tlsAudit ? '120000' : '20000'), '--budget', 100, 3_600_000);
  const policy = opts.policy ? await loadPolicy(opts.policy) : undefined;
  const selectors = [
    ...new Set([...(opts.selector ?? []), ...(policy?.dkim?.selectors ?? [])].map((s) => toALabel(s, 'selector'))),
  ];
  const dnsbl = (opts.dnsbl ?? [])
    .flatMap((z) => z.split(','))
    .map((z) => z.trim())
    .filter(Boolean)
    .map((z) => toALabel(z, 'DNSBL zone'));
  const ca = await readCaFiles(opts.ca ?? []);
  const strict = Boolean(opts.strict ?? policy?.strict);
  if (opts.summaryOf) {
    if (domains.length || opts.batch)
      throw new UsageError('--summary-of totals saved results: give no domains or --batch');
    if (format === 'junit' || format === 'github')
      throw new UsageError(`--summary-of prints a summary table (or --json): not --format ${format}`);
    return runSummaryOf(opts.summaryOf, await createContext({ ...opts, json: format === 'json' }), { strict });
  }
  if (!domains.length && !opts.batch) throw new UsageError('give a domain to check, or --batch <file> (- for stdin)');
  const shard = parseShardOptions(opts);
  const workers = opts.workers === undefined ? undefined : parseInteger(opts.workers, '--workers', 1, 256);
  if (opts.resume !== undefined && format !== 'json')
    throw new UsageError('--resume appends JSON lines to its file: use it with --json');
  // A single positional domain gets the full report; several, --batch, a shard or a resumed run are streamed.
  const streamed = opts.batch || shard || opts.resume !== undefined || workers !== undefined;
  const single = domains.length === 1 && !streamed ? toALabel(domains[0]!) : undefined;
  if (opts.batch && opts.batch !== '-') await assertReadable(opts.batch);

  const postureOptions: PostureOptions = definedOnly({
    selectors: selectors.length ? selectors : undefined,
    smtp: Boolean(opts.smtp || opts.tlsAudit),
    tlsAudit: Boolean(opts.tlsAudit),
    fetch: Boolean(opts.fetch),
    allowPrivate: Boolean(opts.allowPrivate),
    budgetMs,
    strict,
    ca: ca.length ? ca : undefined,
    dnsbl: dnsbl.length ? dnsbl : undefined,
    policy: policy || undefined,
    mtaStsPort: opts.mtaStsPort ? parseInteger(opts.mtaStsPort, '--mta-sts-port', 1, 65535) : undefined,
    smtpPort: opts.smtpPort ? parseInteger(opts.smtpPort, '--smtp-port', 1, 65535) : undefined,
  });
  const ctx = await createContext({ ...opts, json: format === 'json' }, { brief: !opts.all });

  if (single) {
    const result = await withSpinner(ctx, format, `Checking ${single}`, () =>
      checkPosture(single, ctx, postureOptions),
    );
    const out = (() => {
      switch (format) {
        case 'json':
          return toJson(result);
        case 'junit':
          return junitOpen() + junitSuite(result, { strict, timestamp: ctx.now() }) + junitClose();
        case 'github':
          return (
            renderPosture(result, ctx.theme, { width: process.stdout.columns ?? 100 }) +
            githubAnnotations(result, { strict, fileFor: zoneFileOf(ctx.zones) })
          );
        default:
          return renderPosture(result, ctx.theme, { width: process.stdout.columns ?? 100 });
      }
    })();
    process.stdout.write(out);
    return exitCode([result], { strict });
  }
  const selection: InputSelection = { positional: domains };
  if (opts.batch) selection.batch = opts.batch;
  if (shard) selection.shard = shard;
  let resume: StreamOptions['resume'];
  if (opts.resume !== undefined) {
    const r = await resumeFrom(opts.resume, strict);
    selection.done = r.done;
    resume = { file: opts.resume, code: r.code };
  }
  const stream: StreamOptions = {
    ctx,
    opts,
    format,
    concurrency,
    adaptive,
    order: opts.order ?? 'input',
    strict,
    postureOptions,
    selection,
    allowEmpty: Boolean(opts.allowEmpty),
  };
  if (workers !== undefined) stream.workers = workers;
  if (resume) stream.resume = resume;
  return runStream(stream);
}

/** --shard K/N, or --shards N with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod index). */
function parseShardOptions(opts: CheckCliOptions): Shard | undefined {
  if (opts.shard !== undefined && opts.shards !== undefined)
    throw new UsageError('--shard K/N and --shards N both choose a shard: give one');
  let shard: Shard | string | undefined;
  if (opts.shard !== undefined) shard = parseShard(opts.shard);
  else if (opts.shards !== undefined) shard = shardFromIndex(opts.shards, process.env.JOB_COMPLETION_INDEX);
  if (typeof shard === 'string') throw new UsageError(shard);
  return shard;
}

/**
 * --resume <file>: the file is created if missing; a half-written last line (a killed run) is cut off, and that
 * domain done again. Returns the keys it holds and the exit code its lines give.
 */
async function resumeFrom(file: string, strict: boolean): Promise<{ done: Set<string>; code: 0 | 1 | 3 }> {
  let code: 0 | 1 | 3 = 0;
  try {
    // A directory or a device would fail later, mid-read, as an internal error: say so now, as for --batch.
    if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { done: new Set(), code };
    throw cannotRead('--resume file', file, e);
  }
  const cut = await cutPartialLine(file);
  if (cut)
    process.stderr.write(
      `mailcheck: ${file} ended in a half-written line (${cut} bytes, cut off); that domain is checked again\n`,
    );
  const done = await resultsDone(file, (r) => {
    const c = exitCode([r], { strict });
    if (c === 1 || (c === 3 && code === 0)) code = c;
  });
  return { done, code };
}

function parseFormat(opts: CheckCliOptions): Format {
  if (opts.json && opts.format && opts.format !== 'json' && opts.format !== 'text')
    throw new UsageError(`--json and --format ${opts.format} ask for two different outputs; use one`);
  return opts.json ? 'json' : (opts.format ?? 'text');
}

async function assertReadable(file: string): Promise<void> {
  try {
    const fh = await open(file, 'r');
    const isFile = (await fh.stat()).isFile();
    await fh.close();
    if (!isFile) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
  } catch (e) {
    throw cannotRead('--batch file', file, e);
  }
}

async function withSpinner<T>(ctx: CliContext, format: Format, text: string, f: () => Promise<T>): Promise<T> {
  const s = format === 'text' ? await startSpinner(ctx, text) : undefined;
  try {
    return await f();
  } finally {
    s?.stop();
  }
}
