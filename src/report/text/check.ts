// The text report of `mailcheck check`: a one-screen summary first (a table: check, status, the one-line reason),
// then the details per check, then the verdict. Pure: (result, theme) → string.
import { escapeControl } from '../../core/text.js';
import { CHECK_LABELS, type CheckSummary, type PostureResult } from '../../posture/types.js';
import { heading, renderFindings, verdictLine } from '../steps.js';
import { fitTable, headerRules } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';
import { checkFacts } from './check-details.js';
import { renderTlsAudit } from './tls-audit.js';

export interface RenderPostureOptions {
  /** Terminal width (at most the theme's); the reason column wraps to fit. */
  width?: number;
  /** Summary only, no details. */
  summaryOnly?: boolean;
  /** Findings of severity ok/info too (default: only the ones that matter, plus every finding with --verbose). */
  all?: boolean;
}

export function renderPosture(r: PostureResult, t: Theme, o: RenderPostureOptions = {}): string {
  const out: string[] = [];
  out.push(heading(t, `Mail posture of ${r.domain}`) + t.dim(`  (${r.ms} ms)`), '');
  const width = Math.min(o.width ?? t.width, t.width);
  out.push(summaryTable(r.summary, t, width));
  if (!o.summaryOnly) {
    for (const s of r.summary) {
      const own = r.findings.filter((f) => f.check === s.check);
      const shown = o.all ? own : own.filter((f) => f.severity !== 'ok' || f.temporary);
      out.push(`${t.bold(CHECK_LABELS[s.check])}  ${statusCell(s, t)}`);
      for (const line of checkFacts(s.check, r.checks, t)) out.push(`    ${t.dim('·')} ${line}`);
      if (shown.length) out.push(renderFindings(shown, t, { indent: '    ' }).trimEnd());
      out.push('');
      if (s.check === 'smtp')
        for (const h of r.checks.smtp?.hosts ?? [])
          if (h.tlsAudit) out.push(...renderTlsAudit(h, t, { indent: '    ' }), '');
    }
    const general = r.findings.filter((f) => f.check === 'posture');
    if (general.length) out.push(renderFindings(general, t).trimEnd(), '');
  }
  out.push(verdictLine(r.findings, t));
  return fitLines(out.join('\n'), width) + '\n';
}

/** Check, status (symbol and word), reason: the reason column wraps so the table fits `width` columns. */
export function summaryTable(summary: readonly CheckSummary[], t: Theme, width: number): string {
  const rows = [
    [t.bold('Check'), t.bold('Status'), t.bold('Reason')],
    ...summary.map((s) => [CHECK_LABELS[s.check], statusCell(s, t), escapeControl(s.reason)]),
  ];
  return (
    fitTable(rows, { width, wrap: 2, indent: '', minWrap: 24, config: { drawHorizontalLine: headerRules } }) + '\n'
  );
}

/** ✓ pass · ! warn · i info · ✗ fail · ? unknown — symbol and word, so nothing is lost without colour. */
export function statusCell(s: Pick<CheckSummary, 'state'>, t: Theme): string {
  switch (s.state) {
    case 'fail':
      return t.fail('✗ fail');
    case 'unknown':
      return t.warn('? unknown');
    case 'warn':
      return t.warn('! warn');
    case 'info':
      return t.info('i info');
    default:
      return t.ok('✓ pass');
  }
}
