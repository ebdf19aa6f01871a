// The shapes of a verified message: its verdict (`verifyMessage`, shared by verify and receive) and the items
// `verify` reports per file — a verdict, or why the file could not be verified.
import type { Finding } from '../core/result.js';
import type { ArcVerdict } from './arc.js';
import type { DkimSignatureResult } from './dkim/verify.js';
import type { DmarcVerdict } from './dmarc.js';
import type { ConnectionFacts, Requirement, RequirementsVerdict } from './requirements/types.js';
import type { SpfVerdict } from './spf.js';

export interface DkimVerdict extends DkimSignatureResult {
  /** d= aligns with the From: domain under the DMARC record's adkim (relaxed without a record, RFC 9989 §4.4). */
  aligned: boolean;
}

export interface MessageVerdict {
  /** The From: address (the first one when there are several), or null. */
  from: string | null;
  subject?: string;
  messageId?: string;
  dkim: DkimVerdict[];
  spf: SpfVerdict | null;
  dmarc: DmarcVerdict;
  arc: ArcVerdict;
  /** DKIM-Signature fields past the per-message cap (MAX_SIGNATURES), not verified; absent when none. */
  dkimNotVerified?: number;
  /** Header fields holding a bare CR (RFC 5322 §2.2); absent when none. DMARC is permerror then. */
  bareCr?: string[];
  authenticationResults: string;
  findings: Finding[];
  /** How the client IP, HELO and TLS were known (null: not at all): the SPF and requirement verdicts depend on it. */
  connection: ConnectionFacts | null;
  /** Gmail's and Yahoo's sender rules (src/verify/requirements/README.md). */
  requirements: Requirement[];
  requirementsVerdict: RequirementsVerdict;
}

export interface VerifiedFile extends MessageVerdict {
  kind: 'verify';
  file: string;
  /** Position in an mbox file (1-based). */
  index?: number;
  size: number;
}

export interface UnverifiableFile {
  kind: 'verify';
  file: string;
  index?: number;
  /** Why this file is not a message we could verify: bad input, exit 2. */
  error: string;
  findings: Finding[];
}

export type VerifyItem = VerifiedFile | UnverifiableFile;
