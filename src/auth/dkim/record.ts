// DKIM key records (RFC 6376 §3.6.1; Ed25519 keys RFC 8463 §4.2): the tags v k p h s t n with their
// defaults, parsed without judgement. Pure. lint.ts turns the result into findings.
import { parseTagList, stripFws, type Tag, type TagListIssue } from '../shared/tag-list.js';

export interface DkimKeyRecord {
  raw: string;
  tags: Tag[];
  /** Tag-list syntax problems (RFC 6376 §3.2). */
  issues: TagListIssue[];
  /** v= value, or null when absent (v= is optional, but must be first and "DKIM1" when present). */
  version: string | null;
  /** True when v= is present but not the first tag. */
  versionNotFirst: boolean;
  /** k= (default "rsa"). */
  keyType: string;
  /** p= with whitespace removed; '' = revoked; null = tag missing. */
  publicKey: string | null;
  /** h= hash algorithms, lowercased; null = all allowed. */
  hashes: string[] | null;
  /** s= service types (default ["*"]). */
  services: string[];
  /** t= flags, lowercased (y = testing, s = strict identity). */
  flags: string[];
  /** n= notes, for humans. */
  notes: string | null;
  /** Tags RFC 6376 does not define (verifiers ignore them). */
  unknownTags: Tag[];
}

const KNOWN = new Set(['v', 'k', 'p', 'h', 's', 't', 'n']);

export function parseDkimKeyRecord(text: string): DkimKeyRecord {
  const { tags, issues } = parseTagList(text);
  const get = (n: string) => tags.find((t) => t.name === n);
  const list = (v: string | undefined) =>
    v === undefined
      ? undefined
      : v
          .split(':')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
  const v = get('v');
  const p = get('p');
  return {
    raw: text,
    tags,
    issues,
    version: v?.value ?? null,
    versionNotFirst: Boolean(v && tags[0] !== v),
    keyType: (get('k')?.value ?? 'rsa').toLowerCase(),
    // base64 may be folded with whitespace (RFC 6376 §3.6.1 "base64string").
    publicKey: p ? stripFws(p.value) : null,
    hashes: list(get('h')?.value) ?? null,
    services: list(get('s')?.value) ?? ['*'],
    flags: list(get('t')?.value) ?? [],
    notes: get('n')?.value ?? null,
    unknownTags: tags.filter((t) => !KNOWN.has(t.name)),
  };
}

/**
 * Does a TXT record at a selector name look like a DKIM key at all? Wildcard TXT records (an SPF
 * record at `*.example.com`) answer every guessed selector; they are not keys.
 */
export function looksLikeDkimKey(text: string): boolean {
  const t = text.trimStart();
  if (/^v\s*=\s*DKIM/i.test(t)) return true; // any version: lint says why v=DKIM2 is discarded
  if (/^v\s*=/i.test(t)) return false;
  return parseTagList(t).tags.some((tag) => tag.name === 'p' || tag.name === 'k');
}
