// The addresses in a From: field (RFC 5322 §3.4: mailbox-list with display names, comments, quoted strings,
// groups) and the domain DMARC aligns against (RFC 7489 §3.1), as an A-label.
import { domainToASCII } from 'node:url';
import { valueCache } from '../core/value-cache.js';

/** The addr-specs of an address list, in order ('' for an unparseable mailbox). */
export function parseAddressList(value: string): string[] {
  // Most From: fields are `Name <a@b>` or `a@b`: with no comment, quote, group or second address, the walk below
  // (a character at a time, ~10 µs in verify's helpers, which run without the optimizing compiler) finds what two
  // indexOf find.
  if (!NOT_SIMPLE.test(value)) return simpleAddress(value.trim());
  return walkAddressList(value);
}

const NOT_SIMPLE = /[()",;:\\]/;

function simpleAddress(s: string): string[] {
  if (!s) return [];
  const lt = s.indexOf('<');
  if (lt === -1) return [unquoteLocal(s.replace(/\s+/g, ''))];
  const gt = s.indexOf('>', lt);
  return [unquoteLocal(s.slice(lt + 1, gt === -1 ? undefined : gt).trim())];
}

/** parseAddressList the long way, for any value (exported for the test that holds the short way to it). */
export function walkAddressList(value: string): string[] {
  const out: string[] = [];
  for (const item of splitTopLevel(stripComments(value))) {
    let s = item.trim();
    // group: display-name ":" [mailbox-list] ";" (RFC 5322 §3.4)
    const colon = topLevelIndex(s, ':');
    const angle = topLevelIndex(s, '<');
    if (colon !== -1 && (angle === -1 || colon < angle)) {
      s = s
        .slice(colon + 1)
        .replace(/;\s*$/, '')
        .trim();
      if (!s) continue;
      out.push(...walkAddressList(s));
      continue;
    }
    s = s.replace(/;\s*$/, '').trim();
    if (!s) continue;
    const lt = topLevelIndex(s, '<');
    if (lt !== -1) {
      const gt = s.indexOf('>', lt);
      let spec = s.slice(lt + 1, gt === -1 ? undefined : gt).trim();
      spec = spec.replace(/^(@[^:,]+,?)+:/, ''); // obs-route
      out.push(unquoteLocal(spec));
    } else {
      out.push(unquoteLocal(s.replace(/\s+/g, '')));
    }
  }
  return out;
}

/** The authors a From: field names: its addresses (unparseable ones left out) and the domain of each. */
export interface FromAuthors {
  addresses: readonly string[];
  domains: readonly string[];
}

const authorsOf = valueCache((value) => readAuthors([value]));

/** The authors of the From: field values given (latin1 header text, as fieldValue gives it). */
export function fromAuthors(values: readonly string[]): FromAuthors {
  // One field, as almost every message has: by its value (what is kept is never handed out to be changed).
  return values.length === 1 ? authorsOf(values[0]!) : readAuthors(values);
}

function readAuthors(values: readonly string[]): FromAuthors {
  const addresses = values.flatMap((v) => parseAddressList(decodeHeaderText(v))).filter(Boolean);
  return { addresses, domains: addresses.map(addressDomain) };
}

/** Domain of an address as a lowercase A-label without the trailing dot; '' when there is none. */
export function addressDomain(address: string): string {
  const at = address.lastIndexOf('@');
  if (at === -1) return '';
  const raw = address
    .slice(at + 1)
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (!raw) return '';
  if (/^[\x21-\x7e]*$/.test(raw)) return raw;
  return domainToASCII(raw) || raw;
}

/** Header bytes were kept as latin1 (one char per byte); UTF-8 addresses (RFC 6532) read back as UTF-8. */
export function decodeHeaderText(latin1: string): string {
  return /[\x80-\xff]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

function unquoteLocal(spec: string): string {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return spec;
  const local = spec.slice(0, at);
  return (local.startsWith('"') && local.endsWith('"') ? local : local.replace(/\s+/g, '')) + spec.slice(at);
}

/** Removes (comments), which nest, outside quoted strings. */
function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (quoted || depth)) {
      if (!depth) out += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (!depth && c === '"') quoted = !quoted;
    if (!quoted) {
      if (c === '(') {
        depth++;
        continue;
      }
      if (c === ')' && depth) {
        depth--;
        continue;
      }
    }
    if (!depth) out += c;
  }
  return out;
}

/** Splits on commas that are outside quotes and angle brackets, and not inside a group's mailbox list. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let angle = false;
  let group = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ':' && !angle) group = true;
    else if (c === ';' && !angle && group) group = false;
    else if (c === ',' && !angle && !group) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function topLevelIndex(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ch) return i;
  }
  return -1;
}
