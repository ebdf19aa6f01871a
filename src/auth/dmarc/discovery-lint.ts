// Findings about how a DMARC record was found rather than what it says: TXT records receivers discard on the way
// (RFC 9989 §4.10 steps 2 and 6), and where a receiver still on RFC 7489 (Public Suffix List, §6.6.3 step 5 and 6)
// would apply another record or policy than one on RFC 9989. Pure.
import { finding } from '../../core/result.js';
import type { Rfc7489Discovery } from './discovery.js';
import type { DmarcFinding } from './lint.js';
import { dmarcValues, looksLikeDmarc, parseDmarcRecord, type DmarcPolicy } from './record.js';

export interface DiscardedRecord {
  /** The _dmarc name it was found at. */
  name: string;
  record: string;
  reason: string;
}

/** How an RFC 7489 receiver reads the domain (kept in the `dmarc` JSON as `rfc7489`). */
export interface DmarcRfc7489Reading {
  /** The Organizational Domain from the Public Suffix List (RFC 7489 §3.2). */
  orgDomain: string;
  recordDomain: string | null;
  /** p= as an RFC 7489 receiver applies it (§6.6.3 step 6: a missing p= too needs a valid rua=). */
  policy: DmarcPolicy | null;
  /** The policy for mail from the domain itself: p= of its own record, sp= of an inherited one. */
  appliedPolicy: DmarcPolicy | null;
  pct: number;
  /** Why such a receiver applies no DMARC, when it applies none. */
  reason?: string;
}

/** What the RFC 7489 discovery found, as the values such a receiver acts on. */
export function rfc7489Reading(domain: string, pslOrg: string, d: Rfc7489Discovery): DmarcRfc7489Reading {
  const base = { orgDomain: pslOrg, recordDomain: null, policy: null, appliedPolicy: null, pct: 100 };
  if (d.temporary) return { ...base, reason: `the lookup for ${d.temporary.name} failed` };
  if (d.multiple)
    return {
      ...base,
      reason: `${d.multiple.name} has ${d.multiple.records.length} DMARC records, so policy discovery ends with no DMARC (RFC 7489 §6.6.3 step 5)`,
    };
  if (d.record === null || d.recordDomain === null)
    return { ...base, reason: `no DMARC record at _dmarc.${domain} or at its PSL organizational domain` };
  const v = dmarcValues(parseDmarcRecord(d.record), 'rfc7489');
  const reading = {
    ...base,
    recordDomain: d.recordDomain,
    policy: v.policy,
    appliedPolicy: d.recordDomain === domain ? v.policy : v.subdomainPolicy,
    pct: v.pct,
  };
  if (v.degraded === 'ignored')
    return { ...reading, reason: 'no valid p= (or an invalid sp=) and no valid rua= (RFC 7489 §6.6.3 step 6)' };
  return reading;
}

/**
 * Where receivers on the two specifications disagree about which record, or which policy, applies to mail from
 * the domain — the tree walk against the Public Suffix List, several records, a missing p=, an invalid np=.
 * (pct= and t= are the record's own findings: dmarc.pct.partial, dmarc.testing.)
 */
export function rfc7489Findings(
  now: { domain: string; recordDomain: string | null; appliedPolicy: DmarcPolicy | null },
  old: DmarcRfc7489Reading,
): DmarcFinding[] {
  if (now.recordDomain === old.recordDomain && now.appliedPolicy === old.appliedPolicy) return [];
  const describe = (recordDomain: string | null, policy: DmarcPolicy | null, reason?: string) =>
    recordDomain === null || policy === null
      ? `apply no DMARC${reason ? ` (${reason})` : ''}`
      : `apply ${policy} from the record at _dmarc.${recordDomain}`;
  return [
    finding(
      'dmarc.rfc7489.differs',
      'warn',
      `Receivers disagree about ${now.domain}: those on RFC 9989 (DNS tree walk) ${describe(now.recordDomain, now.appliedPolicy)}; those still on RFC 7489 (Public Suffix List: organizational domain ${old.orgDomain}) ${describe(old.recordDomain, old.appliedPolicy, old.reason)}.`,
      { ref: 'RFC 9989 §4.10, Appendix A.5' },
    ),
  ];
}

export function discardedFindings(discarded: DiscardedRecord[]): DmarcFinding[] {
  const out: DmarcFinding[] = [];
  const multiple = new Set<string>();
  for (const d of discarded) {
    if (d.reason.startsWith('one of')) {
      if (multiple.has(d.name)) continue;
      multiple.add(d.name);
      const n = discarded.filter((x) => x.name === d.name).length;
      out.push(
        finding(
          'dmarc.record.multiple',
          'fail',
          `${d.name} has ${n} DMARC records: RFC 9989 receivers discard all of them and look further up the tree; RFC 7489 receivers apply no DMARC at all.`,
          { ref: 'RFC 9989 §4.10', advice: 'Merge them into one record.' },
        ),
      );
      continue;
    }
    const v = /^\s*v\s*=\s*([^;]*)/i.exec(d.record)?.[1]?.trim() ?? '';
    const noSemicolon = /^DMARC1\s+\S/i.test(v);
    if (noSemicolon || v.toUpperCase() === 'DMARC1') {
      out.push(
        noSemicolon
          ? finding(
              'dmarc.version.invalid',
              'fail',
              `The record at ${d.name} has no ";" after v=DMARC1, so its version tag reads "v=${v}": receivers discard it.`,
              { ref: 'RFC 9989 §4.8', advice: 'Write "v=DMARC1; p=…".' },
            )
          : finding(
              'dmarc.version.case',
              'fail',
              `The record at ${d.name} says v=${v}: the value is case-sensitive and must be exactly DMARC1, so receivers discard it.`,
              { ref: 'RFC 9989 §4.7', advice: 'Write "v=DMARC1".' },
            ),
      );
      continue;
    }
    out.push(
      // Something that tries to be DMARC (a typo in v=, tags out of order) is a mistake; anything else is noise.
      looksLikeDmarc(d.record)
        ? finding(
            'dmarc.record.discarded',
            'fail',
            `The TXT record at ${d.name} looks like DMARC but does not start with v=DMARC1, so receivers ignore it.`,
            { ref: 'RFC 9989 §4.10', advice: 'Start the record with "v=DMARC1;".' },
          )
        : finding(
            'dmarc.record.other-txt',
            'info',
            `${d.name} also holds a TXT record that is not DMARC; receivers ignore it.`,
          ),
    );
  }
  return out;
}
