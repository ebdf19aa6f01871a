// The vocabulary of the policy file's schema (`--policy mailcheck.yml`): the kinds of value a key takes, and how a
// check's section records a requirement. Each check's section (its keys and its judge) lives with its registry
// entry (registry.ts, policy-sections.ts); policy.ts validates a file against them. Types and constants only.
import type { Finding, Severity } from '../core/result.js';

/** A string means "at least this strong"; a list means "one of these". */
export type AtLeast<T extends string> = { atLeast: T } | { oneOf: T[] };

export type Rule =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'presence' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'ordered'; values: readonly string[] }
  | { kind: 'list'; values?: readonly string[]; pattern?: RegExp; what: string }
  | { kind: 'mapping'; rules: Record<string, Rule>; example: string };

export const bool: Rule = { kind: 'bool' };
export const presence: Rule = { kind: 'presence' };

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** How a section records one requirement: met or not, and why (→ `policy.<check>.<key>`, ok or fail). */
export type Emit = (key: string, met: boolean, message: string, severity?: Severity) => void;

/** A check's part of the policy file: its keys, and how they are judged on the check's result. */
export interface PolicySection<R, P> {
  /** The keys the section takes, validated one by one (an unknown key is a usage error naming it). */
  rules: Record<string, Rule>;
  /** Judges the requirements on a result with a verdict (never on one with a temporary finding: unknown stays
   *  unknown). `add` reports a finding that is no requirement of its own (e.g. "add --tls-audit"). */
  judge(p: P, r: R, emit: Emit, x: { source: string; add(f: Finding): void }): void;
  /** When the check did not run at all (its option was not given): what to say instead, if anything. */
  notRun?(p: P, source: string): Finding[];
}
