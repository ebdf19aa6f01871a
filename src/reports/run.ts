// `report` from paths to results: list → read one input at a time → unpack → aggregate as we go → per domain,
// classify the sources (DNS) and give the verdict; TLS-RPT failures optionally joined to a probe of the MX now.
import type { Context } from '../core/context.js';
import { definedOnly } from '../core/object.js';
import { finding, type Finding } from '../core/result.js';
import {
  counts,
  isoDate,
  ReportAggregator,
  toSourceRow,
  toTlsRow,
  type DateWindow,
  type DomainAcc,
} from './aggregate.js';
import { classifySources, lookupPosture } from './classify.js';
import type { DomainSummary, InputsSummary, SourceRow, TlsFailureRow } from './model.js';
import { listInputs, readInputs, type InputError } from './sources.js';
import { DEFAULT_LIMITS, unpackReports, type InputProblem, type UnpackLimits } from './unpack.js';
import { dmarcVerdict, domainFindings, groupTotals, thousands } from './verdict.js';
import type { TlsNowOptions } from './tls-now.js';

export interface ReportRunOptions {
  window?: DateWindow;
  limits?: UnpackLimits;
  /** Join TLS-RPT failures to a probe of the MX now. */
  smtp?: boolean | TlsNowOptions;
  /** Look up PTR, SPF, MX and the DMARC record (default true). */
  lookups?: boolean;
  /** After each input file is read; then once per source classified (phase 'sources'). */
  onProgress?: (phase: 'inputs' | 'sources', done: number, total: number) => void;
  /** Each unreadable input as it is met (for a stderr line). */
  onProblem?: (p: InputProblem) => void;
}

export interface ReportRun {
  domains: { summary: DomainSummary; sources: SourceRow[]; tlsFailures: TlsFailureRow[] }[];
  inputs: InputsSummary;
  /** Paths that do not exist or cannot be listed. */
  pathErrors: InputError[];
}

const MAX_PROBLEMS_LISTED = 100;

export async function runReports(paths: readonly string[], ctx: Context, o: ReportRunOptions = {}): Promise<ReportRun> {
  const { files, errors } = await listInputs(paths);
  const limits = o.limits ?? DEFAULT_LIMITS;
  const agg = new ReportAggregator(o.window);
  const inputs: InputsSummary = {
    type: 'inputs',
    files: files.length,
    reports: 0,
    duplicates: 0,
    outOfRange: 0,
    messagesWithoutReport: 0,
    unreadable: 0,
    problems: [],
    findings: [],
  };
  const problem = (p: InputProblem) => {
    if (p.code === 'no-report-in-message') {
      inputs.messagesWithoutReport++;
      return;
    }
    inputs.unreadable++;
    if (inputs.problems.length < MAX_PROBLEMS_LISTED)
      inputs.problems.push({ input: p.label, code: p.code, message: p.message });
    o.onProblem?.(p);
  };
  let done = 0;
  for await (const input of readInputs(files, limits.maxTotalBytes)) {
    if ('error' in input)
      problem({ label: input.label, code: input.tooLarge ? 'too-large' : 'malformed', message: input.error });
    else {
      const u = unpackReports(input.data, input.label, limits);
      for (const p of u.problems) problem(p);
      for (const r of u.reports) agg.add(r.report);
    }
    // mbox files yield several inputs; progress counts files.
    if (!('data' in input) || !input.label.includes(' #') || input.label.endsWith(' #1'))
      o.onProgress?.('inputs', ++done, files.length);
  }
  inputs.reports = agg.reports;
  inputs.duplicates = agg.duplicates;
  inputs.outOfRange = agg.outOfRange;
  inputs.findings = inputFindings(inputs);

  const domains: ReportRun['domains'] = [];
  const accs = [...agg.domains.values()].sort((a, b) => (a.domain < b.domain ? -1 : 1));
  const totalSources = accs.reduce((n, d) => n + d.sources.size, 0);
  let classified = 0;
  for (const acc of accs) {
    domains.push(await summarizeDomain(acc, ctx, o, () => o.onProgress?.('sources', ++classified, totalSources)));
  }
  return { domains, inputs, pathErrors: errors };
}

async function summarizeDomain(acc: DomainAcc, ctx: Context, o: ReportRunOptions, tick: () => void) {
  const sources = [...acc.sources.values()].map((s) => toSourceRow(acc.domain, s));
  const findings: Finding[] = [];
  let current: DomainSummary['current'];
  if (o.lookups !== false && acc.dmarcReports) {
    const posture = await lookupPosture(acc.domain, sources, ctx.resolver);
    const { temporary } = await classifySources(sources, posture, ctx, tick);
    const { checkDmarc } = await import('../auth/dmarc/check.js');
    const d = await checkDmarc(acc.domain, ctx);
    current = { record: d.record, policy: d.policy };
    // A lookup that timed out says nothing about the record: "no DMARC record" would be a guess.
    const dmarcTemporary = d.findings.some((f) => f.temporary);
    if (dmarcTemporary) current.temporary = true;
    const failed: string[] = [];
    if (temporary)
      failed.push(`${thousands(temporary)} source${temporary === 1 ? '' : 's'} (their grouping may be wrong)`);
    if (posture.temporary) failed.push(`the MX of ${acc.domain} (sources at its addresses may be misgrouped)`);
    if (dmarcTemporary) failed.push(`the DMARC record of ${acc.domain} (the policy in DNS now is unknown)`);
    if (failed.length)
      findings.push(
        finding('report.dns.temporary', 'warn', `DNS failed temporarily for ${failed.join('; ')}`, {
          temporary: true,
        }),
      );
  } else {
    for (const r of sources) {
      r.why = r.group === 'aligned' ? 'the reporters say DMARC passed' : 'not classified (no DNS lookups)';
      tick();
    }
  }
  sources.sort((a, b) => b.messages - a.messages || (a.ip < b.ip ? -1 : 1));
  const published = acc.published
    ? pick(acc.published.policy, ['p', 'sp', 'np', 'pct', 'adkim', 'aspf'] as const)
    : null;
  const groups = groupTotals(sources);
  const dmarcPass = sources.reduce((n, r) => n + r.dmarc.pass, 0);
  const messages = sources.reduce((n, r) => n + r.messages, 0);
  const tlsFailures = acc.tls
    ? [...acc.tls.failures.values()].map((t) => toTlsRow(acc.domain, t)).sort((a, b) => b.sessions - a.sessions)
    : [];
  if (o.smtp && tlsFailures.length) {
    const { tlsNow } = await import('./tls-now.js');
    await tlsNow(acc.domain, tlsFailures, ctx, typeof o.smtp === 'object' ? o.smtp : {});
  }
  const summary: DomainSummary = definedOnly({
    type: 'domain',
    domain: acc.domain,
    first: isoDate(acc.first),
    last: isoDate(acc.last),
    reports: { dmarc: acc.dmarcReports, tlsrpt: acc.tlsReports },
    reporters: [...acc.reporters.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([name, reports]) => ({ name, reports })),
    published,
    current,
    messages,
    dmarc: { pass: dmarcPass, fail: messages - dmarcPass },
    groups,
    verdict: acc.dmarcReports && o.lookups !== false ? dmarcVerdict(sources, published) : null,
    tls: acc.tls ? tlsTotals(acc.tls.successful, acc.tls.failed, tlsFailures) : null,
    missing: Object.fromEntries(acc.missing),
    findings,
  });
  if (acc.dmarcReports) summary.findings.push(...domainFindings(summary));
  summary.findings.push(...tlsFindings(acc.domain, tlsFailures, !!o.smtp));
  return { summary, sources, tlsFailures };
}

function tlsTotals(
  successful: number,
  failed: number,
  rows: readonly TlsFailureRow[],
): NonNullable<DomainSummary['tls']> {
  const byType = counts();
  const byMx = counts();
  for (const r of rows) {
    byType[r.resultType] = (byType[r.resultType] ?? 0) + r.sessions;
    byMx[r.mx] = (byMx[r.mx] ?? 0) + r.sessions;
  }
  return { successful, failed, byType, byMx };
}

function tlsFindings(domain: string, rows: readonly TlsFailureRow[], probed: boolean): Finding[] {
  if (!rows.length) return [];
  const out: Finding[] = [];
  const still = rows.filter((r) => r.now?.status === 'still-failing');
  const fixed = rows.filter((r) => r.now?.status === 'fixed');
  const sessions = rows.reduce((n, r) => n + r.sessions, 0);
  const kinds = [...new Set(rows.map((r) => r.resultType))].join(', ');
  if (!probed)
    out.push(
      finding(
        'report.tls.failures',
        'warn',
        `${thousands(sessions)} TLS sessions to ${domain}'s MX failed (${kinds})`,
        { advice: 'run with --smtp to see whether the MX still fails', ref: 'RFC 8460 §4.3' },
      ),
    );
  for (const r of still)
    out.push(
      finding('report.tls.still-failing', 'fail', `${r.resultType} at ${r.mx}: ${r.now!.message}`, {
        ref: 'RFC 8460 §4.3',
      }),
    );
  for (const r of fixed) out.push(finding('report.tls.fixed', 'ok', `${r.resultType} at ${r.mx}: ${r.now!.message}`));
  return out;
}

function inputFindings(i: InputsSummary): Finding[] {
  const out: Finding[] = [];
  if (i.unreadable)
    out.push(
      finding(
        'report.input.unreadable',
        'warn',
        `${i.unreadable} input${i.unreadable === 1 ? '' : 's'} could not be read as reports`,
      ),
    );
  if (i.duplicates)
    out.push(
      finding(
        'report.input.duplicate',
        'info',
        `${i.duplicates} duplicate report${i.duplicates === 1 ? '' : 's'} counted once`,
      ),
    );
  if (i.outOfRange)
    out.push(
      finding(
        'report.input.out-of-range',
        'info',
        `${i.outOfRange} report${i.outOfRange === 1 ? '' : 's'} outside --since/--until left out`,
      ),
    );
  return out;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
