// DMARC for one message (RFC 9989 §5.3, which obsoletes RFC 7489 §6.6): policy discovery by tree walk, identifier
// alignment (§4.4, §4.10.2), pass or fail, and the policy that applies (p, or sp/np for subdomains, t=y one level
// weaker). Where a receiver still on RFC 7489 (Public Suffix List, pct) would decide otherwise, that outcome is
// kept beside the verdict. The verdict `verify` and `receive` give; I/O only through the given resolver.
import type { Resolver } from '../../dns/types.js';
import {
  applicablePolicy,
  discoverPolicy,
  discoverPolicyRfc7489,
  OrgDomains,
  type Rfc7489Discovery,
  pslOrganizationalDomain,
  topLabel,
  type DmarcAnswer,
  type PolicySource,
  type TreeWalk,
} from './discovery.js';
import {
  dmarcValues,
  parseDmarcRecord,
  WEAKER_POLICY,
  type DmarcPolicy,
  type DmarcReading,
  type DmarcValues,
} from './record.js';

/** The DMARC result vocabulary (RFC 8601 §2.7.x as registered for dmarc, RFC 9989 §9.2), declared once. */
export type DmarcResultValue = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';

/** What one reading (RFC 9989 or RFC 7489) decides for one author domain. */
export interface DmarcOutcome {
  result: DmarcResultValue;
  /** The policy the domain asks for this message's From: domain (p=, or sp=/np= for a subdomain); null without one. */
  policy: DmarcPolicy | null;
  /** What a receiver applying the policy does with this message: none when it passes. */
  disposition: DmarcPolicy;
  recordDomain: string | null;
  /** pct= as the RFC 7489 reading applies it (the RFC 9989 reading always has 100). */
  pct: number;
  reason?: string;
}

export interface DmarcAuthorVerdict extends DmarcOutcome {
  domain: string;
}

export interface DmarcVerdict {
  result: DmarcResultValue;
  /** The policy the domain asks for this message's From: domain (p=, or sp=/np= for a subdomain); null without a record. */
  policy: DmarcPolicy | null;
  aligned: { spf: boolean; dkim: boolean };
  /** The RFC5322.From domain (with several, the one that decided). */
  domain: string | null;
  recordDomain: string | null;
  record: string | null;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  /** pct= as published (default 100): RFC 9989 removed it, so only RFC 7489 receivers apply it. */
  pct: number;
  /** t=y (RFC 9989 §4.7): the policy applies one level weaker (always set by evaluateDmarc). */
  testing?: boolean;
  /** What a receiver applying the policy does with this message (RFC 9989 §5.3.6): none when it passes. */
  disposition: DmarcPolicy;
  /** Where the record came from (RFC 9989 §4.10.1). */
  source?: PolicySource | null;
  /** The From: domain's Organizational Domain by tree walk (§4.10.2), when it was needed. */
  orgDomain?: string;
  reason?: string;
  /** From: with several author domains (RFC 7489 §6.6.1, RFC 9989 §11.5): each one's verdict. */
  authors?: DmarcAuthorVerdict[];
  /** What a receiver still on RFC 7489 (PSL, pct, no t=/np=/psd=) decides, when that differs. */
  rfc7489?: DmarcOutcome;
}

export interface DmarcInput {
  /** The addresses of the From: field(s), in order ('' for one that could not be parsed). */
  fromAddresses: readonly string[];
  /** The domain of each address (an A-label, '' when there is none), parallel to fromAddresses. */
  fromDomains: readonly string[];
  fromFieldCount: number;
  spf: { result: string; domain: string } | null;
  dkim: readonly { result: string; domain: string | null }[];
}

export interface DmarcEvaluation {
  verdict: DmarcVerdict;
  /** Per input.dkim entry: whether d= aligns with the deciding From: domain under its adkim. */
  dkimAligned: boolean[];
}

/**
 * Author domains evaluated at most: RFC 9989 §11.5 recommends limiting them, as each may cost a tree walk.
 * Beyond it the evaluation is incomplete: permerror.
 */
export const MAX_AUTHOR_DOMAINS = 5;

const RANK: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 };

export async function evaluateDmarc(input: DmarcInput, resolver: Resolver): Promise<DmarcVerdict> {
  return (await evaluateMessageDmarc(input, resolver)).verdict;
}

export async function evaluateMessageDmarc(input: DmarcInput, resolver: Resolver): Promise<DmarcEvaluation> {
  const fail = (reason: string): DmarcEvaluation => ({
    verdict: { ...emptyVerdict(input.fromDomains[0] || null), result: 'permerror', reason },
    dkimAligned: input.dkim.map(() => false),
  });
  // RFC 9989 §4.4: a repeated From: field makes the message invalid (RFC 5322 §3.6): no DMARC policy can be trusted.
  if (input.fromFieldCount > 1) return fail(`the message has ${input.fromFieldCount} From: fields`);
  if (!input.fromAddresses.length || input.fromDomains.some((d) => !d))
    return fail('the message has no usable From: address');
  const ctx = new Ctx(resolver);
  // One author domain is the common case: the receiver's hot path, kept free of the several-domain machinery.
  if (input.fromDomains.length === 1) return evaluateAuthor(input.fromDomains[0]!, input, ctx);
  const domains = [...new Set(input.fromDomains)];
  if (domains.length > MAX_AUTHOR_DOMAINS)
    return fail(
      `From: has ${domains.length} author domains; at most ${MAX_AUTHOR_DOMAINS} are evaluated, so the evaluation is incomplete (RFC 9989 §11.5)`,
    );
  const evals = await Promise.all(domains.map((d) => evaluateAuthor(d, input, ctx)));
  if (evals.length === 1) return evals[0]!;
  return combine(evals);
}

/** One evaluation's resolver, and its Organizational Domains, made only when a walk is needed. */
class Ctx {
  private walks?: OrgDomains;
  constructor(readonly resolver: Resolver) {}
  get orgs(): OrgDomains {
    return (this.walks ??= new OrgDomains(this.resolver));
  }
  /** Seeds only when the walks are wanted anyway. */
  seed(walk: TreeWalk): void {
    this.orgs.seed(walk);
  }
}

function emptyVerdict(domain: string | null): DmarcVerdict {
  return {
    result: 'none',
    policy: null,
    aligned: { spf: false, dkim: false },
    domain,
    recordDomain: null,
    record: null,
    adkim: 'r',
    aspf: 'r',
    pct: 100,
    testing: false,
    disposition: 'none',
  };
}

/** One author domain under RFC 9989, with the RFC 7489 outcome beside it when it differs. */
async function evaluateAuthor(domain: string, input: DmarcInput, ctx: Ctx): Promise<DmarcEvaluation> {
  const found = await discoverPolicy(domain, ctx.resolver);
  // A walk above the domain also gave its Organizational Domain; a record of its own did not need one.
  if (found.source !== 'author') ctx.seed(found.walk);
  const head = found.walk.answers[0]!;
  const verdict = emptyVerdict(domain);
  if (found.temporary) {
    verdict.result = 'temperror';
    verdict.reason = `DMARC lookup for ${found.temporary.name} failed: ${found.temporary.status.toUpperCase()}`;
    return { verdict, dkimAligned: input.dkim.map(() => false) };
  }
  verdict.source = found.source;
  if (found.orgDomain) verdict.orgDomain = found.orgDomain;
  let values: DmarcValues | null = null;
  if (found.record !== null) {
    values = valuesOf(found.record, 'rfc9989');
    Object.assign(verdict, {
      recordDomain: found.recordDomain,
      record: found.record,
      adkim: values.adkim,
      aspf: values.aspf,
      pct: values.pct,
      testing: values.testing,
    });
  }
  const alignment = await align(domain, input, verdict.adkim, verdict.aspf, ctx, head);
  verdict.aligned = { spf: alignment.spf, dkim: alignment.dkim };
  if (found.record === null) {
    if (head.records.length > 1)
      verdict.reason = `${head.name} has ${head.records.length} DMARC records, all discarded, and no record applies above it (RFC 9989 §4.10)`;
  } else if (values!.degraded === 'ignored') {
    verdict.reason = `the record at _dmarc.${found.recordDomain} has an invalid p=, sp= or np= and no valid rua=: no DMARC processing (RFC 9989 §4.10.1)`;
  } else {
    const policy = await applicablePolicy(domain, values!, found.source!, head, ctx.resolver);
    const pass = alignment.spf || alignment.dkim;
    verdict.policy = policy;
    if (pass) verdict.result = 'pass';
    else if (alignment.temporary) {
      verdict.result = 'temperror';
      verdict.reason = `identifier alignment could not be decided: ${alignment.temporary}`;
    } else {
      verdict.result = 'fail';
      verdict.disposition = values!.testing ? WEAKER_POLICY[policy] : policy;
      verdict.reason = failReason(input, domain);
    }
  }
  const rfc7489 = await rfc7489Outcome(domain, input, ctx, found.walk.answers);
  if (differs(verdict, rfc7489)) verdict.rfc7489 = rfc7489;
  return { verdict, dkimAligned: alignment.perDkim };
}

/** A record's values under each reading, by its text: a receiver sees the same few records again and again. */
const known = new Map<string, Partial<Record<DmarcReading, DmarcValues>>>();
const KNOWN_MAX = 1000;

function valuesOf(record: string, reading: DmarcReading): DmarcValues {
  let byReading = known.get(record);
  if (!byReading) {
    byReading = {};
    known.set(record, byReading);
    if (known.size > KNOWN_MAX) known.delete(known.keys().next().value!);
  }
  return (byReading[reading] ??= dmarcValues(parseDmarcRecord(record), reading));
}

interface Alignment {
  spf: boolean;
  dkim: boolean;
  perDkim: boolean[];
  /** Why an alignment could not be decided (a tree walk failed), when one could not. */
  temporary?: string;
}

/** RFC 9989 §4.4, §4.10.2: strict is the same name, relaxed the same Organizational Domain (by tree walk). */
async function align(
  author: string,
  input: DmarcInput,
  adkim: 'r' | 's',
  aspf: 'r' | 's',
  ctx: Ctx,
  head: DmarcAnswer,
): Promise<Alignment> {
  let temporary: string | undefined;
  const check = async (other: string | null, mode: 'r' | 's'): Promise<boolean> => {
    const r = await aligned9989(author, other, mode, ctx, head);
    if (r === 'temporary') {
      temporary ??= `the Organizational Domain of ${other} or ${author} could not be found (DNS failure)`;
      return false;
    }
    return r;
  };
  // Every signature gets its flag (the report shows it), but only passing ones count for DMARC (§4.4.1) and only an
  // authenticated identifier earns a tree walk of its own (§4.10.2): a stranger choosing d= for signatures that do
  // not verify cannot make the receiver walk one name each. For those, "at or under the From: domain's
  // Organizational Domain" answers from the author's walk alone. Most answers need no DNS (same name, strict,
  // different TLDs): those are not awaited.
  const perDkim: boolean[] = [];
  for (const d of input.dkim) {
    const quick = sameOrApart(author, d.domain, adkim);
    if (quick !== undefined) perDkim.push(quick);
    else if (d.result === 'pass') perDkim.push(await check(d.domain, adkim));
    else perDkim.push(await underAuthorOrg(author, d.domain, ctx, head));
  }
  let dkim = false;
  for (let i = 0; i < perDkim.length; i++) if (perDkim[i] && input.dkim[i]!.result === 'pass') dkim = true;
  // Only an SPF pass is an authenticated identifier (§4.4.2).
  let spf = false;
  if (input.spf?.result === 'pass')
    spf = sameOrApart(author, input.spf.domain, aspf) ?? (await check(input.spf.domain, aspf));
  const out: Alignment = { spf, dkim, perDkim };
  if (temporary) out.temporary = temporary;
  return out;
}

/**
 * Alignment decided without DNS: the same name aligns; under strict alignment (§4.4) nothing else does, nor do
 * names under different TLDs, which share no Organizational Domain. Otherwise undefined: a tree walk decides.
 */
function sameOrApart(author: string, otherRaw: string | null, mode: 'r' | 's'): boolean | undefined {
  const other = normalize(otherRaw);
  if (!other) return false;
  if (other === author) return true;
  if (mode === 's' || topLabel(other) !== topLabel(author)) return false;
  return undefined;
}

async function aligned9989(
  author: string,
  otherRaw: string | null,
  mode: 'r' | 's',
  ctx: Ctx,
  head: DmarcAnswer,
): Promise<boolean | 'temporary'> {
  const other = normalize(otherRaw);
  if (!other) return false;
  if (other === author) return true;
  // Relaxed alignment needs an Organizational Domain in common; names under different TLDs share none.
  if (mode === 's' || topLabel(other) !== topLabel(author)) return false;
  const [a, b] = await Promise.all([ctx.orgs.of(author, head), ctx.orgs.of(other)]);
  if (a === null || b === null) return 'temporary';
  return a === b;
}

/** A failing signature's d= (relaxed, same TLD): at or under the From: domain's Organizational Domain. */
async function underAuthorOrg(author: string, otherRaw: string | null, ctx: Ctx, head: DmarcAnswer): Promise<boolean> {
  const other = normalize(otherRaw);
  const org = await ctx.orgs.of(author, head);
  return org !== null && (other === org || other.endsWith(`.${org}`));
}

async function aligned7489(author: string, otherRaw: string | null, mode: 'r' | 's'): Promise<boolean> {
  const other = normalize(otherRaw);
  if (!other) return false;
  if (other === author) return true;
  if (mode === 's') return false;
  return (await pslOrganizationalDomain(author)) === (await pslOrganizationalDomain(other));
}

function normalize(d: string | null): string {
  return (d ?? '').toLowerCase().replace(/\.$/, '');
}

/** RFC 7489 §6.6: discovery by the PSL, p/sp only (step 6 for a missing p=), pct, no t=. */
async function rfc7489Outcome(
  domain: string,
  input: DmarcInput,
  ctx: Ctx,
  known: readonly DmarcAnswer[],
): Promise<DmarcOutcome> {
  const none: DmarcOutcome = { result: 'none', policy: null, disposition: 'none', recordDomain: null, pct: 100 };
  // The domain's own single record is what RFC 7489 takes too (§6.6.3 steps 1-2): no PSL, nothing to await.
  const own = known[0]!.records.length === 1 ? known[0]!.records[0]! : null;
  const d: Rfc7489Discovery =
    own === null
      ? await discoverPolicyRfc7489(domain, ctx.resolver, known)
      : { source: 'author', recordDomain: domain, record: own, orgDomain: null };
  if (d.temporary) return { ...none, result: 'temperror', reason: `${d.temporary.name}: ${d.temporary.status}` };
  if (d.multiple)
    return {
      ...none,
      reason: `${d.multiple.name} has ${d.multiple.records.length} DMARC records: no DMARC at all (RFC 7489 §6.6.3 step 5)`,
    };
  if (d.record === null) return { ...none, reason: 'no DMARC record at the domain or its PSL organizational domain' };
  const v = valuesOf(d.record, 'rfc7489');
  const base = { ...none, recordDomain: d.recordDomain, pct: v.pct };
  if (v.degraded === 'ignored')
    return { ...base, reason: 'no valid p= (or an invalid sp=) and no valid rua=: no DMARC (RFC 7489 §6.6.3 step 6)' };
  const policy = d.source === 'author' ? v.policy! : v.subdomainPolicy!;
  let pass = false;
  for (const s of input.dkim) {
    if (pass || s.result !== 'pass') continue;
    pass = (normalize(s.domain) === domain && s.domain !== null) || (await aligned7489(domain, s.domain, v.adkim));
  }
  if (!pass && input.spf?.result === 'pass')
    pass = normalize(input.spf.domain) === domain || (await aligned7489(domain, input.spf.domain, v.aspf));
  if (pass) return { ...base, result: 'pass', policy };
  // §6.6.4: pct=N applies the policy to N% of failing mail and the next weaker one to the rest.
  return { ...base, result: 'fail', policy, disposition: policy };
}

/** Does a receiver on RFC 7489 treat this message otherwise than one on RFC 9989? */
function differs(v: DmarcVerdict, o: DmarcOutcome): boolean {
  if (v.result !== o.result || v.policy !== o.policy || v.recordDomain !== o.recordDomain) return true;
  if (o.result !== 'fail') return false;
  return v.disposition !== o.disposition || (o.pct < 100 && o.policy !== 'none');
}

/**
 * RFC 7489 §6.6.1 (which RFC 9989 §11.5 recommends for a receiver that goes on): DMARC for each author domain,
 * and the strictest policy among those that fail applies. A DNS failure with no failure leaves it undecided.
 */
function combine(evals: DmarcEvaluation[]): DmarcEvaluation {
  const verdicts = evals.map((e) => e.verdict);
  const failing = evals.filter((e) => e.verdict.result === 'fail');
  let decider: DmarcEvaluation;
  let result: DmarcResultValue;
  if (failing.length) {
    decider = failing.reduce((a, b) => (RANK[b.verdict.disposition] > RANK[a.verdict.disposition] ? b : a));
    result = 'fail';
  } else {
    decider =
      evals.find((e) => e.verdict.result === 'temperror') ??
      evals.find((e) => e.verdict.result === 'pass') ??
      evals[0]!;
    result = decider.verdict.result;
  }
  const authors = verdicts.map((v) => {
    const a: DmarcAuthorVerdict = {
      domain: v.domain!,
      result: v.result,
      policy: v.policy,
      disposition: v.disposition,
      recordDomain: v.recordDomain,
      pct: v.pct,
    };
    if (v.reason) a.reason = v.reason;
    return a;
  });
  const names = verdicts.map((v) => `${v.domain} ${v.result}`).join(', ');
  return {
    verdict: {
      ...decider.verdict,
      result,
      authors,
      reason: `From: has ${verdicts.length} author domains (${names}): each is evaluated and the strictest failing policy applies (RFC 7489 §6.6.1, RFC 9989 §11.5)${decider.verdict.reason ? `; ${decider.verdict.domain}: ${decider.verdict.reason}` : ''}`,
    },
    dkimAligned: decider.dkimAligned,
  };
}

function failReason(input: DmarcInput, domain: string): string {
  const dkimPass = input.dkim.filter((d) => d.result === 'pass');
  const parts = [
    dkimPass.length
      ? `DKIM passed only for ${dkimPass.map((d) => d.domain).join(', ')}, not aligned with ${domain}`
      : 'no DKIM signature passed',
  ];
  if (input.spf === null) parts.push('SPF not checked (no client IP)');
  else if (input.spf.result === 'pass') parts.push(`SPF passed for ${input.spf.domain}, not aligned with ${domain}`);
  else parts.push(`SPF ${input.spf.result}`);
  return parts.join('; ');
}
