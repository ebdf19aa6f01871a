// DMARC aggregate report XML → DmarcAggregateReport: RFC 7489 Appendix C, RFC 9990 (dmarc-2.0 namespace) and the
// 2012 draft, read leniently — reporters leave fields out and misspell values; what a required field lacks is
// listed in `missing`, and a record without a source IP is skipped and counted, never a crash.
import { isIP } from 'node:net';
import { child, childrenNamed, parseXml, textOf as rawTextOf, type XmlElement } from './xml.js';
import type { AuthVerdict, DmarcAggregateReport, DmarcDisposition, DmarcRecordRow } from './types.js';

export class ReportFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bounds what one hostile report can make us hold: the schema's own lists are small. */
const MAX_AUTH_RESULTS = 32;
const MAX_REASONS = 16;
/**
 * The longest text kept of one field. Nothing in the schema needs more (a domain is at most 253 octets); without a
 * bound, a 1 KB gzip whose org_name unpacks to a megabyte is a megabyte held per report (300 such reports: 2.1 GB).
 */
export const MAX_FIELD_CHARS = 512;

/** `s` cut to MAX_FIELD_CHARS, marked with … when it was longer. */
export function clipField(s: string): string;
export function clipField(s: string | undefined): string | undefined;
export function clipField(s: string | undefined): string | undefined {
  return s !== undefined && s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}…` : s;
}

/** Trimmed text of the first child named `name`, clipped; undefined when absent or empty. */
function textOf(el: XmlElement | undefined, name: string): string | undefined {
  return clipField(rawTextOf(el, name));
}

export function parseDmarcReport(xml: string): DmarcAggregateReport {
  const doc = parseXml(xml);
  const root = findFeedback(doc.root);
  if (!root) throw new ReportFormatError('not-dmarc', 'the XML is not a DMARC aggregate report (no <feedback>)');
  const missing = new Set<string>();
  const meta = child(root, 'report_metadata');
  if (!meta) missing.add('report_metadata');
  const range = child(meta, 'date_range');
  const published = child(root, 'policy_published');
  if (!published) missing.add('policy_published');
  const policy = {
    domain: lowerDomain(textOf(published, 'domain')),
    adkim: lower(textOf(published, 'adkim')),
    aspf: lower(textOf(published, 'aspf')),
    p: lower(textOf(published, 'p')),
    sp: lower(textOf(published, 'sp')),
    np: lower(textOf(published, 'np')),
    pct: intOrUndefined(textOf(published, 'pct')),
    fo: textOf(published, 'fo'),
    testing: lower(textOf(published, 'testing')),
  };
  const v9990 = /dmarc-2\.0/.test(root.attributes ?? '');
  const report: DmarcAggregateReport = {
    kind: 'dmarc',
    version: v9990 ? 'rfc9990' : (textOf(root, 'version') ?? 'draft'),
    orgName: textOf(meta, 'org_name'),
    email: textOf(meta, 'email'),
    reportId: textOf(meta, 'report_id'),
    begin: timestamp(textOf(range, 'begin')),
    end: timestamp(textOf(range, 'end')),
    errors: childrenNamed(meta, 'error')
      .map((e) => clipField(e.text.trim()))
      .filter(Boolean)
      .slice(0, MAX_REASONS),
    policy: stripUndefined(policy),
    records: [],
    missing: [],
    skippedRecords: 0,
    truncated: doc.truncated,
  };
  if (report.orgName === undefined) missing.add('report_metadata/org_name');
  if (report.reportId === undefined) missing.add('report_metadata/report_id');
  if (report.begin === undefined || report.end === undefined) missing.add('report_metadata/date_range');
  if (policy.domain === undefined) missing.add('policy_published/domain');
  if (policy.p === undefined) missing.add('policy_published/p');
  for (const rec of childrenNamed(root, 'record')) {
    const row = parseRecord(rec, missing);
    if (row) report.records.push(row);
    else report.skippedRecords++;
  }
  report.missing = [...missing].sort();
  return report;
}

/** <feedback> is the root; some senders wrap it (a SOAP-ish envelope) or misname the root but keep its children. */
function findFeedback(root: XmlElement | null): XmlElement | undefined {
  if (!root) return undefined;
  if (root.name === 'feedback') return root;
  if (child(root, 'record') || child(root, 'report_metadata')) return root;
  return child(root, 'feedback');
}

function parseRecord(rec: XmlElement, missing: Set<string>): DmarcRecordRow | undefined {
  const row = child(rec, 'row');
  const evaluated = child(row, 'policy_evaluated');
  // Old and odd senders put identifiers' fields directly in <record>, or the row's fields in the record.
  const ids = child(rec, 'identifiers') ?? rec;
  const sourceIp = normalizeIp(textOf(row, 'source_ip') ?? textOf(rec, 'source_ip'));
  if (!sourceIp) {
    missing.add('record/row/source_ip');
    return undefined;
  }
  const countText = textOf(row, 'count') ?? textOf(rec, 'count');
  const parsedCount = intOrUndefined(countText);
  if (parsedCount === undefined) missing.add('record/row/count');
  if (!evaluated) missing.add('record/row/policy_evaluated');
  const headerFrom = lowerDomain(textOf(ids, 'header_from'));
  if (!headerFrom) missing.add('record/identifiers/header_from');
  const auth = child(rec, 'auth_results');
  if (!auth) missing.add('record/auth_results');
  const out: DmarcRecordRow = {
    sourceIp,
    // A row stands for at least one message; a missing or unreadable count is listed in `missing`.
    count: parsedCount ?? 1,
    reasons: childrenNamed(evaluated, 'reason')
      .slice(0, MAX_REASONS)
      .map((r) => stripUndefined({ type: lower(textOf(r, 'type')) ?? 'other', comment: textOf(r, 'comment') })),
    dkimResults: childrenNamed(auth, 'dkim')
      .slice(0, MAX_AUTH_RESULTS)
      .map((d) =>
        stripUndefined({
          domain: lowerDomain(textOf(d, 'domain')),
          selector: textOf(d, 'selector'),
          result: authResult(textOf(d, 'result')),
        }),
      ),
    spfResults: childrenNamed(auth, 'spf')
      .slice(0, MAX_AUTH_RESULTS)
      .map((s) =>
        stripUndefined({
          domain: lowerDomain(textOf(s, 'domain')),
          scope: lower(textOf(s, 'scope')),
          result: authResult(textOf(s, 'result')),
        }),
      ),
  };
  const disposition = dispositionOf(textOf(evaluated, 'disposition'));
  if (disposition) out.disposition = disposition;
  const dkim = verdictOf(textOf(evaluated, 'dkim'));
  if (dkim) out.dkim = dkim;
  const spf = verdictOf(textOf(evaluated, 'spf'));
  if (spf) out.spf = spf;
  if (headerFrom) out.headerFrom = headerFrom;
  const envelopeFrom = lowerDomain(textOf(ids, 'envelope_from'));
  if (envelopeFrom) out.envelopeFrom = envelopeFrom;
  const envelopeTo = lowerDomain(textOf(ids, 'envelope_to'));
  if (envelopeTo) out.envelopeTo = envelopeTo;
  return out;
}

/** "2001:DB8::1" and "::ffff:192.0.2.1" as one key each; anything that is no IP address is no source. */
export function normalizeIp(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = s.trim().replace(/^\[|\]$/g, '');
  const family = isIP(t);
  if (family === 4) return t.replace(/\b0+(\d)/g, '$1');
  if (family !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return mapped[1];
  return new URL(`http://[${t}]/`).hostname.slice(1, -1);
}

function dispositionOf(s: string | undefined): DmarcDisposition | undefined {
  const v = s?.toLowerCase();
  if (v === 'none' || v === 'quarantine' || v === 'reject' || v === 'pass') return v;
  return undefined;
}

function verdictOf(s: string | undefined): AuthVerdict | undefined {
  if (!s) return undefined;
  return s.toLowerCase() === 'pass' ? 'pass' : 'fail';
}

/** auth_results values, with the spellings seen in the wild mapped to RFC 8601's. */
function authResult(s: string | undefined): string {
  const v = (s ?? 'none').toLowerCase().trim();
  if (v === 'hardfail') return 'fail';
  if (v === 'error') return 'temperror';
  return v || 'none';
}

/** Seconds since the epoch; some senders write milliseconds, fractions or an ISO date instead. */
export function timestamp(s: string | undefined): number | undefined {
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Math.floor(Number(s));
    return n > 1e11 ? Math.floor(n / 1000) : n;
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function intOrUndefined(s: string | undefined): number | undefined {
  if (!s || !/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

function lower(s: string | undefined): string | undefined {
  return s?.toLowerCase();
}

function lowerDomain(s: string | undefined): string | undefined {
  const d = s?.toLowerCase().replace(/\.$/, '');
  return d ? d : undefined;
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
