// `mailcheck report <inputs...>`: read every report (streamed, aggregated as it goes), group sources, give the
// verdict per domain, and render text tables or NDJSON (source rows, TLS failure rows, domain summaries, inputs).
import { UsageError } from '../../core/errors.js';
import { escapeControl } from '../../core/text.js';
import type { CheckResult } from '../../core/result.js';
import { thousands } from '../../reports/verdict.js';
import { bufferedStdout } from '../buffered-stdout.js';
import { parseInteger } from '../options.js';
import type { GlobalOptions } from '../global-options.js';

export interface ReportCliOptions extends GlobalOptions {
  since?: string;
  until?: string;
  smtp?: boolean;
  top: string;
  maxSize: string;
}

/** Inputs above which a TTY gets a progress bar. */
const PROGRESS_ABOVE = 50;

export async function run(inputs: string[], opts: ReportCliOptions): Promise<number> {
  const top = parseInteger(opts.top, '--top', 0, 999_999);
  const maxDocumentBytes = byteSize(opts.maxSize);
  const [{ createContext }, { runReports }, { exitCode }, { toNdjsonLine }, { progressBar }] = await Promise.all([
    import('../context.js'),
    import('../../reports/run.js'),
    import('../exit-code.js'),
    import('../../report/json.js'),
    import('../progress-bar.js'),
  ]);
  const ctx = await createContext(opts);
  const now = ctx.now();
  const since = opts.since !== undefined ? parseWhen(opts.since, '--since', now) : undefined;
  const until = opts.until !== undefined ? parseWhen(opts.until, '--until', now) : undefined;
  if (since !== undefined && until !== undefined && since >= until)
    throw new UsageError('--since must be before --until');
  const text = ctx.json ? undefined : await import('../../report/text/report.js');
  const { write, flush } = bufferedStdout((f) => {
    setImmediate(f);
  });
  let bar: ReturnType<typeof progressBar> | undefined;
  const start = performance.now();
  const result = await runReports(inputs, ctx, {
    window: { since, until },
    limits: { maxDocumentBytes, maxTotalBytes: Math.max(maxDocumentBytes * 4, 64 * 2 ** 20) },
    smtp: !!opts.smtp,
    onProgress: (phase, done, total) => {
      if (!ctx.interactive || total <= PROGRESS_ABOVE) return;
      if (!bar || (phase === 'sources' && done === 1)) {
        bar?.clear();
        bar = progressBar({ total, label: phase === 'inputs' ? 'reading ' : 'grouping ' });
      }
      bar.tick();
    },
    onProblem: (p) => {
      bar?.clear();
      process.stderr.write(`mailcheck: ${escapeControl(p.label)}: ${escapeControl(p.message)}\n`);
    },
  });
  bar?.stop();
  const seconds = (performance.now() - start) / 1000;
  for (const e of result.pathErrors) process.stderr.write(`mailcheck: ${escapeControl(e.path)}: ${e.error}\n`);
  // Nothing judged is not a pass: a CI job fed a wrong path, an empty folder or a window without reports must not
  // go green (as `check --batch` and `verify` treat empty input).
  if (result.inputs.reports === 0) {
    flush();
    const { files, outOfRange } = result.inputs;
    if (outOfRange)
      throw new UsageError(
        `none of the ${thousands(outOfRange)} report${outOfRange === 1 ? '' : 's'} read falls within --since/--until`,
      );
    // Each missing path is already its one line.
    if (!files && result.pathErrors.length) return 2;
    const where = files ? `${thousands(files)} file${files === 1 ? '' : 's'}` : 'the inputs';
    throw new UsageError(`no DMARC aggregate or TLS-RPT report found in ${where}`);
  }
  for (const d of result.domains) {
    if (ctx.json) {
      for (const row of d.sources) write(toNdjsonLine(row));
      for (const row of d.tlsFailures) write(toNdjsonLine(row));
      write(toNdjsonLine(d.summary));
    } else write(text!.renderReportDomain(d, ctx.theme, { top }));
  }
  if (ctx.json) write(toNdjsonLine(result.inputs));
  else write(text!.renderReportInputs(result.inputs, ctx.theme, seconds));
  flush();
  // Bad input outranks verdicts, as in verify: a path that does not exist is a mistake on the command line.
  if (result.pathErrors.length) return 2;
  const results: CheckResult[] = [
    ...result.domains.map((d) => ({ kind: 'report', findings: d.summary.findings })),
    { kind: 'inputs', findings: result.inputs.findings },
  ];
  return exitCode(results);
}

/** Seconds since the epoch: 2024-05-01, an ISO 8601 time, or "7d" / "24h" / "2w" before now. */
export function parseWhen(v: string, flag: string, now: Date): number {
  const rel = /^(\d{1,5})\s*([hdw])$/i.exec(v.trim());
  if (rel) {
    const unit = { h: 3600, d: 86400, w: 7 * 86400 }[rel[2]!.toLowerCase() as 'h' | 'd' | 'w'];
    return Math.floor(now.getTime() / 1000) - Number(rel[1]) * unit;
  }
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? `${v.trim()}T00:00:00Z` : v.trim();
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} '${v}' is not a date (2024-05-01, an ISO time, or 7d / 24h)`);
  return Math.floor(ms / 1000);
}

/** "16m", "512k", "1000" → bytes (1 KiB to 1 GiB). */
function byteSize(v: string): number {
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--max-size '${v}' is not a size in bytes (e.g. 512k, 16m)`);
  const n = Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  if (n < 1024 || n > 2 ** 30) throw new UsageError(`--max-size '${v}' is out of range (1k to 1g)`);
  return n;
}
