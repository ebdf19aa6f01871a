// `mailcheck dmarc`: policy discovery as receivers do it (RFC 7489 §6.6.3: the domain, then its
// organizational domain), lint of the record, and authorization of external report destinations (§7.1).
import type { Context } from '../../core/context.js';
import { finding, type Step } from '../../core/result.js';
import { traceResolver } from '../../dns/trace.js';
import { isTemporary, recordsOf, txtJoin, type LookupStatus, type Resolver } from '../../dns/types.js';
import { lintDmarc, type DmarcFinding } from './lint.js';
import { organizationalDomain } from './org-domain.js';
import { dmarcValues, isDmarcRecord, parseDmarcRecord, type DmarcPolicy, type DmarcRecord } from './record.js';
import { checkReportDestinations, type DmarcReportDestination } from './report-auth.js';

export interface DiscardedRecord {
  /** The _dmarc name it was found at. */
  name: string;
  record: string;
  reason: string;
}

export interface DmarcResult {
  kind: 'dmarc';
  domain: string;
  /** The domain whose _dmarc record applies (the domain itself or its organizational domain); null if none. */
  recordDomain: string | null;
  record: string | null;
  /** p= as receivers apply it (RFC 7489 §6.6.3 step 6 degrades an invalid one to none or nothing). */
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  ruf: string[];
  orgDomain: string;
  findings: DmarcFinding[];
  steps: Step[];
  /** np= (RFC 9091), defaulting to the subdomain policy. */
  nonexistentPolicy: DmarcPolicy | null;
  /** The policy for mail from `domain` itself: p= of its own record, sp= of an inherited one. */
  appliedPolicy: DmarcPolicy | null;
  /** Every v=DMARC1 record at the applying name (more than one means no DMARC at all). */
  records: string[];
  /** TXT records at _dmarc names that receivers discard (not starting with v=DMARC1). */
  discarded: DiscardedRecord[];
  /** rua/ruf addresses, with the §7.1 authorization check for external ones. */
  destinations: DmarcReportDestination[];
  /** The parsed record (tags with offsets), for reports that mark the offending part. */
  parsed: DmarcRecord | null;
}

interface Fetched {
  name: string;
  status: LookupStatus;
  server?: string;
  records: string[];
  discarded: DiscardedRecord[];
}

export async function checkDmarc(domain: string, ctx: Pick<Context, 'resolver'>): Promise<DmarcResult> {
  const trace = traceResolver(ctx.resolver);
  const orgDomain = organizationalDomain(domain);
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
    orgDomain,
    findings: [],
    steps: trace.steps,
    nonexistentPolicy: null,
    appliedPolicy: null,
    records: [],
    discarded: [],
    destinations: [],
    parsed: null,
  };
  const findings = result.findings;

  // Steps 1–4 of RFC 7489 §6.6.3: the domain's own record, else the organizational domain's.
  let at = await fetchDmarc(domain, trace);
  result.discarded.push(...at.discarded);
  if (!isTemporary(at) && !at.records.length && orgDomain !== domain) {
    at = await fetchDmarc(orgDomain, trace);
    result.discarded.push(...at.discarded);
  }
  findings.push(...discardedFindings(result.discarded));
  if (isTemporary(at)) {
    findings.push(
      finding(
        'dmarc.lookup.temporary',
        'fail',
        `The TXT lookup for ${at.name} failed (${at.status.toUpperCase()} from ${at.server}): no verdict on DMARC for ${domain}.`,
        { temporary: true },
      ),
    );
    return result;
  }
  if (!at.records.length) {
    const where = orgDomain !== domain ? `_dmarc.${domain} nor at _dmarc.${orgDomain}` : `_dmarc.${domain}`;
    findings.push(
      finding(
        'dmarc.record.missing',
        'fail',
        `No DMARC record at ${where}: receivers apply no policy to mail claiming to be from ${domain}, and nobody gets reports.`,
        {
          ref: 'RFC 7489 §6.6.3',
          advice: `Publish _dmarc.${orgDomain}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${orgDomain}" and tighten p= once reports look clean.`,
        },
      ),
    );
    return result;
  }

  const recordDomain = at.name.replace(/^_dmarc\./, '');
  Object.assign(result, { recordDomain, record: at.records[0]!, records: at.records });
  if (recordDomain !== domain) {
    findings.push(
      finding(
        'dmarc.record.inherited',
        'info',
        `${domain} has no DMARC record of its own; the record of its organizational domain ${recordDomain} applies, with its subdomain policy.`,
        { ref: 'RFC 7489 §6.6.3' },
      ),
    );
  }
  if (at.records.length > 1) {
    // Step 5: several records → policy discovery ends and DMARC is not applied.
    findings.push(
      finding(
        'dmarc.record.multiple',
        'fail',
        `${at.name} has ${at.records.length} DMARC records; receivers then apply no DMARC at all.`,
        { ref: 'RFC 7489 §6.6.3', advice: 'Merge them into one record.' },
      ),
    );
    return result;
  }

  const parsed = parseDmarcRecord(at.records[0]!);
  const values = dmarcValues(parsed);
  Object.assign(result, {
    parsed,
    policy: values.policy,
    subdomainPolicy: values.subdomainPolicy,
    nonexistentPolicy: values.nonexistentPolicy,
    appliedPolicy: recordDomain === domain ? values.policy : values.subdomainPolicy,
    pct: values.pct,
    adkim: values.adkim,
    aspf: values.aspf,
    rua: parsed.rua.map((u) => u.raw),
    ruf: parsed.ruf.map((u) => u.raw),
  });
  findings.push(...lintDmarc(parsed, { domain, recordDomain }));
  const checked = await checkReportDestinations(recordDomain, parsed, trace);
  result.destinations = checked.destinations;
  findings.push(...checked.findings);
  return result;
}

async function fetchDmarc(domain: string, resolver: Resolver): Promise<Fetched> {
  const name = `_dmarc.${domain}`;
  const answer = await resolver.lookup(name, 'TXT');
  if (isTemporary(answer)) return { name, status: answer.status, server: answer.server, records: [], discarded: [] };
  // An RRset has no order: sort, so results do not depend on which server answered.
  const texts = recordsOf(answer).map(txtJoin).sort();
  return {
    name,
    status: answer.status,
    records: texts.filter(isDmarcRecord),
    discarded: texts
      .filter((t) => !isDmarcRecord(t))
      .map((record) => ({ name, record, reason: 'does not start with v=DMARC1' })),
  };
}

function discardedFindings(discarded: DiscardedRecord[]): DmarcFinding[] {
  return discarded.map((d) =>
    // Something that tries to be DMARC (a typo in v=, tags out of order) is a mistake; anything else is noise.
    /dmarc|(^|;)\s*p\s*=/i.test(d.record)
      ? finding(
          'dmarc.record.discarded',
          'fail',
          `The TXT record at ${d.name} looks like DMARC but does not start with v=DMARC1, so receivers ignore it.`,
          { ref: 'RFC 7489 §6.6.3', advice: 'Start the record with "v=DMARC1;".' },
        )
      : finding(
          'dmarc.record.other-txt',
          'info',
          `${d.name} also holds a TXT record that is not DMARC; receivers ignore it.`,
        ),
  );
}
