// The shapes of SPF (RFC 7208): parsed terms, the include/redirect tree with per-term lookup costs,
// the check_host() evaluation, and the result `mailcheck spf` prints as JSON (shared/CONTRACT.md).
import type { Finding, Step } from '../../core/result.js';

export type Qualifier = '+' | '-' | '~' | '?';
export type SpfResultCode = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

/** One term of a record, with its place in the text so a report can point at it. */
export interface SpfTerm {
  /** The term as published. */
  raw: string;
  /** Offsets of the term in the record text (end exclusive). */
  start: number;
  end: number;
  kind: 'mechanism' | 'modifier';
  /** Lowercase: 'include', 'ip4', 'redirect', 'exp', or an unknown modifier's name. */
  name: string;
  /** Mechanisms only; '+' when none was written. */
  qualifier?: Qualifier;
  /** The domain-spec of include/a/mx/ptr/exists/redirect/exp, unexpanded. */
  domainSpec?: string;
  /** ip4/ip6 network as written. */
  network?: string;
  /** CIDR lengths when written (a, mx: both; ip4: cidr4; ip6: cidr6). */
  cidr4?: number;
  cidr6?: number;
  /** Unknown modifiers: the value (a macro-string). */
  value?: string;
  /** Syntax error in this term: the record is a permerror (RFC 7208 §4.6). */
  error?: string;
}

export interface SpfSyntaxError {
  message: string;
  /** Offsets in the record text of the offending part. */
  start: number;
  end: number;
  term?: string;
}

export interface ParsedSpf {
  text: string;
  /** True when the text starts with the version section `v=spf1` (RFC 7208 §4.5). */
  isSpf: boolean;
  terms: SpfTerm[];
  errors: SpfSyntaxError[];
  redirect?: SpfTerm;
  exp?: SpfTerm;
}

/** What a term costs against the RFC 7208 §4.6.4 limits. */
export interface SpfCost {
  /** 1 for include, a, mx, ptr, exists and redirect; 0 for the others. */
  lookups: number;
  /** 1 when this term's DNS query came back empty (NODATA/NXDOMAIN); null when unknown without --ip. */
  voidLookups: number | null;
  /** DNS queries actually needed (mx: the MX query plus one address query per MX host). */
  queries?: number;
  /** How this term is counted, in words. */
  note?: string;
}

export interface SpfTreeTerm extends SpfTerm {
  /** Expanded target name (include, a, mx, ptr, exists, redirect, exp), when it could be expanded. */
  target?: string;
  cost: SpfCost;
  /** DNS-querying terms counted up to and including this one, in evaluation order across the tree. */
  runningLookups: number;
  runningVoid: number;
  /** Set on the term where check_host() would give permerror for the lookup limit (the 11th) or void limit (the 3rd). */
  stopsEvaluation?: 'lookups' | 'void';
  /** Terms after `all`, or a redirect in a record with `all`: never evaluated. */
  unreachable?: boolean;
  /** include/redirect: the target's record. */
  child?: SpfTree;
  /** mx: the number of MX records of the target. */
  mxCount?: number;
  /** Lookup result for a/mx/exists when it was done: 'ok' | 'void' | a temporary status. */
  lookup?: string;
}

export type SpfTreeStatus =
  'ok' | 'invalid' | 'none' | 'nxdomain' | 'multiple' | 'temporary' | 'loop' | 'not-followed' | 'bad-name';

export interface SpfTree {
  domain: string;
  /** The record as published (character-strings joined), or null. */
  record: string | null;
  /** The record's character-strings as published (RFC 7208 §3.3). */
  strings?: string[];
  status: SpfTreeStatus;
  /** When status is 'multiple': every v=spf1 record. */
  records?: string[];
  /** TXT records that look meant as SPF but are not selected (RFC 7208 §4.5): a leading space, "v=spf1mx"… */
  ignored?: string[];
  /** Why the record was not fetched or is unusable (not-followed, temporary, bad-name). */
  note?: string;
  errors: SpfSyntaxError[];
  terms: SpfTreeTerm[];
  /** DNS-querying terms in this record and below. */
  lookups: number;
  voidLookups: number;
}

/** One step of check_host(), in the order it happened. */
export interface SpfEvalStep {
  depth: number;
  domain: string;
  term: string;
  outcome: 'match' | 'no-match' | 'error' | 'record';
  detail: string;
  lookups: number;
  voidLookups: number;
}

export interface SpfMatch {
  domain: string;
  term: string;
}

export interface SpfEvaluation {
  result: SpfResultCode;
  /** From the exp= of the record that failed (RFC 7208 §6.2); absent when there is none. */
  explanation?: string;
  /** The chain of terms that decided, outermost first (include:… → ip4:…). */
  matched: SpfMatch[];
  /** Why, in one sentence. */
  reason: string;
  lookups: number;
  voidLookups: number;
  steps: SpfEvalStep[];
}

export interface SpfIdentity {
  ip?: string;
  /** MAIL FROM as used: postmaster@<helo> for the null sender (RFC 7208 §2.4). */
  sender: string;
  helo?: string;
}

export interface SpfResult {
  kind: 'spf';
  domain: string;
  record: string | null;
  lookups: number;
  voidLookups: number;
  tree: SpfTree | null;
  result?: SpfResultCode;
  explanation?: string;
  findings: Finding[];
  steps: Step[];
  /** The inputs check_host() used. */
  identity?: SpfIdentity;
  /** With --ip: how check_host() went, step by step. */
  evaluation?: SpfEvaluation;
  /** Published records of the deprecated SPF RR type (RFC 7208 §3.1), when any. */
  spfRrType?: string[];
}

export const LOOKUP_LIMIT = 10;
export const VOID_LIMIT = 2;
/** RFC 7208 §4.6.4: at most 10 MX names per mx, at most 10 PTR names per ptr or %{p}. */
export const MX_LIMIT = 10;
export const PTR_LIMIT = 10;
