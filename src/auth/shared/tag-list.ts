// The tag=value list syntax of RFC 6376 §3.2, the one parser for DKIM key records, DKIM-Signature and ARC header
// fields (the `dkim` check and the verifier) and DMARC records (RFC 7489 §6.3 reuses it). Pure; keeps offsets so
// reports can mark the offending part. Linear in the text, whatever it holds (it parses strangers' header fields).

export interface Tag {
  /** As written (DKIM tag names are case-sensitive; DMARC callers lowercase). */
  name: string;
  /** Value without the FWS around it; inner whitespace kept (FWS is allowed between tvals). */
  value: string;
  /** Offsets into the raw text: the whole tag-spec, and the value alone. */
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
}

export type TagListIssueKind = 'empty' | 'no-equals' | 'bad-name' | 'bad-char' | 'duplicate';

export interface TagListIssue {
  kind: TagListIssueKind;
  message: string;
  start: number;
  end: number;
  tag?: string;
}

export interface TagList {
  tags: Tag[];
  issues: TagListIssue[];
}

// tag-name = ALPHA *ALNUMPUNC (RFC 6376 §3.2)
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
// VALCHAR = %x21-3A / %x3C-7E, plus the WSP/FWS allowed between tvals.
const BAD_VALUE_CHAR = /[^\x21-\x3a\x3c-\x7e \t\r\n]/;

export interface TagListOptions {
  /** Lowercase tag names (DMARC). */
  caseInsensitive?: boolean;
  /** Look for characters outside VALCHAR (default true; verifiers, which ignore them, skip the scan). */
  valueChars?: boolean;
}

// FWS as §3.2 means it is SP, HTAB, CR and LF: not String.trim()'s Unicode spaces. The test is written out in each
// loop below rather than called: the verifier parses every signature of every message, often in V8's interpreter
// (runs of < 10,000 messages go without the optimizing compiler, pool.ts), where a call per character shows.

/**
 * Splits `a=1; b = 2 ;` into tags, recording every deviation from RFC 6376 §3.2 as an issue. One trailing ";" is
 * allowed (tag-list = tag-spec *( ";" tag-spec ) [ ";" ]); an empty tag-spec anywhere else is an issue.
 */
export function parseTagList(raw: string, opts: TagListOptions = {}): TagList {
  const tags: Tag[] = [];
  const issues: TagListIssue[] = [];
  scan(raw, opts, issues, { tags, seen: new Set() });
  return { tags, issues };
}

/** Where the tags go: Tag records with offsets (parseTagList), or straight into a map (strictTagList). */
type Sink = { tags: Tag[]; seen: Set<string> } | Map<string, string>;

function scan(raw: string, opts: TagListOptions, issues: TagListIssue[], sink: Sink): void {
  // The next "=" at or after the current tag-spec, found once and reused: searching from each spec again would
  // rescan the rest of the text for every spec without one (quadratic in "x;x;x;…;a=1").
  let eq = -1;
  for (let start = 0; start <= raw.length;) {
    let end = raw.indexOf(';', start);
    const last = end === -1;
    if (last) end = raw.length;
    let a = start;
    let b = end;
    let c = raw.charCodeAt(a);
    while (a < b && (c === 32 || c === 9 || c === 13 || c === 10)) c = raw.charCodeAt(++a);
    c = raw.charCodeAt(b - 1);
    while (b > a && (c === 32 || c === 9 || c === 13 || c === 10)) c = raw.charCodeAt(--b - 1);
    if (a === b) {
      // The text after the final ";" may be empty (a trailing semicolon), and so may a list with no tags at all.
      if (!last) issues.push({ kind: 'empty', message: 'empty tag (";;")', start, end: end + 1 });
    } else {
      if (eq !== Infinity && eq < a) eq = raw.indexOf('=', a);
      if (eq === -1) eq = Infinity;
      parseTagSpec(raw, a, b, eq, opts, issues, sink);
    }
    start = end + 1;
  }
}

/** One tag-spec, raw[a, b) without the FWS around it; `eq` is the first "=" at or after a (Infinity: none). */
function parseTagSpec(
  raw: string,
  a: number,
  b: number,
  eq: number,
  opts: TagListOptions,
  issues: TagListIssue[],
  sink: Sink,
): void {
  if (eq >= b) {
    issues.push({
      kind: 'no-equals',
      message: `'${preview(raw.slice(a, b))}' is not a tag=value pair`,
      start: a,
      end: b,
    });
    return;
  }
  let nameEnd = eq;
  let c = raw.charCodeAt(nameEnd - 1);
  while (nameEnd > a && (c === 32 || c === 9 || c === 13 || c === 10)) c = raw.charCodeAt(--nameEnd - 1);
  let valueStart = eq + 1;
  c = raw.charCodeAt(valueStart);
  while (valueStart < b && (c === 32 || c === 9 || c === 13 || c === 10)) c = raw.charCodeAt(++valueStart);
  const rawName = raw.slice(a, nameEnd);
  if (!TAG_NAME.test(rawName)) {
    issues.push({
      kind: 'bad-name',
      message: rawName ? `'${preview(rawName)}' is not a valid tag name` : 'a value with no tag name',
      start: a,
      end: eq + 1,
      tag: rawName,
    });
    return;
  }
  const name = opts.caseInsensitive ? rawName.toLowerCase() : rawName;
  const value = raw.slice(valueStart, b);
  const bad = opts.valueChars === false ? null : BAD_VALUE_CHAR.exec(value);
  if (bad) {
    const at = valueStart + bad.index;
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    issues.push({
      kind: 'bad-char',
      message: `${rawName}= contains a character not allowed in a tag value (U+${code})`,
      start: at,
      end: at + bad[0].length,
      tag: name,
    });
  }
  // §3.2: a duplicate tag name makes the entire tag-list invalid.
  if (sink instanceof Map ? sink.has(name) : sink.seen.has(name)) {
    issues.push({ kind: 'duplicate', message: `${rawName}= appears more than once`, start: a, end: b, tag: name });
    return;
  }
  if (sink instanceof Map) {
    sink.set(name, value);
    return;
  }
  sink.seen.add(name);
  sink.tags.push({ name, value, start: a, end: b, valueStart, valueEnd: b });
}

/** The value of a tag, or undefined. */
export function tagValue(list: { tags: readonly Tag[] }, name: string): string | undefined {
  return list.tags.find((t) => t.name === name)?.value;
}

/**
 * A tag list as a verifier must take it (DKIM-Signature, ARC-Seal, ARC-Message-Signature, key records): any
 * syntax issue invalidates the whole list — a duplicate (§3.2), an empty tag-spec, a missing "=", an invalid
 * name. A character outside VALCHAR does not: python3-dkim, Mail::DKIM and OpenDKIM ignore it, and so do we.
 */
export function strictTagList(raw: string): { tags: Map<string, string> } | { error: string } {
  const issues: TagListIssue[] = [];
  const tags = new Map<string, string>();
  scan(raw, { valueChars: false }, issues, tags);
  return issues.length ? { error: issues[0]!.message } : { tags };
}

/** base64 values (b=, bh=, p=) may be folded: §3.5 says whitespace in them is ignored. */
export function stripFws(value: string): string {
  return value.replace(/[ \t\r\n]+/g, '');
}

/** A name or tag-spec from a stranger, short and printable, for a message. */
function preview(s: string): string {
  return (s.length > 30 ? `${s.slice(0, 30)}…` : s).replace(/[^\x20-\x7e…]/g, '?');
}
