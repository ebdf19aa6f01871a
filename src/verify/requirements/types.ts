// The bulk-sender verdict's data: one entry per rule of Gmail's "Email sender guidelines" and Yahoo's "Sender
// Best Practices" (2024) that a single message can show, each pass / fail / not-applicable with the reason.
import type { ClientName } from '../../receive/client-name.js';

export type RequirementResult = 'pass' | 'fail' | 'not-applicable';

/** Whom the mailbox providers ask it of: every sender, or bulk senders (Gmail: ~5,000 messages a day or more). */
export type RequirementScope = 'all' | 'bulk';

export interface Requirement {
  /** Stable and dotted, documented in src/verify/requirements/README.md: 'transport.tls'. */
  id: string;
  result: RequirementResult;
  /** One sentence: what was seen. */
  reason: string;
  scope: RequirementScope;
  /** A bulk-sender rule judged without --bulk: shown as advice, not counted in the verdict. */
  advisory: boolean;
  /** Where the rule comes from: 'Gmail, Yahoo; RFC 8058 §3.1'. */
  ref: string;
  /** A DNS failure kept us from judging (result is fail). */
  temporary?: boolean;
  /** format.rfc5322 only: each departure from RFC 5322, with its own stable id. */
  problems?: FormatProblem[];
}

/**
 * A requirement as receive's line per message carries it: what the issue asked of it ({ id, result, reason }), plus
 * `advisory`, `temporary` and `problems` when they are set. The rule's scope and source (`scope`, `ref`) are the
 * same for every message: they are in verify's JSON and src/verify/requirements/README.md, not in every line.
 */
export interface RequirementLine {
  id: string;
  result: RequirementResult;
  reason: string;
  advisory?: true;
  temporary?: true;
  problems?: FormatProblem[];
}

export interface FormatProblem {
  /** 'format.date.missing' */
  id: string;
  message: string;
}

export interface RequirementsVerdict {
  /** Which rules were enforced: the all-senders ones, or (--bulk) the bulk-sender ones too. */
  profile: RequirementScope;
  /** fail when an enforced rule failed; temperror when one could not be judged for a DNS failure; else pass. */
  result: 'pass' | 'fail' | 'temperror';
  /** Ids of the enforced rules that failed. */
  failed: string[];
  /** Ids of the advisory (bulk-only) rules that failed. */
  advice: string[];
}

/**
 * What is known of the SMTP connection that delivered the message: everything in `receive`; from --ip/--helo
 * and our own topmost Received: in `verify`.
 */
export interface ConnectionFacts {
  /** smtp: receive saw it; options: --ip/--helo; received: read from our own topmost Received: field. */
  source: 'smtp' | 'options' | 'received';
  ip?: string;
  helo?: string;
  /** true or false when known; null when nothing says (verify without a Received: of ours). */
  tls: boolean | null;
  tlsProtocol?: string;
  cipher?: string;
  /** The receiver that wrote the Received: field (source received). */
  by?: string;
  /** Forward-confirmed reverse DNS when it was already looked up (receive does so at connect). */
  client?: ClientName;
}
