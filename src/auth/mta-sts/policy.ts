// The MTA-STS policy file of RFC 8461 §3.2 (version, mode, max_age, mx patterns) and the MX pattern
// matching of §4.1. Pure: text in, fields and errors out.

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  version: string | null;
  mode: MtaStsMode | null;
  /** Seconds; null when missing or invalid. */
  maxAge: number | null;
  mx: string[];
  /** Fields we do not know: ignored by senders (§3.2), listed for the report. */
  extensions: { name: string; value: string }[];
  /** Problems that make the policy invalid: senders then treat the domain as having none. */
  errors: string[];
  /** Problems senders tolerate. */
  warnings: string[];
}

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year). */
export const MAX_AGE_LIMIT = 31_557_600;

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function parseMtaStsPolicy(text: string): MtaStsPolicy {
  const policy: MtaStsPolicy = {
    version: null,
    mode: null,
    maxAge: null,
    mx: [],
    extensions: [],
    errors: [],
    warnings: [],
  };
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (/^[ \t]*$/.test(line)) return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      policy.errors.push(`line ${i + 1} is not a "key: value" field`);
      return;
    }
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!KEY.test(key)) {
      policy.errors.push(`line ${i + 1}: "${key}" is not a valid field name`);
      return;
    }
    if (key !== 'mx' && seen.has(key)) {
      policy.warnings.push(`line ${i + 1}: ${key} appears more than once; the first one counts`);
      return;
    }
    seen.add(key);
    switch (key) {
      case 'version':
        policy.version = value;
        if (value !== 'STSv1') policy.errors.push(`version is "${value}", not "STSv1"`);
        break;
      case 'mode':
        if (value === 'enforce' || value === 'testing' || value === 'none') policy.mode = value;
        else policy.errors.push(`mode "${value}" is none of enforce, testing, none (they are case-sensitive)`);
        break;
      case 'max_age':
        if (!/^\d{1,10}$/.test(value)) policy.errors.push(`max_age "${value}" is not a number of seconds`);
        else if (Number(value) > MAX_AGE_LIMIT)
          policy.errors.push(`max_age ${value} is over the limit of ${MAX_AGE_LIMIT} seconds`);
        else policy.maxAge = Number(value);
        break;
      case 'mx':
        if (validMxPattern(value)) policy.mx.push(value.toLowerCase().replace(/\.$/, ''));
        else policy.errors.push(`mx "${value}" is not a host name or a "*." wildcard pattern`);
        break;
      default:
        policy.extensions.push({ name: key, value });
    }
  });
  if (policy.version === null && !policy.errors.some((e) => e.startsWith('version')))
    policy.errors.push('the version field is missing');
  if (policy.mode === null && !seen.has('mode')) policy.errors.push('the mode field is missing');
  if (policy.maxAge === null && !seen.has('max_age')) policy.errors.push('the max_age field is missing');
  // §3.2: mx is required unless the mode is "none".
  if (policy.mode && policy.mode !== 'none' && !policy.mx.length && !policy.errors.some((e) => e.startsWith('mx'))) {
    policy.errors.push(`mode ${policy.mode} needs at least one mx field`);
  }
  return policy;
}

/** "mail.example.com" or "*.example.com": a wildcard only as the whole left-most label (§3.2, §4.1). */
export function validMxPattern(p: string): boolean {
  const name = p.replace(/\.$/, '');
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  return labels.length >= 1 && labels.every((l) => LABEL.test(l)) && name.length <= 253;
}

/** RFC 8461 §4.1: exact, case-insensitive; "*.example.com" covers exactly one more label. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** The first pattern that covers the host, or null. */
export function matchingPattern(patterns: readonly string[], host: string): string | null {
  return patterns.find((p) => mxPatternMatches(p, host)) ?? null;
}
