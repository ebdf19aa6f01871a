// SPF macros (RFC 7208 §7): parsing macro-strings (letters, transformers, delimiters, %% %_ %-)
// and expanding them for a given client; target names are then truncated to 253 octets (§7.3).
import { definedOnly } from '../../core/object.js';
import { ipDotted, ipText, type SpfIp } from './ip.js';

export type MacroToken =
  | { kind: 'literal'; text: string }
  /** %% %_ %- : macro-expands in the grammar (they can end a domain-spec). */
  | { kind: 'escape'; text: string }
  | {
      kind: 'macro';
      letter: string;
      upper: boolean;
      digits?: number;
      reverse: boolean;
      delimiters: string;
      raw: string;
    };

export interface MacroParse {
  tokens: MacroToken[];
  error?: { message: string; offset: number; length: number };
}

const DOMAIN_LETTERS = 'slodiphv';
/** c, r and t are allowed only in explanation text (RFC 7208 §7.2). */
const EXP_LETTERS = 'slodiphvcrt';
/** RFC 7208 §7.1: "%%" is a percent sign, "%_" a space, "%-" a URL-encoded space. */
const ESCAPES = { '%': '%', _: ' ', '-': '%20' } as const;

/** Parses a macro-string; `exp` for the explanation text (letters c r t, and spaces). */
export function parseMacroString(s: string, opts: { exp?: boolean } = {}): MacroParse {
  const tokens: MacroToken[] = [];
  const letters = opts.exp ? EXP_LETTERS : DOMAIN_LETTERS;
  let literal = '';
  const flush = () => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < s.length;) {
    const c = s[i]!;
    if (c !== '%') {
      const code = c.charCodeAt(0);
      // macro-literal = %x21-24 / %x26-7E; explain-string adds SP.
      if (!((code >= 0x21 && code <= 0x7e) || (opts.exp && code === 0x20))) {
        flush();
        return { tokens, error: { message: `character ${describeChar(c)} is not allowed`, offset: i, length: 1 } };
      }
      literal += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      flush();
      tokens.push({ kind: 'escape', text: ESCAPES[next] });
      i += 2;
      continue;
    }
    if (next !== '{') {
      return {
        tokens,
        error: {
          message: `'%' must be followed by '{', '%', '_' or '-' (RFC 7208 §7.1)`,
          offset: i,
          length: next === undefined ? 1 : 2,
        },
      };
    }
    const close = s.indexOf('}', i + 2);
    const body = close < 0 ? s.slice(i + 2) : s.slice(i + 2, close);
    const m = /^([A-Za-z])(\d*)([rR]?)([.\-+,/_=]*)$/.exec(body);
    const length = close < 0 ? s.length - i : close - i + 1;
    if (close < 0) return { tokens, error: { message: `unterminated macro '%{${body}'`, offset: i, length } };
    if (!m) return { tokens, error: { message: `malformed macro '%{${body}}'`, offset: i, length } };
    const letter = m[1]!.toLowerCase();
    if (!letters.includes(letter)) {
      const onlyExp = EXP_LETTERS.includes(letter);
      return {
        tokens,
        error: {
          message: onlyExp
            ? `macro letter '${m[1]}' is allowed only in explanation text (RFC 7208 §7.2)`
            : `unknown macro letter '${m[1]}' (RFC 7208 §7.2)`,
          offset: i,
          length,
        },
      };
    }
    if (m[2] && Number(m[2]) === 0) {
      return {
        tokens,
        error: {
          message: `macro '%{${body}}' keeps zero labels: the number must be non-zero (RFC 7208 §7.3)`,
          offset: i,
          length,
        },
      };
    }
    flush();
    tokens.push(
      definedOnly({
        kind: 'macro',
        letter,
        upper: m[1] !== letter,
        reverse: m[3] !== '',
        digits: m[2] ? Number(m[2]) : undefined,
        delimiters: m[4] ?? '',
        raw: s.slice(i, close + 1),
      }),
    );
    i = close + 1;
  }
  flush();
  return { tokens };
}

export interface MacroValues {
  /** <sender>, already with 'postmaster' for an empty local-part (RFC 7208 §4.3). */
  sender: string;
  /** The <domain> of the check_host() being evaluated. */
  domain: string;
  ip?: SpfIp;
  helo?: string;
  /** %{r}: the receiving host; "unknown" when not given (RFC 7208 §7.3). */
  receiver?: string;
  now?: () => Date;
  /** %{p}: the validated domain name of <ip> (RFC 7208 §7.3), looked up on demand. */
  validatedName?: (domain: string) => Promise<string>;
}

/** Thrown when a macro needs a value we do not have (the client IP, before --ip is given). */
export class MacroUnavailable extends Error {
  constructor(readonly letter: string) {
    super(`%{${letter}} depends on the client IP address`);
  }
}

export function usesClientIp(tokens: readonly MacroToken[]): boolean {
  return tokens.some((t) => t.kind === 'macro' && 'icvp'.includes(t.letter));
}

export async function expandMacros(tokens: readonly MacroToken[], v: MacroValues): Promise<string> {
  let out = '';
  for (const t of tokens) {
    if (t.kind !== 'macro') {
      out += t.text;
      continue;
    }
    let value = await macroValue(t.letter, v);
    if (t.reverse || t.digits !== undefined || t.delimiters) {
      // RFC 7208 §7.3: split on the delimiters (default '.'), reverse, keep the right-hand parts, join with '.'.
      const delims = t.delimiters || '.';
      let parts = value.split(new RegExp(`[${delims.replace(/[-\\\]^]/g, '\\$&')}]`));
      if (t.reverse) parts = parts.reverse();
      if (t.digits !== undefined && t.digits < parts.length) parts = parts.slice(parts.length - t.digits);
      value = parts.join('.');
    }
    out += t.upper ? urlEscape(value) : value;
  }
  return out;
}

async function macroValue(letter: string, v: MacroValues): Promise<string> {
  const at = v.sender.lastIndexOf('@');
  switch (letter) {
    case 's':
      return v.sender;
    case 'l':
      return at > 0 ? v.sender.slice(0, at) : 'postmaster';
    case 'o':
      return at >= 0 ? v.sender.slice(at + 1) : v.sender;
    case 'd':
      return v.domain;
    case 'h':
      return v.helo ?? '';
    case 'r':
      return v.receiver || 'unknown';
    case 't':
      return String(Math.floor((v.now ? v.now() : new Date()).getTime() / 1000));
  }
  if (!v.ip) throw new MacroUnavailable(letter);
  switch (letter) {
    case 'i':
      return ipDotted(v.ip);
    case 'c':
      return ipText(v.ip);
    case 'v':
      return v.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'p':
      return v.validatedName ? v.validatedName(v.domain) : 'unknown';
  }
  throw new Error(`unexpected macro letter ${letter}`);
}

/** Upper-case macro letters URL-escape everything outside RFC 3986 unreserved (RFC 7208 §7.3). */
export function urlEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * An expanded domain-spec as a name to query: without its trailing dot, left labels dropped until it fits
 * 253 octets (RFC 7208 §7.3). Undefined when no query can be formed from it (an empty or over-long label).
 */
export function toTargetName(expanded: string): string | undefined {
  let name = expanded.endsWith('.') ? expanded.slice(0, -1) : expanded;
  while (name.length > 253 && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  if (!name || name.length > 253) return undefined;
  if (name.split('.').some((l) => l.length === 0 || l.length > 63)) return undefined;
  return name;
}

function describeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code >= 0x21 && code <= 0x7e ? `'${c}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
