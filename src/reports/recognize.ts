// `receive --reports`: is this message a DMARC aggregate or TLS-RPT report (by content: an attachment that parses
// as one, whatever the address), and if so its one-line summary: reporter, domain, range, messages, failures.
import { isoDate, rowVerdict } from './aggregate.js';
import type { ParsedReport } from './types.js';
import { unpackReports, type UnpackLimits } from './unpack.js';

export interface ReportSummary {
  kind: 'dmarc' | 'tlsrpt';
  reporter: string | null;
  domain: string | null;
  reportId: string | null;
  begin: string | null;
  end: string | null;
  /** Reports in the message (the summary is of the first; the counts are of all). */
  reports: number;
  /** DMARC: messages reported, those that failed DMARC, and the sources (IPs) they came from. */
  messages?: number;
  failingMessages?: number;
  failingSources?: number;
  /** TLS-RPT: sessions reported, and those that failed. */
  sessions?: number;
  failedSessions?: number;
}

/** A receiver reads attachments from strangers: smaller caps than the `report` command's. */
const RECEIVE_LIMITS: UnpackLimits = { maxDocumentBytes: 4 * 2 ** 20, maxTotalBytes: 16 * 2 ** 20 };

/**
 * The summary of the report(s) a message carries; `{ error }` when it carries a report-like attachment that
 * cannot be read; undefined when it is not a report message.
 */
export function recognizeReport(raw: Buffer): ReportSummary | { error: string } | undefined {
  const u = unpackReports(raw, 'message', RECEIVE_LIMITS);
  if (!u.reports.length) {
    const real = u.problems.find((p) => p.code !== 'no-report-in-message' && p.code !== 'not-a-report');
    return real ? { error: real.message } : undefined;
  }
  const reports = u.reports.map((r) => r.report);
  const first = reports[0]!;
  const summary: ReportSummary = {
    kind: first.kind,
    reporter: first.orgName ?? null,
    domain: domainOf(first),
    reportId: first.reportId ?? null,
    begin: isoDate(first.begin),
    end: isoDate(first.end),
    reports: reports.length,
  };
  if (first.kind === 'dmarc') {
    let messages = 0;
    let failing = 0;
    const sources = new Set<string>();
    for (const r of reports) {
      if (r.kind !== 'dmarc') continue;
      const domain = r.policy.domain ?? r.records[0]?.headerFrom ?? '';
      for (const row of r.records) {
        messages += row.count;
        // The same verdict `report` gives the row (alignment from auth_results when policy_evaluated is missing).
        if (!rowVerdict(row, domain).pass) {
          failing += row.count;
          sources.add(row.sourceIp);
        }
      }
    }
    Object.assign(summary, { messages, failingMessages: failing, failingSources: sources.size });
  } else {
    let ok = 0;
    let failed = 0;
    for (const r of reports) {
      if (r.kind !== 'tlsrpt') continue;
      for (const p of r.policies) {
        ok += p.successfulSessions;
        failed += p.failedSessions;
      }
    }
    Object.assign(summary, { sessions: ok + failed, failedSessions: failed });
  }
  return summary;
}

function domainOf(r: ParsedReport): string | null {
  if (r.kind === 'dmarc') return r.policy.domain ?? r.records[0]?.headerFrom ?? null;
  return r.policies[0]?.policyDomain ?? null;
}
