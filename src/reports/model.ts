// The JSON of `mailcheck report` (documented in README.md here): source rows, TLS failure rows and one summary per
// domain, as the aggregation, the classification and the verdict fill them in.
import type { Finding } from '../core/result.js';

export type SourceGroup = 'aligned' | 'own' | 'forwarder' | 'unknown';

export interface Fix {
  /** 'spf-include', 'spf-ip', 'dkim-key', 'dkim-sign', 'return-path'. */
  kind: string;
  /** One sentence: what to change. */
  action: string;
  /** The SPF term to add ("include:_spf.google.com", "ip4:192.0.2.7"). */
  spf?: string;
  /** The DKIM selector concerned. */
  selector?: string;
}

export interface DkimSeen {
  domain: string | null;
  selector: string | null;
  /** Messages by auth_results result (pass, fail, none, …). */
  results: Record<string, number>;
}

export interface SourceRow {
  type: 'source';
  domain: string;
  ip: string;
  /** The forward-confirmed reverse name (FCrDNS); null when there is none. */
  name: string | null;
  /** Every PTR name, confirmed or not. */
  ptr: string[];
  fcrdns: boolean;
  messages: number;
  /** ISO dates of the earliest report begin and the latest report end that mention this source. */
  first: string | null;
  last: string | null;
  reporters: string[];
  /** Messages that passed DMARC (aligned SPF or DKIM pass, as the reporter evaluated) and those that did not. */
  dmarc: { pass: number; fail: number };
  /** Messages whose aligned SPF / aligned DKIM passed (policy_evaluated). */
  aligned: { spf: number; dkim: number };
  /** Messages by SPF result (auth_results, before alignment). */
  spf: Record<string, number>;
  /** Domains SPF was checked for (the MAIL FROM / HELO domains). */
  spfDomains: string[];
  dkim: DkimSeen[];
  /** Messages by the disposition the receiver applied (none, quarantine, reject, pass). */
  disposition: Record<string, number>;
  headerFrom: string[];
  envelopeFrom: string[];
  /** Messages by policy override reason (forwarded, mailing_list, local_policy, …). */
  reasons: Record<string, number>;
  /** A few of the reasons' comments, as written by reporters (e.g. "arc=pass"). */
  comments: string[];
  group: SourceGroup;
  /** Why it is in that group, in one sentence ("in the SPF record via include:_spf.example.net"). */
  why: string;
  fix?: Fix;
}

export interface TlsFailureRow {
  type: 'tls-failure';
  domain: string;
  /** receiving-mx-hostname, or the receiving IP when no name was given. */
  mx: string;
  resultType: string;
  sessions: number;
  reporters: string[];
  first: string | null;
  last: string | null;
  receivingIps: string[];
  /** A few additional-information / failure-reason-code texts as written. */
  details: string[];
  /** What the MX shows now (with --smtp), joined to the failure type. */
  now?: { status: 'fixed' | 'still-failing' | 'unknown'; message: string };
}

export interface GroupTotals {
  sources: number;
  messages: number;
}

export interface DmarcVerdict {
  /** Messages judged legitimate: aligned-passing ones plus the failing ones of own infrastructure and forwarders. */
  legitimate: number;
  /** Legitimate messages that fail DMARC: what p=quarantine/p=reject would send to spam or refuse. */
  atRisk: number;
  /** atRisk / legitimate (0..1). */
  lostShare: number;
  /** Share of legitimate mail that failed from own infrastructure alone. */
  ownShare: number;
  quarantineReady: boolean;
  rejectReady: boolean;
  /** One sentence. */
  summary: string;
  /** Sources to fix first, most messages first. */
  fixFirst: { ip: string; name: string | null; messages: number; group: SourceGroup; fix?: Fix; why: string }[];
}

export interface DomainSummary {
  type: 'domain';
  domain: string;
  first: string | null;
  last: string | null;
  reports: { dmarc: number; tlsrpt: number };
  reporters: { name: string; reports: number }[];
  /** The policy the reports say was published (from the newest report). */
  published: { p?: string; sp?: string; np?: string; pct?: number; adkim?: string; aspf?: string } | null;
  /** The domain's DMARC policy in DNS now, when it was looked up; `temporary`: the lookup failed (both null). */
  current?: { record: string | null; policy: string | null; temporary?: true };
  messages: number;
  dmarc: { pass: number; fail: number };
  groups: Record<SourceGroup, GroupTotals>;
  verdict: DmarcVerdict | null;
  tls: { successful: number; failed: number; byType: Record<string, number>; byMx: Record<string, number> } | null;
  /** Required fields reports left out, with how many reports lacked each. */
  missing: Record<string, number>;
  findings: Finding[];
}

export interface InputsSummary {
  type: 'inputs';
  files: number;
  /** Reports read (after duplicates were dropped). */
  reports: number;
  duplicates: number;
  /** Reports outside --since/--until, or without a date range when those are given. */
  outOfRange: number;
  /** Messages without a report in them (a Maildir also holds other mail). */
  messagesWithoutReport: number;
  /** Inputs (or parts of them) that could not be read, each with why; at most 100 listed, `unreadable` counts all. */
  unreadable: number;
  problems: { input: string; code: string; message: string }[];
  findings: Finding[];
}
