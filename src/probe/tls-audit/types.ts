// The TLS audit of one SMTP server: `hosts[].tlsAudit` in probe's JSON (and in check's checks.smtp). Every test
// the table shows, and the raw observations behind them: versions, suites, groups, order, renegotiation.
import type { Verdict } from './classes.js';
import type { TlsVersion } from './suites.js';

export type { Verdict } from './classes.js';
export type { TlsVersion } from './suites.js';

/** true: the server took it; false: it refused; null: not tested (the local OpenSSL cannot offer it, no answer,
 *  or the budget ran out; `note` says which). */
export type Offered = boolean | null;

export interface AuditVersion {
  version: TlsVersion;
  offered: Offered;
  /** The guidelines' class of the version (it counts when offered). */
  verdict: Verdict;
  note?: string;
}

export interface AuditCipher {
  /** IANA name. */
  name: string;
  /** OpenSSL's name, or null for a suite OpenSSL 3.0 does not build. */
  openssl: string | null;
  /** The version it was tried in (TLS 1.3 suites in TLS 1.3; the others in the highest version ≤ 1.2 offered). */
  version: TlsVersion | null;
  offered: Offered;
  verdict: Verdict;
  /** Why it is in its class ("no forward secrecy (RSA key exchange)"). */
  reason: string;
  note?: string;
}

export interface AuditGroup {
  /** x25519, secp256r1, …, ffdhe2048 …, or "dhe" for the finite-field group of a TLS ≤ 1.2 DHE suite. */
  name: string;
  kind: 'ecdhe' | 'ffdhe' | 'dhe';
  /** The version it was tried in. */
  version: TlsVersion | null;
  offered: Offered;
  /** Key size in bits (the DH prime, or the curve). */
  bits: number | null;
  verdict: Verdict;
  note?: string;
}

export interface AuditServerOrder {
  /** false: not applicable (one class of suites, or TLS 1.3 only) or not testable. */
  tested: boolean;
  /** The server chose the same suite whichever we listed first. null: not tested. */
  enforced: boolean | null;
  /** The two suites offered, stronger first, and what the server chose for [weaker, stronger] and [stronger, weaker]. */
  pair?: [string, string];
  chosen?: [string | null, string | null];
  version?: TlsVersion;
  verdict: Verdict | null;
  note?: string;
}

export interface AuditRenegotiation {
  /** The server supports secure renegotiation (RFC 5746); null when no TLS ≤ 1.2 handshake worked (n/a for 1.3). */
  secure: boolean | null;
  /** What the server did when we renegotiated (TLSSocket.renegotiate()). */
  clientInitiated: 'refused' | 'accepted' | 'not-applicable' | null;
  version: TlsVersion | null;
  secureVerdict: Verdict | null;
  clientVerdict: Verdict | null;
  detail?: string;
}

export interface AuditCertificateEntry {
  subject: string;
  /** "sha256WithRSAEncryption", "ecdsa-with-SHA384", …; null when the signature algorithm is unknown to us. */
  signatureAlgorithm: string | null;
  hash: string | null;
  verdict: Verdict;
}

export interface AuditCertificate {
  keyType: string | null;
  keyBits: number | null;
  curve: string | null;
  keyVerdict: Verdict;
  /** Every certificate the server sent except a self-signed root (its own signature is not checked by anyone). */
  signatures: AuditCertificateEntry[];
  signatureVerdict: Verdict | null;
}

export interface AuditDane {
  /** _25._tcp.<host> */
  name: string | null;
  /** Usable TLSA records from a DNSSEC-validated answer (or a local zone file). */
  exists: boolean;
  /** Records were found but the answer was not validated (no AD): senders ignore them. */
  insecure?: boolean;
  /** One usable record matches the chain the server sent; null when not checked. */
  valid: boolean | null;
  matched?: string;
  /** At least two usable records that survive a key change (3 x x + 3 x x, or 3 x x + 2 x x; internet.nl). */
  rollover: boolean | null;
  records: string[];
  lookup: string;
  note?: string;
}

/** One row of the table: test · verdict · detail; `id` is the finding that carries it. */
export interface AuditTest {
  id: string;
  test: string;
  /** null: not tested, or nothing to judge ("none"). */
  verdict: Verdict | null;
  detail: string;
}

export interface TlsAudit {
  /** The worst verdict of the tests (null when no test could be judged). */
  verdict: Verdict | null;
  tests: AuditTest[];
  versions: AuditVersion[];
  ciphers: AuditCipher[];
  serverOrder: AuditServerOrder;
  groups: AuditGroup[];
  renegotiation: AuditRenegotiation;
  certificate: AuditCertificate | null;
  dane: AuditDane | null;
  /** TLS handshakes started (STARTTLS answered 220, or implicit TLS), and TCP connections opened. */
  handshakes: number;
  connections: number;
  /** Per test, how many phase-out and insufficient: "2 phase-out, 0 insufficient". */
  summary: { good: number; sufficient: number; phaseOut: number; insufficient: number; notTested: number };
  ms: number;
  /** The audit stopped at its time budget: what was not tried is "not tested". */
  incomplete?: boolean;
  /** The local TLS library: what it could not offer is "not tested". */
  local: { openssl: string; untested: string[] };
}
