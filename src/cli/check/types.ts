// The flags of `mailcheck check` as commander hands them over: here, not in commands/check.ts, so that the streamed
// part (stream.ts, workers.ts) can name them without importing the command that imports it.
import type { GlobalOptions } from '../global-options.js';

export interface CheckCliOptions extends GlobalOptions {
  batch?: string;
  selector?: string[];
  policy?: string;
  strict?: boolean;
  format?: 'text' | 'json' | 'junit' | 'github';
  concurrency?: string;
  order?: 'input' | 'completion';
  budget?: string;
  smtp?: boolean;
  tlsAudit?: boolean;
  fetch?: boolean;
  dnsbl?: string[];
  ca?: string[];
  mtaStsPort?: string;
  smtpPort?: string;
  workers?: string;
  shard?: string;
  shards?: string;
  resume?: string;
  summaryOf?: string[];
  allowPrivate?: boolean;
  allowEmpty?: boolean;
  all?: boolean;
}
