// `mailcheck report` as text: per domain, the sources table (DMARC aggregate reports, RFC 7489 / RFC 9990), the
// groups, the verdict with what to fix first, TLS-RPT failures by MX and type (RFC 8460); then what could not be
// read. Everything from reports and DNS is untrusted text: escaped.
import { escapeControl } from '../../core/text.js';
import type { DomainSummary, InputsSummary, SourceRow, TlsFailureRow } from '../../reports/model.js';
import type { ReportSummary } from '../../reports/recognize.js';
import { thousands } from '../../reports/verdict.js';
import { heading, renderFindings } from '../steps.js';
import { fitTable, headerRules } from '../table.js';
import type { Theme } from '../theme.js';
import { wrapText } from '../wrap.js';

const GROUP_LABEL: Record<SourceRow['group'], string> = {
  aligned: 'aligned',
  own: 'own, fails',
  forwarder: 'forwarder',
  unknown: 'unknown',
};

export interface ReportTextOptions {
  /** Source rows shown per domain (0: all). */
  top: number;
}

export function renderReportDomain(
  d: { summary: DomainSummary; sources: readonly SourceRow[]; tlsFailures: readonly TlsFailureRow[] },
  t: Theme,
  o: ReportTextOptions,
): string {
  const s = d.summary;
  const e = escapeControl;
  const out: string[] = [];
  const range = s.first && s.last ? `${s.first.slice(0, 10)} → ${s.last.slice(0, 10)}` : 'no date range';
  const reports = [
    s.reports.dmarc ? `${s.reports.dmarc} DMARC` : '',
    s.reports.tlsrpt ? `${s.reports.tlsrpt} TLS-RPT` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const count = s.reports.dmarc + s.reports.tlsrpt;
  out.push(heading(t, s.domain) + t.dim(`  ${range} · ${reports} report${count === 1 ? '' : 's'}`));
  out.push(
    ...wrapText(
      `${s.reporters
        .slice(0, 6)
        .map((r) => `${e(r.name)}\u00a0(${r.reports})`) // a name and its count stay on one line
        .join(', ')}${s.reporters.length > 6 ? ', …' : ''}`,
      t.width,
      `  ${t.dim(`${s.reporters.length} reporter${s.reporters.length === 1 ? '' : 's'}:`)} `,
      '    ',
    ),
  );
  if (s.reports.dmarc) {
    const pub = s.published;
    const policy = pub
      ? `p=${e(pub.p ?? '?')}${pub.sp ? ` sp=${e(pub.sp)}` : ''}${pub.pct !== undefined && pub.pct !== 100 ? ` pct=${pub.pct}` : ''}`
      : 'not given';
    let now = '';
    if (s.current?.temporary) now = ' · in DNS now: unknown (the lookup failed)';
    else if (s.current) now = ` · in DNS now: ${s.current.policy ? `p=${e(s.current.policy)}` : 'no DMARC record'}`;
    out.push(...wrapText(`${policy}${now}`, t.width, `  ${t.dim('policy in the reports:')} `, '    '));
    out.push(
      `  ${t.bold(thousands(s.messages))} messages: ${t.ok(`${thousands(s.dmarc.pass)} pass`)} DMARC, ${s.dmarc.fail ? t.fail(`${thousands(s.dmarc.fail)} fail`) : '0 fail'}`,
    );
    out.push('', sourcesTable(d.sources, s.messages, t, o.top));
    out.push('', groupsLine(s, t));
    if (s.verdict) {
      const v = s.verdict;
      const tone = (x: string) => {
        if (v.rejectReady) return t.ok(x);
        return v.quarantineReady ? t.warn(x) : t.fail(x);
      };
      out.push('', ...wrapText(e(v.summary), t.width, `  ${t.bold('Verdict:')} `, '    ', tone));
      if (v.fixFirst.length) {
        out.push(`  ${t.dim('Fix first:')}`);
        v.fixFirst.forEach((f, i) => {
          const head = `${f.ip}${f.name ? ` (${e(f.name)})` : ''}, ${thousands(f.messages)} message${f.messages === 1 ? '' : 's'}: ${e(f.why)}`;
          out.push(...wrapText(head, t.width, `    ${i + 1}. `, '       '));
          const action = f.fix
            ? f.fix.action
            : 'a forwarder: nothing to publish; ARC-trusting receivers keep this mail';
          out.push(...wrapText(e(action), t.width, `       ${t.accent('→')} `, '         '));
        });
      }
    }
  }
  if (s.tls) {
    const total = s.tls.successful + s.tls.failed;
    out.push(
      '',
      `  ${t.bold('TLS-RPT')} ${thousands(total)} sessions: ${t.ok(`${thousands(s.tls.successful)} ok`)}, ${s.tls.failed ? t.fail(`${thousands(s.tls.failed)} failed`) : '0 failed'}`,
    );
    if (d.tlsFailures.length) out.push(tlsTable(d.tlsFailures, t));
  }
  if (s.findings.length) out.push('', renderFindings(s.findings, t).trimEnd());
  return out.join('\n') + '\n\n';
}

function sourcesTable(rows: readonly SourceRow[], total: number, t: Theme, top: number): string {
  const e = escapeControl;
  const shown = top > 0 ? rows.slice(0, top) : rows;
  const pct = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}%` : '-');
  const body = shown.map((r) => {
    const name = r.name ? e(r.name) : t.dim(r.ptr[0] ? `${e(r.ptr[0])} (unconfirmed)` : '-');
    const dispositions = Object.entries(r.disposition)
      .sort((a, b) => b[1] - a[1])
      .map(([k]) => e(k))
      .join(', ');
    const group = GROUP_LABEL[r.group];
    let groupText = t.fail(group);
    if (r.group === 'aligned') groupText = t.ok(group);
    else if (r.group === 'forwarder') groupText = t.warn(group);
    return [
      r.ip,
      name,
      `${thousands(r.messages)}${t.dim(` ${pct(r.messages, total)}`)}`,
      pct(r.aligned.spf, r.messages),
      pct(r.aligned.dkim, r.messages),
      dispositions || '-',
      groupText,
    ];
  });
  const head = ['source', 'reverse name', 'messages', 'SPF ✓', 'DKIM ✓', 'applied', 'group'].map((h) => t.dim(h));
  let text = fitTable([head, ...body], {
    width: t.width,
    wrap: [1],
    drop: [5],
    minWrap: 14,
    config: { drawHorizontalLine: headerRules },
  });
  if (shown.length < rows.length)
    text += `\n  ${t.dim(`… ${rows.length - shown.length} more source${rows.length - shown.length === 1 ? '' : 's'} (--top 0 shows all, --json gives every row)`)}`;
  return text;
}

function groupsLine(s: DomainSummary, t: Theme): string {
  const g = s.groups;
  const share = (n: number) => (s.messages ? ` (${((n / s.messages) * 100).toFixed(1)}%)` : '');
  const part = (label: string, n: number, sources: number) =>
    `${label} ${thousands(n)}${share(n)}${t.dim(` from ${sources} source${sources === 1 ? '' : 's'}`)}`;
  return [
    `  ${t.ok('●')} ${part('aligned and passing', g.aligned.messages, g.aligned.sources)}`,
    `  ${g.own.messages ? t.fail('●') : t.dim('●')} ${part('own infrastructure failing', g.own.messages, g.own.sources)}`,
    `  ${g.forwarder.messages ? t.warn('●') : t.dim('●')} ${part('forwarders and lists', g.forwarder.messages, g.forwarder.sources)}`,
    `  ${g.unknown.messages ? t.fail('●') : t.dim('●')} ${part('unknown senders failing (spoofing?)', g.unknown.messages, g.unknown.sources)}`,
  ].join('\n');
}

function tlsTable(rows: readonly TlsFailureRow[], t: Theme): string {
  const e = escapeControl;
  const body = rows.map((r) => {
    let now = t.dim('run with --smtp');
    if (r.now?.status === 'fixed') now = t.ok(`✓ ${e(r.now.message)}`);
    else if (r.now?.status === 'still-failing') now = t.fail(`✗ ${e(r.now.message)}`);
    else if (r.now) now = t.warn(`? ${e(r.now.message)}`);
    return [e(r.mx), e(r.resultType), thousands(r.sessions), now];
  });
  return fitTable([['MX', 'failure', 'sessions', 'now'].map((h) => t.dim(h)), ...body], {
    width: t.width,
    wrap: [3, 0],
    minWrap: 16,
    config: { drawHorizontalLine: headerRules },
  });
}

export function renderReportInputs(i: InputsSummary, t: Theme, seconds: number): string {
  const out: string[] = [];
  const rate = seconds > 0.05 ? t.dim(` in ${seconds.toFixed(1)} s (${thousands(i.reports / seconds)} reports/s)`) : '';
  out.push(
    `${t.bold(`${thousands(i.reports)} report${i.reports === 1 ? '' : 's'}`)} read from ${thousands(i.files)} file${i.files === 1 ? '' : 's'}${rate}` +
      (i.messagesWithoutReport ? t.dim(` · ${i.messagesWithoutReport} messages without a report skipped`) : ''),
  );
  for (const p of i.problems.slice(0, 10))
    out.push(
      ...wrapText(`${escapeControl(p.input)}: ${escapeControl(p.message)}`, t.width, `  ${t.warn('!')} `, '    '),
    );
  if (i.unreadable > 10) out.push(`  ${t.dim(`… ${i.unreadable - 10} more (--json lists up to 100)`)}`);
  const rest = i.findings.filter((f) => f.id !== 'report.input.unreadable');
  if (rest.length) out.push(renderFindings(rest, t).trimEnd());
  return out.join('\n') + '\n';
}

/** `receive --reports`: the line under a stored message that is a report. */
export function renderReportArrival(r: ReportSummary | { error: string }, t: Theme): string {
  const e = escapeControl;
  if ('error' in r) return `    ${t.warn('! report')} ${t.dim(`could not be read: ${e(r.error)}`)}\n`;
  const range = r.begin && r.end ? ` ${r.begin.slice(0, 10)} → ${r.end.slice(0, 10)}` : '';
  const who = `${e(r.reporter ?? '(unnamed reporter)')} for ${e(r.domain ?? '(no domain)')}${range}`;
  const more = r.reports > 1 ? t.dim(` (+${r.reports - 1} more report${r.reports === 2 ? '' : 's'})`) : '';
  if (r.kind === 'dmarc') {
    const failing = r.failingMessages
      ? t.fail(
          `${thousands(r.failingMessages)} failing from ${r.failingSources} source${r.failingSources === 1 ? '' : 's'}`,
        )
      : t.ok('none failing');
    return `    ${t.accent('DMARC report')} ${who}: ${thousands(r.messages ?? 0)} messages, ${failing}${more}\n`;
  }
  const failed = r.failedSessions ? t.fail(`${thousands(r.failedSessions)} failed`) : t.ok('none failed');
  return `    ${t.accent('TLS-RPT report')} ${who}: ${thousands(r.sessions ?? 0)} sessions, ${failed}${more}\n`;
}
