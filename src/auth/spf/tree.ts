// The whole include/redirect tree of a domain's SPF record, walked in evaluation order with each term's own cost
// and the running totals against the limits of RFC 7208 §4.6.4 — continued past the limit, with the term where
// check_host() would stop marked. I/O only through the given resolver.
import { isTemporary, type Resolver } from '../../dns/types.js';
import { fetchSpfRecord } from './fetch.js';
import { parseIp } from './ip.js';
import { expandMacros, MacroUnavailable, parseMacroString, toTargetName, type MacroValues } from './macro.js';
import { isDnsTerm, isSpfRecord, parseSpfRecord } from './record.js';
import {
  LOOKUP_LIMIT,
  MX_LIMIT,
  VOID_LIMIT,
  type ParsedSpf,
  type SpfCost,
  type SpfTerm,
  type SpfTree,
  type SpfTreeTerm,
} from './types.js';

export interface TreeOptions {
  /** <sender> for %{s} %{l} %{o} (already normalized). */
  sender: string;
  helo?: string;
  /** With a client IP, %{i} %{c} %{v} %{p} expand and ip-dependent targets are followed. */
  ip?: string;
  /** Records fetched at most (a guard against huge or hostile trees). */
  maxRecords?: number;
}

interface Walk {
  resolver: Resolver;
  opts: TreeOptions;
  lookups: number;
  voids: number;
  records: number;
  markedLookups: boolean;
  markedVoid: boolean;
}

export async function buildSpfTree(resolver: Resolver, domain: string, opts: TreeOptions): Promise<SpfTree> {
  const w: Walk = { resolver, opts, lookups: 0, voids: 0, records: 0, markedLookups: false, markedVoid: false };
  return walk(w, domain, []);
}

const EMPTY = { errors: [], terms: [], lookups: 0, voidLookups: 0 };
/** Trees of names whose TXT answer was NODATA (no TXT at all): a void lookup for the include/redirect. */
const emptyAnswers = new WeakSet<SpfTree>();

async function walk(w: Walk, domain: string, path: string[]): Promise<SpfTree> {
  w.records++;
  const fetched = await fetchSpfRecord(w.resolver, domain);
  switch (fetched.status) {
    case 'temporary':
      return { domain, record: null, status: 'temporary', note: fetched.error, ...EMPTY };
    case 'nxdomain':
      return { domain, record: null, status: 'nxdomain', note: `${domain} does not exist (NXDOMAIN)`, ...EMPTY };
  }
  const skipped = fetched.txt.filter((t) => looksLikeSpf(t) && !isSpfRecord(t));
  const ignored = skipped.length ? { ignored: skipped } : {};
  if (fetched.status === 'none') {
    const tree: SpfTree = { domain, record: null, status: 'none', ...ignored, ...EMPTY };
    if (fetched.txt.length === 0) emptyAnswers.add(tree);
    return tree;
  }
  if (fetched.status === 'multiple')
    return { domain, record: null, status: 'multiple', records: fetched.records, ...ignored, ...EMPTY };
  const parsed = path.length ? sharedParse(domain, fetched.record) : parseSpfRecord(fetched.record);
  const before = { lookups: w.lookups, voids: w.voids };
  const tree: SpfTree = {
    domain,
    record: fetched.record,
    strings: fetched.strings,
    status: parsed.errors.length ? 'invalid' : 'ok',
    ...ignored,
    errors: parsed.errors,
    terms: [],
    lookups: 0,
    voidLookups: 0,
  };
  const nodes = new Map<SpfTerm, SpfTreeTerm>();
  const hasAll = parsed.terms.some((t) => t.kind === 'mechanism' && t.name === 'all' && !t.error);
  // Evaluation order: mechanisms left to right, then redirect (RFC 7208 §4.6.2, §6.1); a match at "all" ends it.
  let afterAll = false;
  const ordered = [
    ...parsed.terms.filter((t) => t.kind === 'mechanism'),
    ...parsed.terms.filter((t) => t.kind === 'modifier'),
  ];
  for (const term of ordered) {
    const unreachable = term.kind === 'mechanism' ? afterAll : term.name === 'redirect' && hasAll;
    nodes.set(term, await termNode(w, term, domain, [...path, domain.toLowerCase()], unreachable));
    if (term.kind === 'mechanism' && term.name === 'all' && !term.error) afterAll = true;
  }
  tree.terms = parsed.terms.map((t) => nodes.get(t)!);
  tree.lookups = w.lookups - before.lookups;
  tree.voidLookups = w.voids - before.voids;
  return tree;
}

/**
 * An included (or redirected-to) record is shared: a provider's _spf record is in every customer's, and a batch
 * meets it once per customer domain. Its parse is kept, by name and text (a record that changes is parsed anew),
 * frozen, since every tree that includes it holds its terms and errors. A domain's own record is parsed each time.
 */
const SHARED_PARSES = 256;
const sharedParses = new Map<string, ParsedSpf>();

function sharedParse(domain: string, text: string): ParsedSpf {
  const key = `${domain}\u0000${text}`;
  let parsed = sharedParses.get(key);
  if (!parsed) {
    parsed = deepFreeze(parseSpfRecord(text));
    if (sharedParses.size >= SHARED_PARSES) sharedParses.delete(sharedParses.keys().next().value!);
    sharedParses.set(key, parsed);
  }
  return parsed;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

async function termNode(
  w: Walk,
  term: SpfTerm,
  domain: string,
  path: string[],
  unreachable: boolean,
): Promise<SpfTreeTerm> {
  // Object.assign, not a spread followed by properties (a slow path in V8 for every term of every tree).
  const node: SpfTreeTerm = Object.assign({}, term, {
    cost: { lookups: 0, voidLookups: 0 },
    runningLookups: w.lookups,
    runningVoid: w.voids,
  });
  if (term.error) {
    node.cost.note = 'syntax error: check_host() gives permerror for this record';
    return node;
  }
  if (unreachable) {
    node.unreachable = true;
    node.cost.note =
      term.kind === 'modifier'
        ? 'ignored: the record has "all", so redirect= is never reached (RFC 7208 §6.1)'
        : 'after "all": never evaluated';
    return node;
  }
  if (!isDnsTerm(term)) {
    if (term.name === 'exp')
      node.cost.note = 'not counted: exp= is looked up only after a fail, once (RFC 7208 §4.6.4, §6.2)';
    else if (term.kind === 'modifier') node.cost.note = 'unknown modifier: ignored (RFC 7208 §6)';
    else node.cost.note = 'no DNS query';
    if (term.name === 'exp') await expTarget(w, term, domain, node);
    return node;
  }
  w.lookups++;
  node.cost.lookups = 1;
  node.runningLookups = w.lookups;
  if (w.lookups > LOOKUP_LIMIT && !w.markedLookups) {
    w.markedLookups = true;
    node.stopsEvaluation = 'lookups';
  }
  const expansion = await expand(w, term.domainSpec, domain);
  if (expansion.dependsOn) {
    node.cost.voidLookups = null;
    node.cost.note = `${costNote(term.name, term.domainSpec ?? domain)}; the target depends on the client IP (%{${expansion.dependsOn}}): give --ip to follow it`;
    return node;
  }
  const target = expansion.name;
  if (target === undefined) {
    node.cost.note = `'${term.domainSpec}' does not expand to a valid domain name`;
    if (term.name === 'include' || term.name === 'redirect') {
      node.child = { domain: term.domainSpec ?? '', record: null, status: 'bad-name', note: node.cost.note, ...EMPTY };
    }
    return node;
  }
  node.target = target;
  node.cost.note = costNote(term.name, target);
  let isVoid = false;
  switch (term.name) {
    case 'include':
    case 'redirect': {
      if (path.includes(target.toLowerCase())) {
        node.child = {
          domain: target,
          record: null,
          status: 'loop',
          note: `${target} is already being evaluated: the ${term.name} loops until the lookup limit`,
          ...EMPTY,
        };
      } else if (w.records >= (w.opts.maxRecords ?? 40)) {
        node.child = {
          domain: target,
          record: null,
          status: 'not-followed',
          note: `not followed: more than ${w.opts.maxRecords ?? 40} records in the tree`,
          ...EMPTY,
        };
      } else {
        node.child = await walk(w, target, path);
        // Void only when the TXT query itself came back empty, not when the name merely has other TXT records.
        isVoid = node.child.status === 'nxdomain' || emptyAnswers.has(node.child);
      }
      break;
    }
    case 'a': {
      const [a, aaaa] = await Promise.all([w.resolver.lookup(target, 'A'), w.resolver.lookup(target, 'AAAA')]);
      const temp = [a, aaaa].find(isTemporary);
      if (temp) {
        node.lookup = temp.status;
        break;
      }
      const has4 = a.status === 'ok' && a.records.length > 0;
      const has6 = aaaa.status === 'ok' && aaaa.records.length > 0;
      node.lookup = has4 || has6 ? 'ok' : 'void';
      isVoid = !has4 && !has6;
      if (!isVoid && (!has4 || !has6))
        node.cost.note += `; no ${has4 ? 'AAAA' : 'A'} record: a void lookup for IPv${has4 ? 6 : 4} clients`;
      break;
    }
    case 'mx': {
      const mx = await w.resolver.lookup(target, 'MX');
      if (isTemporary(mx)) {
        node.lookup = mx.status;
        break;
      }
      const count = mx.status === 'ok' ? mx.records.filter((r) => r.exchange !== '').length : 0;
      node.mxCount = mx.status === 'ok' ? mx.records.length : 0;
      isVoid = mx.status !== 'ok';
      node.lookup = isVoid ? 'void' : 'ok';
      node.cost.queries = 1 + count;
      if (node.mxCount > MX_LIMIT)
        node.cost.note += `; ${node.mxCount} MX records: more than ${MX_LIMIT} is a permerror`;
      break;
    }
    case 'exists': {
      const a = await w.resolver.lookup(target, 'A');
      if (isTemporary(a)) {
        node.lookup = a.status;
        break;
      }
      isVoid = a.status !== 'ok';
      node.lookup = isVoid ? 'void' : 'ok';
      break;
    }
    case 'ptr':
      node.cost.voidLookups = null;
      break;
  }
  if (isVoid) {
    w.voids++;
    node.cost.voidLookups = 1;
    if (w.voids > VOID_LIMIT && !w.markedVoid) {
      w.markedVoid = true;
      node.stopsEvaluation ??= 'void';
    }
  }
  node.runningVoid = w.voids;
  return node;
}

/** exp= is not counted, but a target with no single TXT record means receivers show no explanation. */
async function expTarget(w: Walk, term: SpfTerm, domain: string, node: SpfTreeTerm): Promise<void> {
  const expansion = await expand(w, term.domainSpec, domain);
  if (!expansion.name) return;
  node.target = expansion.name;
  const txt = await w.resolver.lookup(expansion.name, 'TXT');
  if (isTemporary(txt)) node.lookup = txt.status;
  else if (txt.status !== 'ok') node.lookup = 'void';
  else node.lookup = txt.records.length > 1 ? 'multiple' : 'ok';
}

async function expand(
  w: Walk,
  spec: string | undefined,
  domain: string,
): Promise<{ name?: string; dependsOn?: string }> {
  if (spec === undefined) return { name: domain };
  const ip = w.opts.ip ? parseIp(w.opts.ip) : undefined;
  const values: MacroValues = { sender: w.opts.sender, domain, helo: w.opts.helo };
  if (ip) values.ip = ip;
  try {
    const name = toTargetName(await expandMacros(parseMacroString(spec).tokens, values));
    return name ? { name } : {};
  } catch (e) {
    if (e instanceof MacroUnavailable) return { dependsOn: e.letter };
    throw e;
  }
}

function costNote(name: string, target: string): string {
  switch (name) {
    case 'include':
      return `1 lookup (TXT ${target}), plus what its record costs`;
    case 'redirect':
      return `1 lookup (TXT ${target}), plus what its record costs`;
    case 'a':
      return `1 lookup (A or AAAA ${target}, by the client's address family)`;
    case 'mx':
      return `1 lookup (MX ${target}); its hosts' address queries are limited separately, to ${MX_LIMIT}`;
    case 'ptr':
      return '1 lookup (PTR of the client); up to 10 of its names checked, outside the limit of 10';
    case 'exists':
      return `1 lookup (A ${target})`;
  }
  return '';
}

/** TXT records meant as SPF that selection skips: a leading space, "v=spf1" glued to a term, "spf1", "v=spf2.0". */
export function looksLikeSpf(txt: string): boolean {
  return /^\s*v\s*=\s*spf/i.test(txt) || /^\s*spf1\b/i.test(txt);
}

export type { SpfCost };
