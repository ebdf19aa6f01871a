// TLS-RPT JSON (RFC 8460 §4.4) → TlsRptReport, leniently: snake_case and camelCase spellings of the field names
// are accepted beside the RFC's kebab-case, missing fields are listed, and sizes are bounded.
import { clipField, ReportFormatError, timestamp } from './dmarc-parse.js';
import type { TlsRptFailure, TlsRptPolicy, TlsRptReport } from './types.js';

const MAX_POLICIES = 256;
const MAX_FAILURES = 1024;

type Json = Record<string, unknown>;

export function parseTlsRptReport(text: string): TlsRptReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ReportFormatError('json', `not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !Array.isArray(field(doc, 'policies')))
    throw new ReportFormatError('not-tlsrpt', 'the JSON is not a TLS-RPT report (no "policies" list)');
  const missing = new Set<string>();
  const range = field(doc, 'date-range');
  const report: TlsRptReport = {
    kind: 'tlsrpt',
    policies: [],
    missing: [],
  };
  const org = str(field(doc, 'organization-name'));
  if (org) report.orgName = org;
  else missing.add('organization-name');
  const contact = str(field(doc, 'contact-info'));
  if (contact) report.contactInfo = contact;
  const id = str(field(doc, 'report-id'));
  if (id) report.reportId = id;
  else missing.add('report-id');
  if (isObject(range)) {
    const begin = timestamp(str(field(range, 'start-datetime')));
    const end = timestamp(str(field(range, 'end-datetime')));
    if (begin !== undefined) report.begin = begin;
    if (end !== undefined) report.end = end;
  }
  if (report.begin === undefined || report.end === undefined) missing.add('date-range');
  for (const p of (field(doc, 'policies') as unknown[]).slice(0, MAX_POLICIES)) {
    if (!isObject(p)) continue;
    report.policies.push(parsePolicy(p, missing));
  }
  report.missing = [...missing].sort();
  return report;
}

function parsePolicy(p: Json, missing: Set<string>): TlsRptPolicy {
  const policy = isObject(field(p, 'policy')) ? (field(p, 'policy') as Json) : {};
  const summary = isObject(field(p, 'summary')) ? (field(p, 'summary') as Json) : undefined;
  if (!summary) missing.add('policies/summary');
  const out: TlsRptPolicy = {
    mxHosts: strings(field(policy, 'mx-host') ?? field(policy, 'mx-host-pattern')),
    successfulSessions: count(summary && field(summary, 'total-successful-session-count')),
    failedSessions: count(summary && field(summary, 'total-failure-session-count')),
    failures: [],
  };
  const type = str(field(policy, 'policy-type'))?.toLowerCase();
  if (type) out.policyType = type;
  else missing.add('policies/policy/policy-type');
  const domain = str(field(policy, 'policy-domain'))?.toLowerCase().replace(/\.$/, '');
  if (domain) out.policyDomain = domain;
  else missing.add('policies/policy/policy-domain');
  const details = field(p, 'failure-details');
  if (Array.isArray(details)) {
    for (const d of details.slice(0, MAX_FAILURES)) {
      if (!isObject(d)) continue;
      const f: TlsRptFailure = {
        resultType: str(field(d, 'result-type'))?.toLowerCase() ?? 'unknown',
        failedSessions: count(field(d, 'failed-session-count')),
      };
      if (!str(field(d, 'result-type'))) missing.add('failure-details/result-type');
      const copy = (key: string, to: keyof TlsRptFailure) => {
        const v = str(field(d, key));
        if (v) (f as unknown as Record<string, string>)[to] = v;
      };
      copy('sending-mta-ip', 'sendingMtaIp');
      copy('receiving-mx-hostname', 'receivingMxHostname');
      copy('receiving-mx-helo', 'receivingMxHelo');
      copy('receiving-ip', 'receivingIp');
      copy('additional-information', 'additionalInformation');
      copy('failure-reason-code', 'failureReasonCode');
      if (f.receivingMxHostname) f.receivingMxHostname = f.receivingMxHostname.toLowerCase().replace(/\.$/, '');
      out.failures.push(f);
    }
  }
  return out;
}

/** The RFC's kebab-case name, or the snake_case / camelCase spelling some senders use. */
function field(o: Json, name: string): unknown {
  if (name in o) return o[name];
  const snake = name.replace(/-/g, '_');
  if (snake in o) return o[snake];
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return o[camel];
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, trimmed and clipped (a field is no place for a megabyte). */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return clipField(v.trim()) || undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [clipField(v)];
  return Array.isArray(v)
    ? v
        .filter((x): x is string => typeof x === 'string')
        .slice(0, 64)
        .map((x) => clipField(x))
    : [];
}

function count(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}
