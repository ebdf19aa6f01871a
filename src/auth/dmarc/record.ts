// DMARC records (RFC 7489 §6.3, §6.4; np= from RFC 9091): tags parsed with their offsets and defaults,
// report URIs split out. Pure and judgement-free: lint.ts decides what is wrong.
import { parseTagList, type Tag, type TagListIssue } from '../dkim/tag-list.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcUri {
  /** As written, trimmed. */
  raw: string;
  start: number;
  end: number;
  scheme: string | null;
  /** mailto: address, percent-decoded. */
  address: string | null;
  /** Host part of a mailto: address, lowercased. */
  domain: string | null;
  /** "!10m" size limit, if any. */
  sizeLimit: string | null;
  /** Why the URI is not a valid DMARC URI; undefined when it is. */
  error?: string;
}

export interface DmarcRecord {
  raw: string;
  tags: Tag[];
  issues: TagListIssue[];
  /** v= value as written, null when absent. */
  version: string | null;
  versionFirst: boolean;
  /** Raw values of the policy tags (null when absent). */
  p: string | null;
  sp: string | null;
  np: string | null;
  pct: string | null;
  adkim: string | null;
  aspf: string | null;
  fo: string | null;
  rf: string | null;
  ri: string | null;
  rua: DmarcUri[];
  ruf: DmarcUri[];
  unknownTags: Tag[];
}

const KNOWN = new Set(['v', 'p', 'sp', 'np', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri']);

export function parseDmarcRecord(text: string): DmarcRecord {
  // Tag names are ABNF quoted strings, so case-insensitive (RFC 7489 §6.4, RFC 5234 §2.3).
  const { tags, issues } = parseTagList(text, { caseInsensitive: true });
  const tag = (n: string) => tags.find((t) => t.name === n);
  const value = (n: string) => tag(n)?.value ?? null;
  const v = tag('v');
  return {
    raw: text,
    tags,
    issues,
    version: v?.value ?? null,
    versionFirst: Boolean(v && tags[0] === v),
    p: value('p'),
    sp: value('sp'),
    np: value('np'),
    pct: value('pct'),
    adkim: value('adkim'),
    aspf: value('aspf'),
    fo: value('fo'),
    rf: value('rf'),
    ri: value('ri'),
    rua: parseUriList(tag('rua')),
    ruf: parseUriList(tag('ruf')),
    unknownTags: tags.filter((t) => !KNOWN.has(t.name)),
  };
}

/** Policy value if valid ("none", "quarantine", "reject", case-insensitive), else null. */
export function policyValue(v: string | null): DmarcPolicy | null {
  const p = v?.toLowerCase();
  return p === 'none' || p === 'quarantine' || p === 'reject' ? p : null;
}

/** dmarc-uri *(*WSP "," *WSP dmarc-uri), each `URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]` (§6.4). */
function parseUriList(t: Tag | undefined): DmarcUri[] {
  if (!t || !t.value) return [];
  const out: DmarcUri[] = [];
  let pos = t.valueStart;
  for (const part of t.value.split(',')) {
    const lead = part.length - part.trimStart().length;
    const raw = part.trim();
    const start = pos + lead;
    out.push({ ...parseUri(raw), raw, start, end: start + raw.length });
    pos += part.length + 1;
  }
  return out;
}

function parseUri(raw: string): Omit<DmarcUri, 'raw' | 'start' | 'end'> {
  const none = { scheme: null, address: null, domain: null, sizeLimit: null };
  if (!raw) return { ...none, error: 'empty URI (stray comma)' };
  let uri = raw;
  let sizeLimit: string | null = null;
  const bang = raw.lastIndexOf('!');
  if (bang >= 0) {
    sizeLimit = raw.slice(bang + 1);
    uri = raw.slice(0, bang);
    if (!/^\d+[kmgt]?$/i.test(sizeLimit))
      return { ...none, sizeLimit, error: `'!${sizeLimit}' is not a size limit (digits, then k, m, g or t)` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? null;
  if (!scheme)
    return { ...none, sizeLimit, error: uri.includes('@') ? 'an address without "mailto:"' : 'not a URI (no scheme)' };
  if (scheme !== 'mailto') return { ...none, scheme, sizeLimit };
  let address: string;
  try {
    address = decodeURIComponent(uri.slice(7).split('?')[0]!);
  } catch {
    return { ...none, scheme, sizeLimit, error: 'bad percent-encoding' };
  }
  const at = address.lastIndexOf('@');
  const domain =
    at > 0
      ? address
          .slice(at + 1)
          .toLowerCase()
          .replace(/\.$/, '')
      : '';
  if (at <= 0 || !/^(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{1,63}(?<!-)$/i.test(domain) || /\s/.test(address)) {
    return { ...none, scheme, address, sizeLimit, error: `'${address}' is not an email address` };
  }
  return { scheme, address, domain, sizeLimit };
}

export interface DmarcValues {
  /** What receivers apply to the record's own domain; null when the record yields no DMARC processing. */
  policy: DmarcPolicy | null;
  /** sp=, defaulting to p= (RFC 7489 §6.3). */
  subdomainPolicy: DmarcPolicy | null;
  /** np= (RFC 9091 §4.1), defaulting to the subdomain policy. */
  nonexistentPolicy: DmarcPolicy | null;
  /**
   * RFC 7489 §6.6.3 step 6: an invalid or missing p=, or an invalid sp=, makes receivers act as if
   * p=none when rua= has a valid URI ('none'), and apply no DMARC otherwise ('ignored').
   */
  degraded: 'none' | 'ignored' | null;
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  fo: string[];
  rf: string[];
  ri: number;
}

/** The values receivers act on, with RFC 7489 defaults for absent or invalid tags. */
export function dmarcValues(r: DmarcRecord): DmarcValues {
  const p = policyValue(r.p);
  const spOk = r.sp === null || policyValue(r.sp) !== null;
  let policy: DmarcPolicy | null = p;
  let subdomainPolicy: DmarcPolicy | null = policyValue(r.sp) ?? p;
  let degraded: DmarcValues['degraded'] = null;
  if (!p || !spOk) {
    degraded = r.rua.some((u) => !u.error) ? 'none' : 'ignored';
    policy = subdomainPolicy = degraded === 'none' ? 'none' : null;
  }
  const align = (v: string | null) => (v?.toLowerCase() === 's' ? 's' : 'r');
  const list = (v: string | null, def: string) =>
    (v ?? def)
      .split(':')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  return {
    policy,
    subdomainPolicy,
    nonexistentPolicy: degraded ? subdomainPolicy : (policyValue(r.np) ?? subdomainPolicy),
    degraded,
    pct: validPct(r.pct) ?? 100,
    adkim: align(r.adkim),
    aspf: align(r.aspf),
    fo: list(r.fo, '0'),
    rf: list(r.rf, 'afrf'),
    ri: r.ri !== null && /^\d{1,10}$/.test(r.ri) && Number(r.ri) <= 4294967295 ? Number(r.ri) : 86400,
  };
}

export function validPct(v: string | null): number | null {
  return v !== null && /^\d{1,3}$/.test(v) && Number(v) <= 100 ? Number(v) : null;
}

/** RFC 7489 §6.6.3 step 2: only TXT records starting with a v=DMARC1 tag are DMARC records. */
export function isDmarcRecord(text: string): boolean {
  return /^v\s*=\s*DMARC1\b/i.test(text.trimStart());
}
