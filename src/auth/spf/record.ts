// SPF record parser (RFC 7208 §4.5, §4.6, §5, §6, §7.1 and the ABNF of §12). Pure: text in, terms and
// syntax errors (with offsets) out. Every error anywhere makes the record a permerror (§4.6).
import { isIP } from 'node:net';
import { parseMacroString, type MacroToken } from './macro.js';
import type { ParsedSpf, Qualifier, SpfSyntaxError, SpfTerm } from './types.js';

const VERSION = /^v=spf1(?: |$)/i;
const MECHANISMS = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
/** The terms that cause DNS queries and count toward the limit of 10 (RFC 7208 §4.6.4). */
export const DNS_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

/** True when a TXT record is an SPF record: "v=spf1" then a space or the end (RFC 7208 §4.5). */
export function isSpfRecord(text: string): boolean {
  return VERSION.test(text);
}

export function parseSpfRecord(text: string): ParsedSpf {
  const parsed: ParsedSpf = { text, isSpf: isSpfRecord(text), terms: [], errors: [] };
  if (!parsed.isSpf) {
    parsed.errors.push({
      message: 'not an SPF record: it must start with "v=spf1" followed by a space or the end',
      start: 0,
      end: Math.min(text.length, 7),
    });
    return parsed;
  }
  // Terms are separated by one or more spaces, and only spaces (RFC 7208 §4.6.1, §12).
  const re = / *([^ ]+)/g;
  re.lastIndex = 6;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const raw = m[1]!;
    const start = m.index + m[0].length - raw.length;
    const term = parseTerm(raw, start);
    parsed.terms.push(term);
    if (term.error) parsed.errors.push({ message: term.error, start, end: start + raw.length, term: raw });
  }
  for (const name of ['redirect', 'exp'] as const) {
    const found = parsed.terms.filter((t) => t.kind === 'modifier' && t.name === name);
    if (found.length > 1) {
      const dup = found[1]!;
      parsed.errors.push({
        message: `"${name}" appears more than once (RFC 7208 §6)`,
        start: dup.start,
        end: dup.end,
        term: dup.raw,
      });
    }
    if (found[0]) parsed[name] = found[0];
  }
  parsed.errors.sort((a, b) => a.start - b.start);
  return parsed;
}

export function parseTerm(raw: string, start = 0): SpfTerm {
  // Terms are written out field by field: { ...base, more } takes a slow path in V8 (~1 µs per term).
  const base = { raw, start, end: start + raw.length };
  // A non-ASCII or control character anywhere is a syntax error (RFC 7208 §3.1, §4.6.1).
  const bad = /[^\x21-\x7e]/.exec(raw);
  const modifier = /^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s.exec(raw);
  if (modifier) {
    const name = modifier[1]!.toLowerCase();
    const value = modifier[2]!;
    const term: SpfTerm = { raw, start, end: base.end, kind: 'modifier', name };
    if (name === 'redirect' || name === 'exp') {
      term.domainSpec = value;
      const err = domainSpecError(value);
      if (err) term.error = `${name}=: ${err}`;
    } else {
      term.value = value;
      const p = parseMacroString(value);
      if (p.error) term.error = `modifier ${modifier[1]}=: ${p.error.message}`;
    }
    if (bad && !term.error) term.error = `character ${charName(bad[0])} is not allowed`;
    return term;
  }
  const mech = /^([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)$/s.exec(raw);
  if (!mech) {
    return {
      ...base,
      kind: 'mechanism',
      name: raw.replace(/^[+\-~?]/, ''),
      error: `'${raw}' is neither a mechanism nor a modifier`,
    };
  }
  const qualifier = (mech[1] || '+') as Qualifier;
  const name = mech[2]!.toLowerCase();
  const rest = mech[3]!;
  const term: SpfTerm = { raw, start, end: base.end, kind: 'mechanism', name, qualifier };
  if (!MECHANISMS.has(name)) {
    term.error =
      name === 'redirect' || name === 'exp'
        ? `'${mech[2]}' is a modifier: write ${name}=<domain> (RFC 7208 §6)`
        : `unknown mechanism '${mech[2]}'`;
    return term;
  }
  if (bad) {
    term.error = `character ${charName(bad[0])} is not allowed`;
    return term;
  }
  term.error = parseArguments(term, name, rest);
  if (term.error === undefined) delete term.error;
  return term;
}

function parseArguments(term: SpfTerm, name: string, rest: string): string | undefined {
  switch (name) {
    case 'all':
      return rest ? `"all" takes no argument, found '${rest}' (RFC 7208 §5.1)` : undefined;
    case 'include':
    case 'exists': {
      if (!rest.startsWith(':'))
        return `"${name}" needs a domain: ${name}:<domain> (RFC 7208 §5.${name === 'include' ? 2 : 7})`;
      term.domainSpec = rest.slice(1);
      const err = domainSpecError(term.domainSpec);
      return err ? `${name}: ${err}` : undefined;
    }
    case 'ptr': {
      if (!rest) return undefined;
      if (!rest.startsWith(':')) return `"ptr" takes no CIDR length, found '${rest}' (RFC 7208 §5.5)`;
      term.domainSpec = rest.slice(1);
      const err = domainSpecError(term.domainSpec);
      return err ? `ptr: ${err}` : undefined;
    }
    case 'a':
    case 'mx': {
      let spec = rest;
      const cidr = /(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(spec)!;
      spec = spec.slice(0, cidr.index);
      if (cidr[1] !== undefined) {
        const v = cidrValue(cidr[1], 32);
        if (v === undefined) return `invalid IPv4 CIDR length '/${cidr[1]}' (0-32, no leading zeros; RFC 7208 §5.6)`;
        term.cidr4 = v;
      }
      if (cidr[2] !== undefined) {
        const v = cidrValue(cidr[2], 128);
        if (v === undefined) return `invalid IPv6 CIDR length '//${cidr[2]}' (0-128, no leading zeros; RFC 7208 §5.6)`;
        term.cidr6 = v;
      }
      if (!spec) return undefined;
      if (!spec.startsWith(':'))
        return `unexpected '${rest}' after "${name}" (expected :<domain> and /<cidr>//<cidr6>)`;
      term.domainSpec = spec.slice(1);
      const err = domainSpecError(term.domainSpec);
      if (err && name === 'a' && isIP(term.domainSpec))
        return `a: '${term.domainSpec}' is an IP address, not a domain: write ip${isIP(term.domainSpec)}:${term.domainSpec}`;
      return err ? `${name}: ${err}` : undefined;
    }
    case 'ip4':
    case 'ip6': {
      const family = name === 'ip4' ? 4 : 6;
      if (!rest.startsWith(':') || rest.length === 1)
        return `"${name}" needs a network: ${name}:<address>[/<prefix>] (RFC 7208 §5.6)`;
      const m = /^([^/]*)(?:\/(\d+))?$/.exec(rest.slice(1));
      if (!m) return `invalid ${name} network '${rest.slice(1)}' (RFC 7208 §5.6)`;
      const network = m[1]!;
      if (family === 4 ? !isIpv4Network(network) : isIP(network) !== 6 || network.includes('%')) {
        return `'${network}' is not an IPv${family} address (RFC 7208 §5.6)`;
      }
      term.network = network;
      if (m[2] !== undefined) {
        const v = cidrValue(m[2], family === 4 ? 32 : 128);
        if (v === undefined)
          return `invalid CIDR length '/${m[2]}' for ${name} (0-${family === 4 ? 32 : 128}, no leading zeros; RFC 7208 §5.6)`;
        if (family === 4) term.cidr4 = v;
        else term.cidr6 = v;
      }
      return undefined;
    }
  }
  return undefined;
}

/** ip4-network: four decimal octets without leading zeros (RFC 7208 §12). */
function isIpv4Network(s: string): boolean {
  return /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s);
}

function cidrValue(digits: string, max: number): number | undefined {
  if (!/^(?:0|[1-9]\d*)$/.test(digits)) return undefined;
  const v = Number(digits);
  return v <= max ? v : undefined;
}

/**
 * domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand (RFC 7208 §7.1).
 * Checked before expansion: what a macro expands to is never syntax-checked.
 */
export function domainSpecError(spec: string): string | undefined {
  if (!spec) return 'the domain is empty';
  const p = parseMacroString(spec);
  if (p.error) return p.error.message;
  const last = p.tokens[p.tokens.length - 1]!;
  if (last.kind !== 'literal') return undefined;
  const tail = last.text.endsWith('.') ? last.text.slice(0, -1) : last.text;
  const dot = tail.lastIndexOf('.');
  const top = tail.slice(dot + 1);
  if (dot < 0 && !precededByMacro(p.tokens)) return `'${spec}' is not a fully qualified domain name (RFC 7208 §7.1)`;
  if (dot < 0) return `'${spec}' must end in '.<top-level label>' or a macro (RFC 7208 §7.1)`;
  if (!isToplabel(top)) {
    if (/^\d+$/.test(top)) return `'${spec}' ends in an all-numeric label '${top}': not a domain name (RFC 7208 §7.1)`;
    return `'${spec}' ends in '${top}', which is not a valid top-level label (RFC 7208 §7.1)`;
  }
  return undefined;
}

function precededByMacro(tokens: MacroToken[]): boolean {
  return tokens.length > 1;
}

/** toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
function isToplabel(s: string): boolean {
  return /^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$/.test(s) || /^[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]$/.test(s);
}

function charName(c: string): string {
  const code = c.charCodeAt(0);
  return code === 0x20 ? 'space' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The terms that count toward the 10-lookup limit. */
export function isDnsTerm(t: Pick<SpfTerm, 'name' | 'kind'>): boolean {
  return DNS_TERMS.has(t.name) && (t.kind === 'mechanism' || t.name === 'redirect');
}

export type { SpfSyntaxError };
