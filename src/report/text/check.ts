// The text report of `mailcheck check`: a one-screen summary first (a table: check, status, the one-line reason),
// then the details per check, then the verdict. Brief (the default): the verdict in the first line, the table with
// one line per check, then what to fix, check by check. Pure: (result, theme) → string.
import { escapeControl } from '../../core/text.js';
import { checkLabel } from '../../posture/registry.js';
import type { CheckSummary, PostureResult } from '../../posture/types.js';
import { findingsToFix, notShownLine, renderFindings, reportHead, verdictLine } from '../steps.js';
import { fitTable, headerRules } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines, visibleLength } from '../wrap.js';
import { checkFacts } from './check-details.js';
import { renderTlsAudit, summaryLine } from './tls-audit.js';

export interface RenderPostureOptions {
  /** Terminal width (at most the theme's); the reason column wraps to fit. */
  width?: number;
  /** Summary only, no details. */
  summaryOnly?: boolean;
}

export function renderPosture(r: PostureResult, t: Theme, o: RenderPostureOptions = {}): string {
  const out: string[] = [];
  out.push(reportHead(t, `Mail posture of ${r.domain}`, verdictLine(r.findings, t)) + t.dim(`  (${r.ms} ms)`), '');
  // Which profile it was judged by, when not the full one (src/posture/profile.ts).
  if (r.profile && r.profile.name !== 'sending')
    out.push(`${t.bold('Profile')}  ${r.profile.name}: ${t.dim(escapeControl(r.profile.reason))}`, '');
  const width = Math.min(o.width ?? t.width, t.width);
  if (t.detail === 'brief') {
    out.push(summaryTable(r.summary, t, width, { oneLine: true }).trimEnd());
    if (!o.summaryOnly) out.push(...tlsAuditLines(r, t), ...whatToFix(r, t));
    return fitLines(out.join('\n'), width) + '\n';
  }
  out.push(summaryTable(r.summary, t, width));
  if (!o.summaryOnly) {
    for (const s of r.summary) {
      const shown = r.findings.filter((f) => f.check === s.check);
      out.push(`${t.bold(checkLabel(s.check))}  ${statusCell(s, t)}`);
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

/**
 * Brief, with --tls-audit: internet.nl's summary line for each audited MX address (the tables are --all's), so the
 * audit's verdict is read without its findings, which name only what to fix.
 */
function tlsAuditLines(r: PostureResult, t: Theme): string[] {
  const hosts = (r.checks.smtp?.hosts ?? []).filter((h) => h.tlsAudit);
  if (!hosts.length) return [];
  const out = ['', t.bold('TLS audit')];
  for (const h of hosts) {
    const a = h.tlsAudit!;
    const where = t.dim(`  [${escapeControl(h.address)}]:${h.port}, ${a.handshakes} handshakes`);
    out.push(`    ${summaryLine(h.exchange, a, t)}${where}`);
  }
  return out;
}

/**
 * Brief: the findings to act on, under their check (folded by kind), and a line saying what was left out: the
 * facts of each check, its notes and passes. New checks and findings fall into place: this reads only the result.
 */
function whatToFix(r: PostureResult, t: Theme): string[] {
  const out: string[] = [];
  let notes = 0;
  let passed = 0;
  for (const s of r.summary) {
    const own = findingsToFix(r.findings.filter((f) => f.check === s.check));
    notes += own.notes;
    passed += own.passed;
    if (!own.shown.length) continue;
    out.push(
      '',
      `${t.bold(checkLabel(s.check))}  ${statusCell(s, t)}`,
      renderFindings(own.shown, t, { indent: '    ' }).trimEnd(),
    );
  }
  const general = findingsToFix(r.findings.filter((f) => f.check === 'posture'));
  if (general.shown.length) out.push('', renderFindings(general.shown, t).trimEnd());
  const sections = ["each check's records and hosts"];
  if (r.checks.smtp?.hosts.some((h) => h.tlsAudit)) sections.push("each MX address's TLS audit table");
  const more = notShownLine(t, { notes: notes + general.notes, passed: passed + general.passed, sections });
  if (more) out.push('', more);
  return out;
}

/**
 * Check, status (symbol and word), reason: the reason column wraps so the table fits `width` columns; with
 * `oneLine` (brief) a reason is cut at a word to its first line, since every warning and failure is printed whole
 * below the table.
 */
export function summaryTable(
  summary: readonly CheckSummary[],
  t: Theme,
  width: number,
  o: { oneLine?: boolean } = {},
): string {
  const rows = [
    [t.bold('Check'), t.bold('Status'), t.bold('Reason')],
    ...summary.map((s) => [checkLabel(s.check), statusCell(s, t), escapeControl(s.reason)]),
  ];
  if (o.oneLine) {
    // What the reason column gets: the width less the first two columns and the borders and padding (10).
    const first = Math.max(...rows.map((r) => visibleLength(r[0]!)));
    const second = Math.max(...rows.map((r) => visibleLength(r[1]!)));
    const room = Math.max(24, width - first - second - 10);
    for (const row of rows.slice(1)) row[2] = firstLine(row[2]!, room);
  }
  return (
    fitTable(rows, { width, wrap: 2, indent: '', minWrap: 24, config: { drawHorizontalLine: headerRules } }) + '\n'
  );
}

/** The text cut at a word to fit `room` columns, with "…" when anything was cut. */
function firstLine(text: string, room: number): string {
  if (text.length <= room) return text;
  const cut = text.lastIndexOf(' ', room - 1);
  return `${text.slice(0, cut > room / 2 ? cut : room - 1).replace(/[\s,;:.]+$/, '')}…`;
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
