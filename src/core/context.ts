// What every check gets injected: the resolver stack, timeouts, a clock and an event sink.
// Checks read nothing global (no process.env, no console): the CLI builds this once.
import type { Resolver } from './resolver.js';

export type MailcheckEvent =
  | {
      type: 'dns.query';
      name: string;
      qtype: string;
      server: string;
      transport: 'udp' | 'tcp' | 'zone' | 'offline';
      status: string;
      rcode?: string;
      flags?: { aa: boolean; ad: boolean; tc: boolean };
      ttl?: number;
      answers?: number;
      ms: number;
      attempt?: number;
      error?: string;
    }
  | { type: 'smtp.line'; dir: 'C' | 'S'; line: string; host: string; address?: string; port?: number }
  | { type: 'progress'; done: number; total?: number; label?: string }
  | { type: 'log'; message: string };

export interface Context {
  resolver: Resolver;
  /** Per DNS query and per SMTP step. */
  timeoutMs: number;
  now: () => Date;
  onEvent: (e: MailcheckEvent) => void;
}
