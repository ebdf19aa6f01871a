// The probe result: the JSON of shared/CONTRACT.md (`mailcheck probe`), plus extra fields for the report.
import type { Finding, Step } from '../core/result.js';
import type { CertificateInfo } from '../smtp/certificate.js';
import type { TranscriptLine } from '../smtp/session.js';
import type { AuthTest } from './auth-test.js';
import type { TlsAudit } from './tls-audit/types.js';

export type TlsMode = 'starttls' | 'implicit' | 'none';

export interface ProbeOptions {
  /** 25 by default; 465 means implicit TLS unless `tls` says otherwise. */
  port?: number;
  tls?: TlsMode;
  /** EHLO name; default: our address as a literal, "[192.0.2.1]" (RFC 5321 §4.1.3). */
  helo?: string;
  /** Every MX host and every address, concurrently; else the best one (falling back when unreachable). */
  all?: boolean;
  /** MAIL FROM / RCPT TO for an outside domain, then RSET: does the server relay for strangers? */
  relayTest?: boolean;
  /** Extra trust anchors (PEM text), e.g. a private CA. */
  ca?: string[];
  /** Try AUTH with a made-up user before TLS, when offered there (default true). */
  authTest?: boolean;
  /** The outside recipient of the relay test. */
  relayRecipient?: string;
  /** How long to wait for the greeting; default 6 × the step timeout (at least 30 s with the default),
   *  so greylisting-style delays are measured and reported instead of taken for a dead host. */
  bannerTimeoutMs?: number;
  /** A greeting slower than this is a finding (default 5000 ms). */
  slowBannerMs?: number;
  /** Audit the server's TLS test by test after the probe (src/probe/tls-audit). */
  tlsAudit?: TlsAuditOptions;
}

export interface TlsAuditOptions {
  /** Connections at once per host (default 8). */
  concurrency?: number;
  /** Time budget per host, from the start of its audit (default 60 s). */
  budgetMs?: number;
  /** An absolute end (performance.now()) that also bounds it: the domain's budget in `check`. */
  deadline?: number;
  /** Port in the TLSA name (default the probed port; `check` uses 25, the port senders use). */
  danePort?: number;
}

/** What we connect to: a name (for SNI, certificate and banner checks) and one of its addresses. */
export interface ProbeEndpoint {
  exchange: string;
  address: string;
  port: number;
  preference?: number;
  /** PTR names of the address, for the banner check. */
  ptr?: string[];
}

export interface EhloInfo {
  hostname: string | null;
  extensions: string[];
}

export interface ProbeTls {
  offered: boolean;
  ok: boolean;
  protocol: string | null;
  cipher: string | null;
  certificate: CertificateInfo | null;
  /** Did we try (STARTTLS sent, or implicit TLS)? False with --tls none or when not offered. */
  attempted: boolean;
  /** Why STARTTLS or the handshake failed. */
  error?: string;
  /** Plaintext bytes received after "220" to STARTTLS and thrown away (RFC 3207 §4.2). */
  discardedPlaintext?: number;
  /** Subject → issuer of each certificate the server sent, leaf first. */
  chain?: { subject: string; issuer: string }[];
}

export type ProbeStage = 'connect' | 'tls' | 'banner' | 'ehlo' | 'starttls' | 'ehlo-tls' | 'relay';

export interface ProbeError {
  stage: ProbeStage;
  /** refused | timeout | unreachable | reset | closed | malformed | too-long | error, or rejected (a 4xx/5xx reply) */
  kind: string;
  message: string;
}

export interface RelayTest {
  mailFrom: string;
  rcptTo: string;
  /** true: the server took a recipient in a domain it has no business with (an open relay). null: no verdict. */
  accepted: boolean | null;
  reply: string;
  code: number;
  /** It accepted, and its greeting declares an accept-all sink that never relays (mailcheck receive): the claim. */
  sink?: { declaredBy: 'greeting'; text: string };
}

export interface ProbeHost {
  exchange: string;
  address: string;
  port: number;
  preference?: number;
  connected: boolean;
  /** The greeting as sent: "220 mx.example.com ESMTP". */
  banner: string | null;
  bannerCode: number | null;
  /** The name the greeting claims (first word after the code). */
  bannerHostname: string | null;
  ptr: string[];
  /** The first EHLO answer (in plaintext, or under implicit TLS). */
  ehlo: EhloInfo;
  /** False when EHLO was refused and only HELO worked (no ESMTP, so no STARTTLS). */
  esmtp: boolean;
  /** The EHLO answer after STARTTLS. */
  ehloTls: EhloInfo | null;
  tls: ProbeTls | null;
  relay?: RelayTest;
  /** With --tls-audit: the server's TLS judged test by test (versions, suites, order, groups, …). */
  tlsAudit?: TlsAudit | null;
  /** AUTH offered before TLS, and whether it would check a password sent in the clear. */
  auth?: AuthTest;
  error?: ProbeError;
  timings: { connectMs: number | null; bannerMs: number | null; ehloMs: number | null; tlsMs: number | null };
  transcript: TranscriptLine[];
  findings: Finding[];
}

export interface ProbeResult {
  kind: 'probe';
  target: string;
  port: number;
  tls: TlsMode;
  /** Every MX host and address was probed (--all). */
  all: boolean;
  hosts: ProbeHost[];
  findings: Finding[];
  steps: Step[];
}
