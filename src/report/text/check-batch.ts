// Batch text output of `mailcheck check --batch`: one line per domain as results stream in, and a summary
// table at the end (per check: pass, fail, unknown; the most common failures). Pure.
import { getBorderCharacters, table } from 'table';
import { escapeControl } from '../../core/text.js';
import type { BatchStats } from '../../posture/batch-stats.js';
import { checkEntries, checkLabel } from '../../posture/registry.js';
import type { PostureResult } from '../../posture/types.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';

/** "✗ weak.example  fail: DKIM, BIMI · unknown: MTA-STS · warn: SPF" */
export function renderPostureLine(r: PostureResult, t: Theme, width = 30): string {
  const name = escapeControl(r.domain).padEnd(width);
  const invalid = r.findings.find((f) => f.id === 'posture.input.invalid');
  if (invalid) return `${fitLines(`${t.fail('✗')} ${name} ${t.fail(escapeControl(invalid.message))}`, t.lineWidth)}\n`;
  const by = (pred: (s: PostureResult['summary'][number]) => boolean) =>
    r.summary.filter(pred).map((s) => checkLabel(s.check));
  const fail = by((s) => s.verdict === 'fail');
  const unknown = by((s) => s.verdict === 'unknown');
  const warn = by((s) => s.verdict === 'pass' && s.severity === 'warn');
  const parts = [
    fail.length && t.fail(`fail: ${fail.join(', ')}`),
    unknown.length && t.warn(`unknown: ${unknown.join(', ')}`),
    warn.length && t.warn(`warn: ${warn.join(', ')}`),
  ].filter(Boolean);
  let mark = t.ok('✓');
  if (fail.length) mark = t.fail('✗');
  else if (unknown.length) mark = t.warn('?');
  else if (warn.length) mark = t.warn('!');
  return `${fitLines(`${mark} ${name} ${parts.length ? parts.join(t.dim(' · ')) : t.ok('all checks pass')} ${t.dim(`${r.ms} ms`)}`, t.lineWidth)}\n`;
}

/** The closing table; without `seconds` (totals over saved results, `check --summary-of`) no time or rate. */
export function renderBatchSummary(s: BatchStats, t: Theme, o: { seconds?: number; queries?: number }): string {
  const rows = [[t.bold('Check'), t.bold('pass'), t.bold('fail'), t.bold('unknown')]];
  for (const { key: name } of checkEntries()) {
    const c = (s.perCheck as Record<string, Record<string, number> | undefined>)[name];
    if (!c) continue;
    rows.push([
      checkLabel(name),
      t.ok(String(c.pass)),
      c.fail ? t.fail(String(c.fail)) : '0',
      c.unknown ? t.warn(String(c.unknown)) : '0',
    ]);
  }
  const out: string[] = [''];
  let head = `${s.domains} domain${s.domains === 1 ? '' : 's'}`;
  if (o.seconds !== undefined) {
    const rate = o.seconds > 0 ? s.domains / o.seconds : 0;
    head += ` in ${o.seconds.toFixed(1)} s (${rate.toFixed(rate < 10 ? 1 : 0)}/s)`;
  }
  out.push(
    t.bold(head) +
      `: ${t.ok(`${s.ok} ok`)}, ${t.fail(`${s.failed} failed`)}, ${t.warn(`${s.unknown} unknown`)}${s.invalid ? `, ${t.fail(`${s.invalid} not a domain`)}` : ''}` +
      (o.queries !== undefined && s.domains
        ? t.dim(` · ${(o.queries / s.domains).toFixed(1)} DNS queries per domain`)
        : ''),
  );
  if (rows.length > 1) {
    out.push(
      table(rows, {
        border: getBorderCharacters('norc'),
        columns: { 1: { alignment: 'right' }, 2: { alignment: 'right' }, 3: { alignment: 'right' } },
        drawHorizontalLine: (i, size) => i === 0 || i === 1 || i === size,
      }).trimEnd(),
    );
  }
  const common = Object.entries(s.failures)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  if (common.length) {
    out.push(t.bold('Most common failures'));
    for (const [id, n] of common) out.push(`  ${String(n).padStart(6)}  ${id}`);
  }
  return out.join('\n') + '\n';
}
