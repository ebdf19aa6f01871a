// Where a domain's DMARC policy comes from, per RFC 9989 (which obsoletes RFC 7489): the DNS Tree Walk (§4.10),
// DMARC Policy Discovery (§4.10.1) and the Organizational Domain (§4.10.2), at most 8 queries per walk and no Public
// Suffix List. Beside it, the RFC 7489 discovery (§6.6.3 with the PSL, §3.2) that receivers not yet on RFC 9989
// still do. One implementation for `dmarc`, `check`, `verify` and `receive`. I/O only through the given resolver.
import { isTemporary, recordsOf, txtJoin, type LookupStatus, type Resolver } from '../../dns/types.js';
import { isDmarcRecord, type DmarcPolicy, type DmarcValues } from './record.js';

/** What one _dmarc TXT query found. */
export interface DmarcAnswer {
  /** The domain asked about (without the _dmarc label). */
  domain: string;
  /** _dmarc.<domain> */
  name: string;
  status: LookupStatus;
  server?: string;
  /** Every record whose first tag is v=DMARC1, sorted (an RRset has no order). More than one: all discarded. */
  records: string[];
  /** The other TXT records there: not DMARC, so discarded (RFC 9989 §4.10 step 2). */
  other: string[];
}

/** A DNS Tree Walk (RFC 9989 §4.10): every answer in query order, the starting point first. */
export interface TreeWalk {
  start: string;
  answers: DmarcAnswer[];
  /** The query that failed (timeout, SERVFAIL…): the walk stopped there and decides nothing. */
  temporary?: DmarcAnswer;
}

export type PolicySource = 'author' | 'organizational' | 'psd';

export interface PolicyDiscovery {
  domain: string;
  /** The answers of policy discovery, in order: the domain, then the tree walk above it if one was needed. */
  walk: TreeWalk;
  /** Where the applying record was found (RFC 9989 §4.10.1): the domain, its Organizational Domain, or its PSD. */
  source: PolicySource | null;
  recordDomain: string | null;
  record: string | null;
  /** The domain's Organizational Domain (§4.10.2), when policy discovery had to walk (null otherwise). */
  orgDomain: string | null;
  temporary?: DmarcAnswer;
}

/** RFC 9989 §4.10: a tree walk makes at most this many queries, however many labels the name has. */
export const MAX_WALK_QUERIES = 8;

export async function fetchDmarc(domain: string, resolver: Resolver): Promise<DmarcAnswer> {
  const name = `_dmarc.${domain}`;
  const answer = await resolver.lookup(name, 'TXT');
  if (isTemporary(answer))
    return { domain, name, status: answer.status, server: answer.server, records: [], other: [] };
  const texts = recordsOf(answer).map(txtJoin).sort();
  return {
    domain,
    name,
    status: answer.status,
    records: texts.filter(isDmarcRecord),
    other: texts.filter((t) => !isDmarcRecord(t)),
  };
}

/** The one DMARC record at a name; none when there is none or several (RFC 9989 §4.10 step 2). */
export function validRecord(a: DmarcAnswer): string | null {
  return a.records.length === 1 ? a.records[0]! : null;
}

/** psd= of a record as the walk reads it (RFC 9989 §4.7): 'y', 'n', or 'u' (absent, invalid). */
export function psdFlag(record: string): 'y' | 'n' | 'u' {
  const m = /(?:^|;)[ \t]*psd[ \t]*=[ \t]*([^;]*?)[ \t]*(?:;|$)/i.exec(record);
  const v = m?.[1]?.toLowerCase();
  return v === 'y' || v === 'n' ? v : 'u';
}

/**
 * RFC 9989 §4.10 steps 3, 4 and 7: the names a walk asks after its starting point, longest first — the parent
 * (or, for 8 labels or more, the 7-label suffix), then one label less each time down to the top-level domain.
 */
export function walkTargets(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let n = Math.min(labels.length - 1, MAX_WALK_QUERIES - 1); n >= 1; n--)
    out.push(labels.slice(labels.length - n).join('.'));
  return out;
}

/** A walk stops at one valid record that says psd=y or psd=n (§4.10 steps 2 and 6). */
function stopsWalk(a: DmarcAnswer): boolean {
  const r = validRecord(a);
  return r !== null && psdFlag(r) !== 'u';
}

/** RFC 9989 §4.10: the tree walk from `start`, reusing the answer for `start` when the caller already has it. */
export async function treeWalk(start: string, resolver: Resolver, first?: DmarcAnswer): Promise<TreeWalk> {
  const head = first ?? (await fetchDmarc(start, resolver));
  const walk: TreeWalk = { start, answers: [head] };
  if (isTemporary(head)) return { ...walk, temporary: head };
  if (stopsWalk(head)) return walk;
  for (const target of walkTargets(start)) {
    const a = await fetchDmarc(target, resolver);
    walk.answers.push(a);
    if (isTemporary(a)) return { ...walk, temporary: a };
    if (stopsWalk(a)) break;
  }
  return walk;
}

/**
 * RFC 9989 §4.10.2: the Organizational Domain a walk determines. Over the records found, longest name first: psd=n
 * makes that domain it; psd=y (other than at the start) makes it the domain one label below; otherwise it is the
 * domain with the fewest labels that has a record; with no record at all, the starting domain itself.
 */
export function organizationalDomainOf(walk: TreeWalk): string {
  const found = walk.answers.filter((a) => validRecord(a) !== null);
  for (const a of found) {
    const psd = psdFlag(validRecord(a)!);
    if (psd === 'n') return a.domain;
    if (psd === 'y' && a.domain !== walk.start) return oneLabelBelow(walk.start, a.domain);
  }
  return found.length ? found[found.length - 1]!.domain : walk.start;
}

/** The ancestor-or-self of `domain` with one label more than `parent` ("mail.example.com", "com" → "example.com"). */
function oneLabelBelow(domain: string, parent: string): string {
  const labels = domain.split('.');
  return labels.slice(labels.length - parent.split('.').length - 1).join('.');
}

/**
 * RFC 9989 §4.10.1: the record at the domain itself; else, after a tree walk above it, the record of its
 * Organizational Domain; else that of its Public Suffix Domain (a psd=y record). Several records at one name are
 * all discarded and the walk goes on (§4.10 step 2; RFC 7489 §6.6.3 step 5 stopped there instead).
 */
export async function discoverPolicy(domain: string, resolver: Resolver): Promise<PolicyDiscovery> {
  const head = await fetchDmarc(domain, resolver);
  const found: PolicyDiscovery = {
    domain,
    walk: { start: domain, answers: [head] },
    source: null,
    recordDomain: null,
    record: null,
    orgDomain: null,
  };
  if (isTemporary(head)) {
    found.walk.temporary = found.temporary = head;
    return found;
  }
  const own = validRecord(head);
  if (own !== null) {
    // The common case, and a receiver's hot path: one query, no walk.
    found.source = 'author';
    found.recordDomain = domain;
    found.record = own;
    return found;
  }
  const walk = (found.walk = await treeWalk(domain, resolver, head));
  if (walk.temporary) {
    found.temporary = walk.temporary;
    return found;
  }
  const orgDomain = (found.orgDomain = organizationalDomainOf(walk));
  const org = walk.answers.find((a) => a.domain === orgDomain);
  const orgRecord = org ? validRecord(org) : null;
  if (orgRecord !== null && orgDomain !== domain) {
    found.source = 'organizational';
    found.recordDomain = orgDomain;
    found.record = orgRecord;
    return found;
  }
  const psd = walk.answers.find((a) => {
    const r = validRecord(a);
    return r !== null && psdFlag(r) === 'y' && a.domain !== domain;
  });
  if (psd) {
    found.source = 'psd';
    found.recordDomain = psd.domain;
    found.record = validRecord(psd);
  }
  return found;
}

/**
 * RFC 9989 §4.10.1: p= for the domain's own record; for a subdomain, sp= when the domain exists and np= when it
 * does not (Appendix A.4: NXDOMAIN means it does not; asked only when np= would change the answer).
 */
export async function applicablePolicy(
  domain: string,
  v: DmarcValues,
  source: PolicySource,
  head: DmarcAnswer,
  resolver: Resolver,
): Promise<DmarcPolicy> {
  if (source === 'author') return v.policy!;
  if (v.nonexistentPolicy === v.subdomainPolicy) return v.subdomainPolicy!;
  // An answer at _dmarc.<domain> other than NXDOMAIN proves <domain> exists (RFC 8020: nothing exists below
  // a name that does not). A failed existence query leaves the domain presumed to exist.
  if (head.status !== 'nxdomain') return v.subdomainPolicy!;
  const a = await resolver.lookup(domain, 'A');
  return a.status === 'nxdomain' ? v.nonexistentPolicy! : v.subdomainPolicy!;
}

/**
 * Organizational Domains by tree walk, each walked once per instance (and each query once per cached resolver):
 * what relaxed alignment compares (§4.10.2). A walk that failed temporarily gives `null`.
 */
export class OrgDomains {
  private readonly walks = new Map<string, Promise<string | null>>();
  constructor(private readonly resolver: Resolver) {}

  /** Seeds a domain whose walk is already known (policy discovery walked it). */
  seed(walk: TreeWalk): void {
    if (!walk.temporary && !this.walks.has(walk.start))
      this.walks.set(walk.start, Promise.resolve(organizationalDomainOf(walk)));
  }

  of(domain: string, first?: DmarcAnswer): Promise<string | null> {
    let p = this.walks.get(domain);
    if (!p) {
      p = treeWalk(domain, this.resolver, first).then((w) => (w.temporary ? null : organizationalDomainOf(w)));
      this.walks.set(domain, p);
    }
    return p;
  }
}

/** The last label: names under different top-level domains have no Organizational Domain in common. */
export function topLabel(domain: string): string {
  return domain.slice(domain.lastIndexOf('.') + 1);
}

// The Public Suffix List (tldts) takes ~60 ms to load: only the RFC 7489 reading needs it, and only when a domain
// has no record of its own or an identifier differs from the From: domain.
let psl: Promise<typeof import('../shared/org-domain.js')> | undefined;

/** RFC 7489 §3.2: the Organizational Domain from the Public Suffix List. */
export async function pslOrganizationalDomain(domain: string): Promise<string> {
  psl ??= import('../shared/org-domain.js');
  return (await psl).organizationalDomain(domain);
}

export interface Rfc7489Discovery {
  source: 'author' | 'organizational' | null;
  recordDomain: string | null;
  record: string | null;
  /** The PSL Organizational Domain, when discovery needed it. */
  orgDomain: string | null;
  /** Several records at the name asked: RFC 7489 §6.6.3 step 5 ends discovery with no DMARC at all. */
  multiple?: DmarcAnswer;
  temporary?: DmarcAnswer;
}

/**
 * RFC 7489 §6.6.3: the record at the domain, else at its PSL Organizational Domain; several records there end
 * discovery (step 5). `known` are answers the caller already has (a tree walk's): those names are not asked again.
 */
export async function discoverPolicyRfc7489(
  domain: string,
  resolver: Resolver,
  known: readonly DmarcAnswer[] = [],
): Promise<Rfc7489Discovery> {
  const none = { source: null, recordDomain: null, record: null, orgDomain: null };
  const fetch = (d: string) => known.find((k) => k.domain === d) ?? fetchDmarc(d, resolver);
  let a = await fetch(domain);
  let source: Rfc7489Discovery['source'] = 'author';
  let orgDomain: string | null = null;
  if (!isTemporary(a) && a.records.length === 0) {
    orgDomain = await pslOrganizationalDomain(domain);
    if (orgDomain === domain) return { ...none, orgDomain };
    a = await fetch(orgDomain);
    source = 'organizational';
  }
  if (isTemporary(a)) return { ...none, orgDomain, temporary: a };
  if (a.records.length > 1) return { ...none, orgDomain, multiple: a };
  if (a.records.length === 0) return { ...none, orgDomain };
  return { source, recordDomain: a.domain, record: a.records[0]!, orgDomain };
}
