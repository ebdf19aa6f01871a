// The demo's result: the story of two messages as plain data (the JSON of `mailcheck demo --json`).
import type { Finding } from '../core/result.js';

export type DemoActName = 'setup' | 'legitimate' | 'forged';

export interface DemoStep {
  act: DemoActName;
  /** Who acts: the sandbox being set up, the sending side, or the receiving side. */
  actor: 'sandbox' | 'sender' | 'receiver';
  kind: 'keygen' | 'dns' | 'listen' | 'tcp' | 'tls' | 'smtp' | 'spf' | 'dkim' | 'dmarc' | 'arc' | 'store';
  /** Plain text, no colour. */
  summary: string;
  /** The step behaved as the demo expects (a forged message failing DMARC is ok: true). */
  ok: boolean;
  /** For verdicts: the result the demo expects and the one it got. */
  expected?: string;
  actual?: string;
  /** Why, in the words of the check (SPF mechanism, DKIM failure reason, DMARC alignment). */
  why?: string;
  ms: number;
  detail?: unknown;
}

export interface DemoAct {
  name: Exclude<DemoActName, 'setup'>;
  title: string;
  /** Envelope and header sender, recipient, the client address it came from. */
  mailFrom: string;
  from: string;
  to: string;
  clientAddress: string;
  messageId: string | null;
  /** The receiver's verdicts. */
  spf: string | null;
  dkim: string[];
  dmarc: { result: string; policy: string | null; disposition: string | null } | null;
  /** The file in the Maildir's new/, once stored. */
  file: string | null;
  authenticationResults: string | null;
  ok: boolean;
}

export interface DemoResult {
  kind: 'demo';
  ok: boolean;
  domain: string;
  dns: { host: string; port: number };
  smtp: { host: string; port: number; tls: 'starttls' };
  maildir: string;
  /** Whether the folder of the Maildir, zone files and key outlives the run (--dir); else it goes when the sandbox stops. */
  kept: boolean;
  /** The zone files the DNS server serves (written to disk so --zone and knot can use them). */
  zoneFiles: string[];
  /** The DKIM private key of the sandbox domain (PEM), for `mailcheck send --dkim-key`. */
  keyFile: string;
  selector: string;
  acts: DemoAct[];
  steps: DemoStep[];
  findings: Finding[];
  ms: number;
}
