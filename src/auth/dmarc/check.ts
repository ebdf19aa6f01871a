// `mailcheck dmarc`: policy discovery as receivers do it (RFC 9989 §4.10.1: the domain, then a DNS tree walk to its
// Organizational Domain or Public Suffix Domain), lint of the record, where a receiver still on RFC 7489 (Public
// Suffix List, pct) would read it otherwise, and authorization of external report destinations (RFC 7489 §7.1).
import type { Context } from '../../core/context.js';
import { finding } from '../../core/result.js';
import { traceResolver } from '../../dns/trace.js';
import { organizationalDomain } from '../shared/org-domain.js';
import {
  applicablePolicy,
  discoverPolicy,
  discoverPolicyRfc7489,
  organizationalDomainOf,
  treeWalk,
  type DmarcAnswer,
} from './discovery.js';
import { discardedFindings, rfc7489Findings, rfc7489Reading, type DiscardedRecord } from './discovery-lint.js';
import { lintDmarc } from './lint.js';
import { dmarcValues, parseDmarcRecord } from './record.js';
import { checkReportDestinations } from './report-auth.js';
import type { DmarcResult } from './types.js';

export async function checkDmarc(domain: string, ctx: Pick<Context, 'resolver'>): Promise<DmarcResult> {
  const trace = traceResolver(ctx.resolver);
  const pslOrg = organizationalDomain(domain);
  const result: DmarcResult = {
    kind: 'dmarc',
    domain,
    recordDomain: null,
    record: null,
    policy: null,
    subdomainPolicy: null,
    pct: 100,
    adkim: 'r',
    aspf: 'r',
    rua: [],
    ruf: [],
    orgDomain: domain,
    findings: [],
    steps: trace.steps,
    nonexistentPolicy: null,
    appliedPolicy: null,
    testing: false,
    psd: null,
    discovery: { method: 'rfc9989-tree-walk', queries: [], source: null },
    rfc7489: { orgDomain: pslOrg, recordDomain: null, policy: null, appliedPolicy: null, pct: 100 },
    records: [],
    discarded: [],
    destinations: [],
    parsed: null,
  };
  const findings = result.findings;

  // RFC 9989 §4.10.1: the domain's own record, else a tree walk to its Organizational Domain or PSD.
  const found = await discoverPolicy(domain, trace);
  let answers = found.walk.answers;
  let orgDomain = found.orgDomain;
  let walkFailed: DmarcAnswer | undefined;
  if (found.source === 'author') {
    // The record is the domain's own, but which Organizational Domain it belongs to takes the rest of the walk.
    const walk = await treeWalk(domain, trace, answers[0]);
    answers = walk.answers;
    if (walk.temporary) walkFailed = walk.temporary;
    else orgDomain = organizationalDomainOf(walk);
  }
  result.orgDomain = orgDomain ?? pslOrg;
  result.discovery = { method: 'rfc9989-tree-walk', queries: answers.map((a) => a.name), source: found.source };
  result.discarded = discardedOf(answers);
  findings.push(...discardedFindings(result.discarded));
  if (found.temporary) {
    const t = found.temporary;
    findings.push(
      finding(
        'dmarc.lookup.temporary',
        'fail',
        `The TXT lookup for ${t.name} failed (${t.status.toUpperCase()} from ${t.server}): no verdict on DMARC for ${domain}.`,
        { temporary: true },
      ),
    );
    return result;
  }
  if (walkFailed) {
    findings.push(
      finding(
        'dmarc.lookup.temporary',
        'warn',
        `The TXT lookup for ${walkFailed.name} failed (${walkFailed.status.toUpperCase()} from ${walkFailed.server}): the tree walk for the Organizational Domain of ${domain} did not finish, so relaxed alignment is unknown.`,
        { temporary: true, ref: 'RFC 9989 §4.10.2' },
      ),
    );
  }
  result.rfc7489 = rfc7489Reading(domain, pslOrg, await discoverPolicyRfc7489(domain, trace, answers));

  if (found.record === null || found.recordDomain === null) {
    findings.push(
      finding(
        'dmarc.record.missing',
        'fail',
        `No DMARC record at _dmarc.${domain} nor above it (${answers.length} names asked by the DNS tree walk): receivers apply no policy to mail claiming to be from ${domain}, and nobody gets reports.`,
        {
          ref: 'RFC 9989 §4.10.1',
          advice: `Publish _dmarc.${pslOrg}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${pslOrg}" and tighten p= once reports look clean.`,
        },
      ),
    );
    findings.push(...rfc7489Findings(result, result.rfc7489));
    return result;
  }

  const recordDomain = found.recordDomain;
  Object.assign(result, { recordDomain, record: found.record, records: [found.record] });
  if (recordDomain !== domain) {
    const whose =
      found.source === 'psd'
        ? `of the Public Suffix Domain ${recordDomain} (psd=y)`
        : `of its Organizational Domain ${recordDomain}`;
    findings.push(
      finding(
        'dmarc.record.inherited',
        'info',
        `${domain} has no DMARC record of its own; the record ${whose} applies, with its subdomain policy.`,
        { ref: 'RFC 9989 §4.10.1' },
      ),
    );
  }

  const parsed = parseDmarcRecord(found.record);
  const values = dmarcValues(parsed);
  Object.assign(result, {
    parsed,
    policy: values.policy,
    subdomainPolicy: values.subdomainPolicy,
    nonexistentPolicy: values.nonexistentPolicy,
    // sp= for a subdomain that exists, np= for one that does not (§4.10.1): what mail from the domain gets.
    appliedPolicy:
      values.degraded === 'ignored' ? null : await applicablePolicy(domain, values, found.source!, answers[0]!, trace),
    pct: values.pct,
    testing: values.testing,
    psd: values.psd,
    adkim: values.adkim,
    aspf: values.aspf,
    rua: parsed.rua.map((u) => u.raw),
    ruf: parsed.ruf.map((u) => u.raw),
  });
  const nonexistent =
    recordDomain !== domain &&
    result.appliedPolicy !== values.subdomainPolicy &&
    result.appliedPolicy === values.nonexistentPolicy;
  findings.push(...lintDmarc(parsed, { domain, recordDomain, nonexistent }));
  findings.push(...rfc7489Findings(result, result.rfc7489));
  const checked = await checkReportDestinations(recordDomain, parsed, trace);
  result.destinations = checked.destinations;
  findings.push(...checked.findings);
  return result;
}

/** What receivers discard along the way: TXT that is not DMARC, and every record of a name that has several. */
function discardedOf(answers: DmarcAnswer[]): DiscardedRecord[] {
  const out: DiscardedRecord[] = [];
  for (const a of answers) {
    for (const record of a.other) out.push({ name: a.name, record, reason: 'does not start with v=DMARC1' });
    if (a.records.length > 1)
      for (const record of a.records)
        out.push({ name: a.name, record, reason: `one of ${a.records.length} DMARC records at this name` });
  }
  return out;
}
