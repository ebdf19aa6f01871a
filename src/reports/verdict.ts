// The per-domain verdict: is the domain ready for p=quarantine / p=reject? Legitimate mail is what passed plus what
// failed from its own infrastructure and from forwarders; the share of it that fails is what a stricter policy
// would cost. Thresholds are documented in README.md (here) and tested.
import { definedOnly } from '../core/object.js';
import { finding, type Finding } from '../core/result.js';
import type { DmarcVerdict, DomainSummary, GroupTotals, SourceGroup, SourceRow } from './model.js';

/** Own infrastructure failing at most this share of legitimate mail: quarantine is safe. */
export const QUARANTINE_MAX_OWN = 0.01;
/** Reject needs own failures at most this share, and all losses (forwarders too) at most REJECT_MAX_LOST. */
export const REJECT_MAX_OWN = 0.001;
export const REJECT_MAX_LOST = 0.02;
const FIX_FIRST = 5;
/** A verdict from less than a week of reports misses weekly senders (newsletters, invoices). */
const SHORT_RANGE_S = 7 * 86400;

export function groupTotals(rows: readonly SourceRow[]): Record<SourceGroup, GroupTotals> {
  const g: Record<SourceGroup, GroupTotals> = {
    aligned: { sources: 0, messages: 0 },
    own: { sources: 0, messages: 0 },
    forwarder: { sources: 0, messages: 0 },
    unknown: { sources: 0, messages: 0 },
  };
  for (const r of rows) {
    g.aligned.messages += r.dmarc.pass;
    g[r.group].sources++;
    if (r.group !== 'aligned') g[r.group].messages += r.dmarc.fail;
  }
  return g;
}

export function dmarcVerdict(rows: readonly SourceRow[], published: DomainSummary['published']): DmarcVerdict {
  const g = groupTotals(rows);
  const legitimate = g.aligned.messages + g.own.messages + g.forwarder.messages;
  const atRisk = g.own.messages + g.forwarder.messages;
  const lostShare = legitimate ? atRisk / legitimate : 0;
  const ownShare = legitimate ? g.own.messages / legitimate : 0;
  const quarantineReady = ownShare <= QUARANTINE_MAX_OWN;
  const rejectReady = ownShare <= REJECT_MAX_OWN && lostShare <= REJECT_MAX_LOST;
  const fixFirst = rows
    .filter((r) => r.group === 'own' || r.group === 'forwarder')
    .sort((a, b) => rank(a) - rank(b) || b.dmarc.fail - a.dmarc.fail || (a.ip < b.ip ? -1 : 1))
    .slice(0, FIX_FIRST)
    .map((r) =>
      definedOnly({
        ip: r.ip,
        name: r.name,
        messages: r.dmarc.fail,
        group: r.group,
        why: r.why,
        fix: r.fix || undefined,
      }),
    );
  return {
    legitimate,
    atRisk,
    lostShare,
    ownShare,
    quarantineReady,
    rejectReady,
    summary: verdictSentence(legitimate, atRisk, lostShare, quarantineReady, rejectReady, published?.p),
    fixFirst,
  };
}

/** Own sources come before forwarders: those are the ones a change of ours fixes. */
function rank(r: SourceRow): number {
  return r.group === 'own' ? 0 : 1;
}

function verdictSentence(
  legitimate: number,
  atRisk: number,
  lostShare: number,
  quarantineReady: boolean,
  rejectReady: boolean,
  p: string | undefined,
): string {
  if (!legitimate) return 'ready for p=reject: no legitimate mail was seen (a domain that sends no mail loses nothing)';
  const lost = `${percent(lostShare)} of legitimate mail (${thousands(atRisk)} of ${thousands(legitimate)} messages)`;
  if (p === 'reject') return `at p=reject already: ${lost} fails DMARC and is refused`;
  if (rejectReady) return `ready for p=reject: ${lost} would be lost`;
  if (quarantineReady) return `ready for p=quarantine, not yet for p=reject: ${lost} would be lost`;
  return `not ready for p=quarantine: ${lost} would be lost`;
}

export function percent(share: number): string {
  if (share === 0) return '0%';
  const p = share * 100;
  if (p < 0.01) return '<0.01%';
  return `${p < 1 ? p.toFixed(2) : p.toFixed(1)}%`;
}

export function domainFindings(
  s: Pick<DomainSummary, 'domain' | 'groups' | 'verdict' | 'published' | 'missing' | 'first' | 'last'>,
): Finding[] {
  const out: Finding[] = [];
  const { own, forwarder, unknown } = s.groups;
  const n = thousands;
  if (own.messages)
    out.push(
      finding(
        'report.dmarc.own-failing',
        'fail',
        `${n(own.messages)} messages from ${own.sources} source${own.sources === 1 ? '' : 's'} of ${s.domain}'s own infrastructure fail DMARC`,
        { advice: s.verdict?.fixFirst.find((f) => f.fix)?.fix?.action, ref: 'RFC 7489 §3.1' },
      ),
    );
  if (forwarder.messages)
    out.push(
      finding(
        'report.dmarc.forwarded',
        'info',
        `${n(forwarder.messages)} messages came through forwarders or mailing lists and failed DMARC there (ARC-trusting receivers may still accept them)`,
        { ref: 'RFC 8617' },
      ),
    );
  if (unknown.messages) {
    const enforced = s.published?.p === 'reject' || s.published?.p === 'quarantine';
    out.push(
      finding(
        'report.dmarc.unknown-failing',
        enforced ? 'info' : 'warn',
        `${n(unknown.messages)} messages from ${unknown.sources} unknown source${unknown.sources === 1 ? '' : 's'} failed DMARC${enforced ? ` (p=${s.published!.p} applied)` : ' and were delivered anyway under p=none'}`,
      ),
    );
  }
  if (s.verdict) {
    const v = s.verdict;
    if (v.rejectReady) out.push(finding('report.verdict.reject-ready', 'ok', v.summary));
    else if (v.quarantineReady) out.push(finding('report.verdict.quarantine-ready', 'info', v.summary));
    else out.push(finding('report.verdict.not-ready', 'warn', v.summary));
  }
  if (s.first && s.last && Date.parse(s.last) - Date.parse(s.first) < SHORT_RANGE_S * 1000)
    out.push(
      finding(
        'report.range.short',
        'info',
        'the reports cover less than a week: senders that mail weekly or monthly may not be in them yet',
      ),
    );
  const missing = Object.entries(s.missing);
  if (missing.length)
    out.push(
      finding(
        'report.fields.missing',
        'info',
        `reports left out required fields: ${missing
          .slice(0, 6)
          .map(([f, c]) => `${f} (${c})`)
          .join(', ')}${missing.length > 6 ? ', …' : ''}`,
        { ref: 'RFC 7489 Appendix C' },
      ),
    );
  return out;
}

/** 12,345 without loading ICU (toLocaleString's first call costs ~13 ms). */
export function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
