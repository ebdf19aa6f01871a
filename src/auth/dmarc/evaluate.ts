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
  pslOrganizationalDomain,
  topLabel,
  type DmarcAnswer,
  type PolicySource,
} from './discovery.js';
import { dmarcValues, parseDmarcRecord, type DmarcPolicy, type DmarcRecord, type DmarcValues } from './record.js';

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
const WEAKER: Record<DmarcPolicy, DmarcPolicy> = { reject: 'quarantine', quarantine: 'none', none: 'none' };

export async function evaluateDmarc(input: DmarcInput, resolver: Resolver): Promise<DmarcVerdict> {
  return (await evaluateMessageDmarc(input, resolver)).verdict;
}

export async function evaluateMessageDmarc(input: DmarcInput, resolver: Resolver): Promise<DmarcEvaluation> {
  const first = input.fromDomains[0] || null;
  const unaligned = input.dkim.map(() => false);
  const fail = (reason: string): DmarcEvaluation => ({
    verdict: { ...emptyVerdict(first), result: 'permerror', reason },
    dkimAligned: unaligned,
  });
  // RFC 9989 §4.4: a repeated From: field makes the message invalid (RFC 5322 §3.6): no DMARC policy can be trusted.
  if (input.fromFieldCount > 1) return fail(`the message has ${input.fromFieldCount} From: fields`);
  if (!input.fromAddresses.length || input.fromDomains.some((d) => !d))
    return fail('the message has no usable From: address');
  const domains = [...new Set(input.fromDomains)];
  if (domains.length > MAX_AUTHOR_DOMAINS)
    return fail(
      `From: has ${domains.length} author domains; at most ${MAX_AUTHOR_DOMAINS} are evaluated, so the evaluation is incomplete (RFC 9989 §11.5)`,
    );
  const ctx: Ctx = { resolver, orgs: new OrgDomains(resolver) };
  const evals = await Promise.all(domains.map((d) => evaluateAuthor(d, input, ctx)));
  if (evals.length === 1) return evals[0]!;
  return combine(evals);
}

interface Ctx {
  resolver: Resolver;
  orgs: OrgDomains;
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
  if (found.source !== 'author') ctx.orgs.seed(found.walk);
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
    values = dmarcValues(parse(found.record), 'rfc9989');
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
      verdict.disposition = values!.testing ? WEAKER[policy] : policy;
      verdict.reason = failReason(input, domain);
    }
  }
  const rfc7489 = await rfc7489Outcome(domain, input, ctx, found.walk.answers);
  if (differs(verdict, rfc7489)) verdict.rfc7489 = rfc7489;
  return { verdict, dkimAligned: alignment.perDkim };
}

/** Parsed records by text: a receiver sees the same few records again and again. */
const parsed = new Map<string, DmarcRecord>();
const PARSED_MAX = 1000;

function parse(record: string): DmarcRecord {
  let r = parsed.get(record);
  if (!r) {
    r = parseDmarcRecord(record);
    parsed.set(record, r);
    if (parsed.size > PARSED_MAX) parsed.delete(parsed.keys().next().value!);
  }
  return r;
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
  // Organizational Domain" answers from the author's walk alone.
  const perDkim = await Promise.all(
    input.dkim.map((d) =>
      d.result === 'pass' ? check(d.domain, adkim) : underAuthorOrg(author, d.domain, adkim, ctx, head),
    ),
  );
  const dkim = input.dkim.some((d, i) => d.result === 'pass' && perDkim[i]);
  // Only an SPF pass is an authenticated identifier (§4.4.2).
  const spf = input.spf?.result === 'pass' && (await check(input.spf.domain, aspf));
  return { spf, dkim, perDkim, ...(temporary ? { temporary } : {}) };
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

async function underAuthorOrg(
  author: string,
  otherRaw: string | null,
  mode: 'r' | 's',
  ctx: Ctx,
  head: DmarcAnswer,
): Promise<boolean> {
  const other = normalize(otherRaw);
  if (!other || other === author) return other === author;
  if (mode === 's' || topLabel(other) !== topLabel(author)) return false;
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
  const d = await discoverPolicyRfc7489(domain, ctx.resolver, known);
  if (d.temporary) return { ...none, result: 'temperror', reason: `${d.temporary.name}: ${d.temporary.status}` };
  if (d.multiple)
    return {
      ...none,
      reason: `${d.multiple.name} has ${d.multiple.records.length} DMARC records: no DMARC at all (RFC 7489 §6.6.3 step 5)`,
    };
  if (d.record === null) return { ...none, reason: 'no DMARC record at the domain or its PSL organizational domain' };
  const v = dmarcValues(parse(d.record), 'rfc7489');
  const base = { ...none, recordDomain: d.recordDomain, pct: v.pct };
  if (v.degraded === 'ignored')
    return { ...base, reason: 'no valid p= (or an invalid sp=) and no valid rua=: no DMARC (RFC 7489 §6.6.3 step 6)' };
  const policy = d.source === 'author' ? v.policy! : v.subdomainPolicy!;
  let pass = false;
  for (const s of input.dkim) if (s.result === 'pass' && (await aligned7489(domain, s.domain, v.adkim))) pass = true;
  if (!pass && input.spf?.result === 'pass') pass = await aligned7489(domain, input.spf.domain, v.aspf);
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
  const authors: DmarcAuthorVerdict[] = verdicts.map((v) => ({
    domain: v.domain!,
    result: v.result,
    policy: v.policy,
    disposition: v.disposition,
    recordDomain: v.recordDomain,
    pct: v.pct,
    ...(v.reason ? { reason: v.reason } : {}),
  }));
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
