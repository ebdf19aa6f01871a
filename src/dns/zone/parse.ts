// RFC 1035 §5 master files: $ORIGIN, $TTL, @, relative names, blank owners, (multi-line) parentheses,
// ; comments, quoted multi-string TXT with \DDD escapes. Pure: text in, records out, errors with line numbers.
import { expandIpv6, type RRType, type RecordMap } from '../types.js';
import { parseRdata } from './rdata.js';
import type { Token, Zone, ZoneRecord } from './types.js';

export class ZoneSyntaxError extends Error {
  override readonly name = 'ZoneSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly source = 'zone',
  ) {
    super(`${source}:${line}: ${message}`);
  }
}

const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);
const TYPES = new Set<string>([
  'A',
  'AAAA',
  'MX',
  'TXT',
  'SPF',
  'CNAME',
  'PTR',
  'NS',
  'SOA',
  'TLSA',
  'DS',
  'DNSKEY',
  'SRV',
  'CAA',
]);

/** Parses a master file. `origin` is the default $ORIGIN (e.g. from the file name) when the file sets none. */
export function parseZone(text: string, opts: { origin?: string; source?: string; defaultTtl?: number } = {}): Zone {
  const source = opts.source ?? 'zone';
  let origin = opts.origin ? absolute(opts.origin, '') : '';
  let firstOrigin: string | undefined;
  let ttl = opts.defaultTtl ?? 3600;
  let lastOwner: string | undefined;
  let lastTtl: number | undefined;
  const records: ZoneRecord[] = [];

  for (const { tokens, line, ownerBlank } of logicalLines(text, source)) {
    if (tokens.length === 0) continue;
    const head = tokens[0]!;
    if (!head.quoted && head.text.startsWith('$')) {
      const dir = head.text.toUpperCase();
      if (dir === '$ORIGIN') {
        if (!tokens[1]) throw new ZoneSyntaxError('$ORIGIN needs a domain name', line, source);
        origin = absolute(tokens[1].text, origin);
        firstOrigin ??= origin;
      } else if (dir === '$TTL') {
        ttl = parseTtl(tokens[1]?.text, line, source);
      } else if (dir === '$INCLUDE') {
        throw new ZoneSyntaxError('$INCLUDE is not supported: pass each file with its own --zone', line, source);
      } else {
        throw new ZoneSyntaxError(`unknown directive ${head.text}`, line, source);
      }
      continue;
    }
    let i = 0;
    let owner: string;
    if (ownerBlank) {
      if (lastOwner === undefined)
        throw new ZoneSyntaxError('record with no owner name and no previous owner', line, source);
      owner = lastOwner;
    } else {
      if (!origin && !head.text.endsWith('.') && head.text !== '@') {
        throw new ZoneSyntaxError(`relative name '${head.text}' with no $ORIGIN`, line, source);
      }
      owner = head.text === '@' ? requireOrigin(origin, line, source) : absolute(head.text, origin);
      i = 1;
    }
    // [TTL] [class] or [class] [TTL], in either order (RFC 1035 §5.1).
    let recTtl: number | undefined;
    for (let k = 0; k < 2 && i < tokens.length; k++) {
      const t = tokens[i]!.text;
      if (/^\d/.test(t) && recTtl === undefined && !TYPES.has(t.toUpperCase())) {
        recTtl = parseTtl(t, line, source);
        i++;
      } else if (CLASSES.has(t.toUpperCase())) {
        if (t.toUpperCase() !== 'IN') throw new ZoneSyntaxError(`class ${t} is not supported (only IN)`, line, source);
        i++;
      }
    }
    const typeTok = tokens[i];
    if (!typeTok) throw new ZoneSyntaxError('missing record type', line, source);
    const type = typeTok.text.toUpperCase();
    if (!TYPES.has(type)) throw new ZoneSyntaxError(`unsupported record type '${typeTok.text}'`, line, source);
    const rdata = tokens.slice(i + 1);
    let data: RecordMap[RRType];
    try {
      data = parseRdata(type as RRType, rdata, (n) =>
        n === '@' ? requireOrigin(origin, line, source) : absolute(n, origin),
      );
    } catch (e) {
      throw new ZoneSyntaxError(`${type}: ${(e as Error).message}`, line, source);
    }
    // Without $TTL, RFC 2308 §4 makes the SOA minimum the default; keep the last explicit one otherwise.
    const effective = recTtl ?? lastTtl ?? ttl;
    if (recTtl !== undefined) lastTtl = recTtl;
    records.push({ name: owner, type: type as RRType, ttl: effective, data });
    lastOwner = owner;
  }
  // The SOA owner is the zone apex; else the first $ORIGIN; else the origin the caller supplied.
  const zoneOrigin = soaOwner(records) ?? firstOrigin ?? (opts.origin ? absolute(opts.origin, '') : undefined);
  if (!zoneOrigin)
    throw new ZoneSyntaxError('no $ORIGIN and no SOA record: cannot tell which names this zone answers for', 1, source);
  const stray = records.find((r) => !(r.name === zoneOrigin || r.name.endsWith(`.${zoneOrigin}`) || zoneOrigin === ''));
  if (stray)
    throw new ZoneSyntaxError(
      `owner '${stray.name}' is outside the zone's origin '${zoneOrigin}': put it in a zone file of its own`,
      1,
      source,
    );
  return { origin: zoneOrigin, records: dedupeRecords(records), source };
}

/**
 * An RRset has no duplicate RRs (RFC 2181 §5): a record listed twice is one record, as knot and any
 * authoritative server answer it. The first occurrence stays, with its TTL.
 */
function dedupeRecords(records: ZoneRecord[]): ZoneRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.name} ${r.type} ${rdataKey(r)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** RDATA compared as on the wire: names are already canonical; an IPv6 address has many spellings. */
function rdataKey(r: ZoneRecord): string {
  if (r.type === 'AAAA') return expandIpv6(r.data as string);
  return JSON.stringify(r.data);
}

function soaOwner(records: ZoneRecord[]): string | undefined {
  return records.find((r) => r.type === 'SOA')?.name;
}

function requireOrigin(origin: string, line: number, source: string): string {
  if (!origin) throw new ZoneSyntaxError("'@' used with no $ORIGIN", line, source);
  return origin;
}

/** Canonical absolute name: lowercase, no trailing dot ('' is the root). */
export function absolute(name: string, origin: string): string {
  const unescaped = name.replace(/\\(\d{3}|.)/g, (_m, e: string) =>
    e.length === 3 ? String.fromCharCode(Number(e)) : e,
  );
  if (name === '.') return '';
  if (name.endsWith('.') && !name.endsWith('\\.')) return unescaped.slice(0, -1).toLowerCase();
  const rel = unescaped.toLowerCase();
  return origin ? `${rel}.${origin}` : rel;
}

function parseTtl(t: string | undefined, line: number, source: string): number {
  if (!t) throw new ZoneSyntaxError('missing TTL', line, source);
  // BIND-style units (1h30m, 2d) are common in hand-written zones.
  const m = /^(?:\d+[wdhms]?)+$/i.test(t) ? t.match(/\d+[wdhms]?/gi) : null;
  if (!m) throw new ZoneSyntaxError(`invalid TTL '${t}'`, line, source);
  const unit: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
  const v = m.reduce((sum, part) => {
    const u = part.slice(-1).toLowerCase();
    return sum + (u in unit ? Number(part.slice(0, -1)) * unit[u]! : Number(part));
  }, 0);
  if (v > 2147483647) throw new ZoneSyntaxError(`TTL '${t}' is larger than 2^31-1`, line, source);
  return v;
}

/** Splits the text into logical lines (parentheses join physical lines), tokenizing quotes and comments. */
function* logicalLines(
  text: string,
  source: string,
): Generator<{ tokens: Token[]; line: number; ownerBlank: boolean }> {
  let tokens: Token[] = [];
  let depth = 0;
  let startLine = 1;
  let ownerBlank = false;
  let lineNo = 0;
  for (const physical of text.split(/\r?\n/)) {
    lineNo++;
    if (depth === 0) {
      tokens = [];
      startLine = lineNo;
      ownerBlank = /^[ \t]/.test(physical);
    }
    let i = 0;
    while (i < physical.length) {
      const c = physical[i]!;
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      if (c === ';') break;
      if (c === '(') {
        depth++;
        i++;
        continue;
      }
      if (c === ')') {
        if (depth === 0) throw new ZoneSyntaxError("unbalanced ')'", lineNo, source);
        depth--;
        i++;
        continue;
      }
      if (c === '"') {
        let j = i + 1;
        let s = '';
        while (j < physical.length && physical[j] !== '"') {
          if (physical[j] === '\\' && j + 1 < physical.length) {
            s += physical[j]! + physical[j + 1]!;
            j += 2;
          } else {
            s += physical[j];
            j++;
          }
        }
        if (j >= physical.length) throw new ZoneSyntaxError('unterminated quoted string', lineNo, source);
        tokens.push({ text: s, quoted: true });
        i = j + 1;
        continue;
      }
      let j = i;
      let s = '';
      while (j < physical.length && !' \t;()"'.includes(physical[j]!)) {
        if (physical[j] === '\\' && j + 1 < physical.length) {
          s += physical[j]! + physical[j + 1]!;
          j += 2;
        } else {
          s += physical[j];
          j++;
        }
      }
      tokens.push({ text: s, quoted: false });
      i = j;
    }
    if (depth === 0) yield { tokens, line: startLine, ownerBlank: ownerBlank && tokens.length > 0 };
  }
  if (depth !== 0) throw new ZoneSyntaxError("unbalanced '(' at end of file", startLine, source);
}
