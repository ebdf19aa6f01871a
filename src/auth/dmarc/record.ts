// DMARC records (RFC 9989 §4.7, §4.8, which obsoletes RFC 7489 §6.3, §6.4 and RFC 9091): tags parsed with their
// offsets, the values receivers act on under each reading, report URIs split out. Pure and judgement-free:
// lint.ts decides what is wrong.
import { parseTagList, type Tag, type TagListIssue } from '../shared/tag-list.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

/** One level weaker: what t=y makes receivers apply (RFC 9989 §4.7), and the rest of pct= under RFC 7489. */
export const WEAKER_POLICY: Readonly<Record<DmarcPolicy, DmarcPolicy>> = {
  reject: 'quarantine',
  quarantine: 'none',
  none: 'none',
};

/**
 * Which specification a receiver follows. RFC 9989 (May 2026) obsoletes RFC 7489; receivers are mid-transition,
 * so verdicts are RFC 9989's and the RFC 7489 reading is computed beside it where the two can differ.
 */
export type DmarcReading = 'rfc9989' | 'rfc7489';

/** RFC 9989 §9.3 marks these "historic": its receivers ignore them, RFC 7489 receivers still act on them. */
export const REMOVED_TAGS = ['pct', 'rf', 'ri'] as const;
/** Tags RFC 9989 added (§4.7): RFC 7489 receivers ignore them. */
export const ADDED_TAGS = ['t', 'psd'] as const;

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
  /** t= (RFC 9989 §4.7): y asks receivers to apply the policy one level weaker. */
  t: string | null;
  /** psd= (RFC 9989 §4.7): y a Public Suffix Domain, n an Organizational Domain, u (default) unknown. */
  psd: string | null;
  rua: DmarcUri[];
  ruf: DmarcUri[];
  unknownTags: Tag[];
}

const KNOWN = new Set(['v', 'p', 'sp', 'np', 'rua', 'ruf', 'adkim', 'aspf', 'fo', ...REMOVED_TAGS, ...ADDED_TAGS]);

export function parseDmarcRecord(text: string): DmarcRecord {
  // Tag names are matched case-insensitively, as ABNF quoted strings are (RFC 5234 §2.3).
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
    t: value('t'),
    psd: value('psd'),
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
  /** sp=, defaulting to p=. */
  subdomainPolicy: DmarcPolicy | null;
  /** np= (RFC 9989 §4.7), defaulting to the subdomain policy; RFC 7489 has no np=. */
  nonexistentPolicy: DmarcPolicy | null;
  /**
   * RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6): an invalid p=, or an invalid sp= (or, in RFC 9989, np=), makes
   * receivers act as if p=none when rua= has a valid URI ('none'), and apply no DMARC otherwise ('ignored').
   * RFC 7489 reads a missing p= the same way; RFC 9989 §4.7 treats it as p=none, whatever rua= says.
   */
  degraded: 'none' | 'ignored' | null;
  /** pct= as written (default 100): only RFC 7489 receivers apply it (RFC 9989 §9.3 made it historic). */
  pct: number;
  /** t=y (RFC 9989 §4.7): the policy is applied one level weaker. Always false in the RFC 7489 reading. */
  testing: boolean;
  /** psd= (RFC 9989 §4.7), 'u' when absent or invalid. */
  psd: 'y' | 'n' | 'u';
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  fo: string[];
  rf: string[];
  ri: number;
}

/** The values receivers act on under `reading`, with defaults for absent or invalid tags. */
export function dmarcValues(r: DmarcRecord, reading: DmarcReading = 'rfc9989'): DmarcValues {
  const p = policyValue(r.p);
  const bad = (v: string | null) => v !== null && policyValue(v) === null;
  const rfc9989 = reading === 'rfc9989';
  // A missing p= is p=none for RFC 9989 (§4.7); for RFC 7489 it is as broken as an invalid one (§6.6.3 step 6).
  const pBroken = rfc9989 ? bad(r.p) : p === null;
  let policy: DmarcPolicy | null = p ?? 'none';
  let subdomainPolicy: DmarcPolicy | null = policyValue(r.sp) ?? policy;
  let nonexistentPolicy: DmarcPolicy | null = rfc9989 ? (policyValue(r.np) ?? subdomainPolicy) : subdomainPolicy;
  let degraded: DmarcValues['degraded'] = null;
  if (pBroken || bad(r.sp) || (rfc9989 && bad(r.np))) {
    degraded = r.rua.some((u) => !u.error) ? 'none' : 'ignored';
    policy = subdomainPolicy = nonexistentPolicy = degraded === 'none' ? 'none' : null;
  }
  const align = (v: string | null) => (v?.toLowerCase() === 's' ? 's' : 'r');
  const list = (v: string | null, def: string) =>
    (v ?? def)
      .split(':')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  const psd = r.psd?.trim().toLowerCase();
  return {
    policy,
    subdomainPolicy,
    nonexistentPolicy,
    degraded,
    pct: validPct(r.pct) ?? 100,
    testing: rfc9989 && r.t?.trim().toLowerCase() === 'y',
    psd: psd === 'y' || psd === 'n' ? psd : 'u',
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

/**
 * Only a TXT record whose first tag is v=DMARC1 is a DMARC record (RFC 9989 §4.10 steps 2 and 6; RFC 7489 §6.6.3
 * step 2). The value is case-sensitive and the tag ends at ";" (§4.7, §4.8: %s"DMARC1"), so "v=dmarc1" and
 * "v=DMARC1 p=reject" are not DMARC records: receivers discard them.
 */
export function isDmarcRecord(text: string): boolean {
  return /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(text.trimStart());
}

/** A TXT that was meant as DMARC but is discarded: a typo in v=, tags out of order, a missing ";". */
export function looksLikeDmarc(text: string): boolean {
  return /dmarc|(^|;)\s*p\s*=/i.test(text);
}
