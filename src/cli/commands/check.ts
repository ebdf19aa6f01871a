// `mailcheck check <domain...> [--batch <file>]`: parse flags → checkPosture per domain (streamed, bounded
// concurrency) → text, JSON/NDJSON, JUnit or GitHub annotations → exit code. The only place this output is written.
import { open } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { cannotRead } from '../../core/user-file.js';
import { toALabel } from '../../core/names.js';
import { escapeJsonText } from '../../core/text.js';
import { inZone } from '../../dns/zone/resolver.js';
import { adaptiveConcurrency } from '../../posture/adaptive.js';
import { addToStats, createBatchStats } from '../../posture/batch-stats.js';
import { countDomains, DEFAULT_CONCURRENCY, readDomains, runBatch } from '../../posture/batch.js';
import { checkPosture, invalidInput, withoutSteps, type PostureOptions } from '../../posture/check.js';
import { loadPolicy } from '../../posture/policy.js';
import type { PostureResult } from '../../posture/types.js';
import { githubAnnotations } from '../../report/github.js';
import { toJson } from '../../report/json.js';
import { junitClose, junitOpen, junitSuite } from '../../report/junit.js';
import { renderBatchSummary, renderPostureLine } from '../../report/text/check-batch.js';
import { renderPosture } from '../../report/text/check.js';
import { readCaFiles } from '../ca-files.js';
import { parseInteger } from '../options.js';
import { startSpinner } from '../spinner.js';
import { createContext, type CliContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import type { GlobalOptions } from '../global-options.js';
import { progressBar } from '../progress-bar.js';

export interface CheckCliOptions extends GlobalOptions {
  batch?: string;
  selector?: string[];
  policy?: string;
  strict?: boolean;
  format?: 'text' | 'json' | 'junit' | 'github';
  concurrency?: string;
  order?: 'input' | 'completion';
  budget?: string;
  smtp?: boolean;
  tlsAudit?: boolean;
  fetch?: boolean;
  dnsbl?: string[];
  ca?: string[];
  mtaStsPort?: string;
  smtpPort?: string;
  allowPrivate?: boolean;
  allowEmpty?: boolean;
  all?: boolean;
}

type Format = 'text' | 'json' | 'junit' | 'github';

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
  if (!domains.length && !opts.batch) throw new UsageError('give a domain to check, or --batch <file> (- for stdin)');
  // A single positional domain gets the full report; several, or --batch, are streamed.
  const single = domains.length === 1 && !opts.batch ? toALabel(domains[0]!) : undefined;
  if (opts.batch && opts.batch !== '-') await assertReadable(opts.batch);

  const postureOptions: PostureOptions = {
    ...(selectors.length ? { selectors } : {}),
    smtp: Boolean(opts.smtp || opts.tlsAudit),
    tlsAudit: Boolean(opts.tlsAudit),
    fetch: Boolean(opts.fetch),
    allowPrivate: Boolean(opts.allowPrivate),
    budgetMs,
    strict,
    ...(ca.length ? { ca } : {}),
    ...(dnsbl.length ? { dnsbl } : {}),
    ...(policy ? { policy } : {}),
    ...(opts.mtaStsPort ? { mtaStsPort: parseInteger(opts.mtaStsPort, '--mta-sts-port', 1, 65535) } : {}),
    ...(opts.smtpPort ? { smtpPort: parseInteger(opts.smtpPort, '--smtp-port', 1, 65535) } : {}),
  };
  const ctx = await createContext({ ...opts, json: format === 'json' }, { brief: !opts.all });
  const fileFor = zoneFileOf(ctx);

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
            githubAnnotations(result, { strict, fileFor })
          );
        default:
          return renderPosture(result, ctx.theme, { width: process.stdout.columns ?? 100 });
      }
    })();
    process.stdout.write(out);
    return exitCode([result], { strict });
  }
  return runMany(domains, opts.batch, {
    ctx,
    format,
    concurrency,
    adaptive,
    order: opts.order ?? 'input',
    strict,
    postureOptions,
    fileFor,
    allowEmpty: Boolean(opts.allowEmpty),
  });
}

async function runMany(
  positional: string[],
  batch: string | undefined,
  o: {
    ctx: CliContext;
    format: Format;
    concurrency: number;
    adaptive: boolean;
    order: 'input' | 'completion';
    strict: boolean;
    postureOptions: PostureOptions;
    fileFor: (d: string) => string | undefined;
    allowEmpty: boolean;
  },
): Promise<number> {
  const { ctx, format, strict } = o;
  const total =
    batch && batch !== '-' ? positional.length + (await countDomains(batch)) : batch ? undefined : positional.length;
  // A truncated list or the wrong file must not pass a CI gate as "0 failed": no domains is bad input.
  if (total === 0 && !o.allowEmpty) throw noDomains(batch!);
  async function* inputs(): AsyncGenerator<string> {
    yield* positional;
    if (batch) yield* readDomains(batch);
  }
  const stats = createBatchStats();
  // Progress goes to stderr, so it may show with --json too (stdout stays machine output); never in CI or with -v.
  const bar =
    process.stderr.isTTY && process.env.CI === undefined && !ctx.verbose
      ? progressBar({ ...(total !== undefined ? { total } : {}) })
      : undefined;
  const start = performance.now();
  let code: 0 | 1 | 3 = 0;
  let invalid = 0;
  // JUnit opens with the first result, so that an empty stdin can still end as one line on stderr and exit 2.
  let opened = false;
  const level = o.adaptive ? adaptiveConcurrency(o.concurrency) : undefined;
  try {
    for await (const { result } of runBatch(inputs(), (input) => checkOne(input, ctx, o.postureOptions), {
      concurrency: o.concurrency,
      order: o.order,
      ...(level ? { limit: level } : {}),
    })) {
      addToStats(stats, result);
      if (result.findings.some((f) => f.id === 'posture.input.invalid')) invalid++;
      const c = exitCode([result], { strict });
      if (c === 1 || (c === 3 && code === 0)) code = c;
      bar?.clear();
      switch (format) {
        case 'json':
          // Posture results are plain data (no Buffer, bigint or Error), so the replacer-free fast path of
          // JSON.stringify is safe here, and it is several times faster at batch rates. C1 and bidi controls from
          // DNS text still leave as \u escapes, as in every JSON output.
          await write(escapeJsonText(JSON.stringify(ctx.verbose ? result : withoutSteps(result))) + '\n');
          break;
        case 'junit':
          if (!opened) await write(junitOpen());
          opened = true;
          await write(junitSuite(result, { strict, timestamp: ctx.now() }));
          break;
        case 'github':
          await write(renderPostureLine(result, ctx.theme) + githubAnnotations(result, { strict, fileFor: o.fileFor }));
          break;
        default:
          await write(renderPostureLine(result, ctx.theme));
      }
      bar?.tick();
    }
  } finally {
    level?.stop();
    bar?.stop();
  }
  if (stats.domains === 0 && !o.allowEmpty) throw noDomains(batch!);
  if (format === 'junit') await write((opened ? '' : junitOpen()) + junitClose());
  if (format === 'text' || format === 'github')
    await write(renderBatchSummary(stats, ctx.theme, { seconds: (performance.now() - start) / 1000 }));
  if (invalid)
    process.stderr.write(
      `mailcheck: ${invalid} input line${invalid > 1 ? 's were' : ' was'} not a domain name (reported in place)\n`,
    );
  return code;
}

function noDomains(batch: string): UsageError {
  return new UsageError(
    `no domains in ${batch === '-' ? 'stdin' : `'${batch}'`} (only blank lines and # comments); --allow-empty accepts an empty list`,
  );
}

async function checkOne(input: string, ctx: CliContext, o: PostureOptions): Promise<PostureResult> {
  let domain: string;
  try {
    domain = toALabel(input);
  } catch (e) {
    if (e instanceof UsageError) return invalidInput(input, e.message);
    throw e;
  }
  return checkPosture(domain, ctx, o);
}

/** Writes to stdout and waits when the pipe is full, so a slow reader slows the batch instead of filling memory. */
function write(s: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(s)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
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

/** The --zone file a domain's records come from, for GitHub annotations on that file. */
function zoneFileOf(ctx: CliContext): (domain: string) => string | undefined {
  return (domain) => {
    let best: { origin: string; source?: string } | undefined;
    for (const z of ctx.zones)
      if (inZone(domain, z.origin) && (!best || z.origin.length > best.origin.length)) best = z;
    return best?.source;
  };
}

async function withSpinner<T>(ctx: CliContext, format: Format, text: string, f: () => Promise<T>): Promise<T> {
  const s = format === 'text' ? await startSpinner(ctx, text) : undefined;
  try {
    return await f();
  } finally {
    s?.stop();
  }
}
