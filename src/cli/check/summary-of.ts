// `check --summary-of a.ndjson b.ndjson …`: the totals and exit code of a batch run in pieces (shards on a job
// engine, a resumed run), from the JSON lines the pieces wrote, as one run over the whole list would have given
// them. A domain found in two files counts once; a file cut off mid-line is an error, not a total.
import { UsageError } from '../../core/errors.js';
import { addTally, createBatchStats, tallyOf } from '../../posture/batch-stats.js';
import { partialTail, readResults, resultKey } from '../../posture/results-file.js';
import { renderBatchSummary } from '../../report/text/check-batch.js';
import type { CliContext } from '../context.js';
import { exitCode } from '../exit-code.js';

export async function runSummaryOf(files: string[], ctx: CliContext, o: { strict: boolean }): Promise<number> {
  const stats = createBatchStats();
  const seen = new Set<string>();
  let code: 0 | 1 | 3 = 0;
  let repeated = 0;
  for (const file of files) {
    if (await partialTail(file).catch(() => 0))
      throw new UsageError(
        `${file} ends in a half-written line (a run killed while writing?): finish it with --resume ${file}`,
      );
    for await (const r of readResults(file)) {
      const t = tallyOf(r);
      // Lines that were not domain names are input lines, each counted as one run would; domains once.
      if (!t.invalid) {
        const key = resultKey(r);
        if (seen.has(key)) {
          repeated++;
          continue;
        }
        seen.add(key);
      }
      addTally(stats, t);
      const c = exitCode([r], { strict: o.strict });
      if (c === 1 || (c === 3 && code === 0)) code = c;
    }
  }
  if (ctx.json) process.stdout.write(JSON.stringify({ kind: 'batch-summary', files, ...stats }) + '\n');
  else process.stdout.write(renderBatchSummary(stats, ctx.theme, {}));
  if (repeated)
    process.stderr.write(
      `mailcheck: ${repeated} line${repeated > 1 ? 's' : ''} repeated a domain already counted (overlapping files?)\n`,
    );
  if (stats.invalid)
    process.stderr.write(
      `mailcheck: ${stats.invalid} input line${stats.invalid > 1 ? 's were' : ' was'} not a domain name\n`,
    );
  return code;
}
