// The text report of `mailcheck check`: a one-screen summary first (a table: check, status, the one-line reason),
// then the details per check, then the verdict. Pure: (result, theme) → string.
import { getBorderCharacters, table } from 'table';
import { escapeControl } from '../../core/text.js';
import { CHECK_LABELS, type CheckSummary, type PostureResult } from '../../posture/types.js';
import { heading, renderFindings, verdictLine } from '../steps.js';
import type { Theme } from '../theme.js';
import { checkFacts } from './check-details.js';

export interface RenderPostureOptions {
  /** Terminal width; the reason column wraps to fit. */
  width?: number;
  /** Summary only, no details. */
  summaryOnly?: boolean;
  /** Findings of severity ok/info too (default: only the ones that matter, plus every finding with --verbose). */
  all?: boolean;
}

export function renderPosture(r: PostureResult, t: Theme, o: RenderPostureOptions = {}): string {
  const out: string[] = [];
  out.push(heading(t, `Mail posture of ${r.domain}`) + t.dim(`  (${r.ms} ms)`), '');
  out.push(summaryTable(r.summary, t, o.width ?? 100));
  if (!o.summaryOnly) {
    for (const s of r.summary) {
      const own = r.findings.filter((f) => f.check === s.check);
      const shown = o.all ? own : own.filter((f) => f.severity !== 'ok' || f.temporary);
      out.push(`${t.bold(CHECK_LABELS[s.check])}  ${statusCell(s, t)}`);
      for (const line of checkFacts(s.check, r.checks, t)) out.push(`    ${t.dim('·')} ${line}`);
      if (shown.length) out.push(renderFindings(shown, t, { indent: '    ' }).trimEnd());
      out.push('');
    }
    const general = r.findings.filter((f) => f.check === 'posture');
    if (general.length) out.push(renderFindings(general, t).trimEnd(), '');
  }
  out.push(verdictLine(r.findings, t));
  return out.join('\n') + '\n';
}

export function summaryTable(summary: readonly CheckSummary[], t: Theme, width: number): string {
  const reasonWidth = Math.max(30, Math.min(90, width - 30));
  const rows = [
    [t.bold('Check'), t.bold('Status'), t.bold('Reason')],
    ...summary.map((s) => [CHECK_LABELS[s.check], statusCell(s, t), escapeControl(s.reason)]),
  ];
  return table(rows, {
    border: getBorderCharacters('norc'),
    columns: { 2: { width: reasonWidth, wrapWord: true } },
    drawHorizontalLine: (i, size) => i === 0 || i === 1 || i === size,
  });
}

/** ✓ pass · ! warn · i info · ✗ fail · ? unknown — symbol and word, so nothing is lost without colour. */
export function statusCell(s: Pick<CheckSummary, 'state'>, t: Theme): string {
  switch (s.state) {
    case 'fail': return t.fail('✗ fail');
    case 'unknown': return t.warn('? unknown');
    case 'warn': return t.warn('! warn');
    case 'info': return t.info('i info');
    default: return t.ok('✓ pass');
  }
}
