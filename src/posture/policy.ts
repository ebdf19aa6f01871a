// The CI gate's requirements file (`--policy mailcheck.yml`): a small schema, checked key by key so that a typo is
// a clear error (exit 2) instead of a requirement silently not enforced. Parsing is pure; loadPolicy reads the file.
import { UsageError } from '../core/errors.js';
import { readUserFile } from '../core/user-file.js';
import type { Rule } from './policy-rules.js';
import { checkEntries, type PolicySections } from './registry.js';

export type { AtLeast } from './policy-rules.js';
export { TLS_VERSIONS } from './policy-rules.js';
export type { SmtpTlsPolicy } from './policy-tls.js';
export type { DmarcPolicyName, MtaStsModeName } from './policy-sections.js';

/** A policy file: each check's section (its keys are the check's, registry.ts) and the file's own keys. */
export type Policy = PolicySections & {
  source: string;
  strict?: boolean;
  /** Finding ids (or "prefix.*") that only inform instead of failing. */
  ignore?: string[];
};

/** Every section and key a policy file may use (the checks' sections, in registry order). */
export function policySchema(): Record<string, Record<string, Rule>> {
  const out: Record<string, Record<string, Rule>> = {};
  for (const e of checkEntries()) if (e.policy) out[e.key] = e.policy.rules;
  return out;
}

export async function loadPolicy(path: string): Promise<Policy> {
  const text = await readUserFile(path, 'policy file', 'utf8');
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const err = e as Error & { linePos?: { line: number; col: number }[] };
    const at = err.linePos?.[0] ? `:${err.linePos[0].line}:${err.linePos[0].col}` : '';
    throw new UsageError(`policy ${path}${at}: not valid YAML: ${err.message.split('\n')[0]}`);
  }
  return parsePolicy(doc, path);
}

/** Validates a parsed YAML document; every problem is a UsageError naming the key. */
export function parsePolicy(doc: unknown, source = 'policy'): Policy {
  const fail = (msg: string): never => {
    throw new UsageError(`policy ${source}: ${msg}`);
  };
  if (doc === null || doc === undefined) return { source };
  if (!isObject(doc)) fail('the top level must be a mapping of sections (mx, spf, dkim, dmarc, mtaSts, …)');
  const policy: Policy = { source };
  const out = policy as unknown as Record<string, unknown>;
  const schema = policySchema();
  const topLevel = ['strict', 'ignore', ...Object.keys(schema)];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!topLevel.includes(key)) fail(`unknown key '${key}'${suggest(key, topLevel)} (known: ${topLevel.join(', ')})`);
    if (key === 'strict') {
      if (typeof value !== 'boolean') fail(`strict must be true or false`);
      policy.strict = value as boolean;
      continue;
    }
    if (key === 'ignore') {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((v) => typeof v === 'string' && /^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$/.test(v)))
        fail(`ignore must list finding ids such as mx.redundancy.single or dkim.*`);
      policy.ignore = list as string[];
      continue;
    }
    if (value === null) continue;
    if (!isObject(value)) fail(`${key} must be a mapping (e.g. ${key}: { required: true })`);
    const rules = schema[key]!;
    const section: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const rule = rules[k];
      if (!rule)
        fail(
          `unknown key '${key}.${k}'${suggest(k, Object.keys(rules))} (known under ${key}: ${Object.keys(rules).join(', ')})`,
        );
      section[k] = checkValue(`${key}.${k}`, v, rule!, fail);
    }
    out[key] = section;
  }
  return policy;
}

function checkValue(path: string, v: unknown, rule: Rule, fail: (m: string) => never): unknown {
  const shown = JSON.stringify(v);
  switch (rule.kind) {
    case 'bool':
      if (typeof v !== 'boolean') fail(`${path} must be true or false (got ${shown})`);
      return v;
    case 'presence':
      if (v === true || v === 'required') return true;
      if (v === false || v === 'optional') return false;
      return fail(`${path} must be required or optional (got ${shown})`);
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < rule.min || v > rule.max)
        fail(`${path} must be a whole number from ${rule.min} to ${rule.max} (got ${shown})`);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !rule.values.includes(v))
        fail(`${path} must be one of ${rule.values.join(', ')} (got ${shown})`);
      return v;
    case 'ordered': {
      if (typeof v === 'string') {
        if (!rule.values.includes(v))
          fail(`${path} must be one of ${rule.values.join(', ')}, or a list of them (got ${shown})`);
        return { atLeast: v };
      }
      if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string' && rule.values.includes(x)))
        return { oneOf: v };
      return fail(`${path} must be one of ${rule.values.join(', ')}, or a list of them (got ${shown})`);
    }
    case 'mapping': {
      if (!isObject(v)) return fail(`${path} must be a mapping (e.g. ${rule.example}), got ${shown}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const sub = rule.rules[k];
        if (!sub)
          fail(
            `unknown key '${path}.${k}'${suggest(k, Object.keys(rule.rules))} (known under ${path}: ${Object.keys(rule.rules).join(', ')})`,
          );
        out[k] = checkValue(`${path}.${k}`, x, sub!, fail);
      }
      return out;
    }
    case 'list': {
      const list = Array.isArray(v) ? v : [v];
      for (const x of list) {
        const okValue =
          typeof x === 'string' &&
          (rule.values ? rule.values.includes(x) : true) &&
          (rule.pattern ? rule.pattern.test(x) : true);
        if (!okValue)
          fail(
            `${path}: ${JSON.stringify(x)} is not ${rule.what}${rule.values ? ` (one of ${rule.values.join(', ')})` : ''}`,
          );
      }
      if (!list.length) fail(`${path} must not be empty`);
      return list;
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** " — did you mean 'policy'?" for a near miss (edit distance ≤ 2). */
function suggest(word: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best ? ` — did you mean '${best}'?` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** Does a finding id fall under one of the ignore patterns ("dkim.*" covers "dkim.none")? */
export function isIgnored(id: string, patterns: readonly string[] = []): boolean {
  return patterns.some((p) => (p.endsWith('.*') ? id.startsWith(p.slice(0, -1)) : id === p));
}
