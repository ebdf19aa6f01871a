// The result of `sendMessage` (the JSON of `mailcheck send`): where each recipient's mail went, each SMTP session
// with its TLS and transcript, and the DKIM signature it carried.
import type { Finding, Step } from '../core/result.js';
import type { CertificateInfo } from '../smtp/certificate.js';
import type { TranscriptLine } from '../smtp/session.js';
import type { DeliveredTo, RejectedTo } from './deliver.js';
import type { RefusedAddress } from './route.js';
import type { AttemptAuth, AttemptOutcome, SendTls, SendTlsMode } from './transaction.js';

export interface SendSession {
  exchange: string;
  address: string;
  port: number;
  outcome: AttemptOutcome;
  reply: string;
  tls: SendTls | null;
  /** The certificate the server presented, judged against its name (as `probe` reports it). */
  certificate?: CertificateInfo;
  /** Why that certificate does not authenticate the server. */
  certificateProblems?: string[];
  /** The login (--auth-user): mechanism, answer; never the password. */
  auth?: AttemptAuth;
  tlsFallback?: string;
  transcript: TranscriptLine[];
  ms: number;
}

export interface SendResult {
  kind: 'send';
  messageId: string | null;
  from: string;
  to: string[];
  delivered: DeliveredTo[];
  rejected: RejectedTo[];
  tls: {
    mode: SendTlsMode;
    encrypted: boolean;
    protocol: string | null;
    cipher: string | null;
    /** Every server that took the message presented a certificate that authenticates it; null: none took it. */
    verified: boolean | null;
  };
  dkim: {
    signed: boolean;
    domain: string | null;
    selector: string | null;
    algorithm?: string;
    keyBits?: number;
    signedHeaders?: string[];
  };
  /** SMTP AUTH (--auth-user); null when no login was asked for. Never holds the password. */
  auth: { user: string; mechanism: string | null; authenticated: boolean } | null;
  size: number;
  /** Where each recipient domain's mail was to go (MX hosts, or the --server). */
  routes: {
    domain: string;
    recipients: string[];
    port: number;
    hosts: { exchange: string; preference: number | null; addresses: string[] }[];
    implicit: boolean;
    /** MX addresses not tried: loopback, link-local, private or reserved (without --allow-private). */
    refused?: RefusedAddress[];
    problem?: string;
  }[];
  sessions: SendSession[];
  findings: Finding[];
  steps: Step[];
}
