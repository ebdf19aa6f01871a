// The tag=value list syntax of RFC 6376 §3.2, shared by DKIM key records, DKIM-Signature headers and
// DMARC records (RFC 7489 §6.3 reuses it). Pure; keeps offsets so reports can mark the offending part.

export interface Tag {
  /** As written (DKIM tag names are case-sensitive; DMARC callers lowercase). */
  name: string;
  /** Trimmed value; inner whitespace kept (FWS is allowed between tvals). */
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

/** Splits `a=1; b = 2 ;` into tags, recording every deviation from RFC 6376 §3.2 as an issue. */
export function parseTagList(raw: string, opts: { caseInsensitive?: boolean } = {}): TagList {
  const tags: Tag[] = [];
  const issues: TagListIssue[] = [];
  const seen = new Map<string, Tag>();
  let pos = 0;
  const segments = raw.split(';');
  segments.forEach((segment, i) => {
    const start = pos;
    const end = pos + segment.length;
    pos = end + 1;
    if (!segment.trim()) {
      // A trailing ";" is allowed; an empty tag-spec between two is not.
      if (i < segments.length - 1 && segments.slice(i + 1).some((s) => s.trim())) {
        issues.push({ kind: 'empty', message: 'empty tag (";;")', start, end: end + 1 });
      }
      return;
    }
    const eq = segment.indexOf('=');
    const lead = segment.length - segment.trimStart().length;
    if (eq < 0) {
      issues.push({
        kind: 'no-equals',
        message: `'${segment.trim()}' is not a tag=value pair`,
        start: start + lead,
        end: start + segment.trimEnd().length,
      });
      return;
    }
    const rawName = segment.slice(0, eq).trim();
    const name = opts.caseInsensitive ? rawName.toLowerCase() : rawName;
    const rawValue = segment.slice(eq + 1);
    const vLead = rawValue.length - rawValue.trimStart().length;
    const value = rawValue.trim();
    const valueStart = start + eq + 1 + vLead;
    const tag: Tag = {
      name,
      value,
      start: start + lead,
      end: start + segment.trimEnd().length,
      valueStart,
      valueEnd: valueStart + value.length,
    };
    if (!TAG_NAME.test(rawName)) {
      issues.push({
        kind: 'bad-name',
        message: rawName ? `'${rawName}' is not a valid tag name` : 'a value with no tag name',
        start: tag.start,
        end: start + eq + 1,
        tag: rawName,
      });
      return;
    }
    const bad = BAD_VALUE_CHAR.exec(value);
    if (bad) {
      const at = valueStart + bad.index;
      issues.push({
        kind: 'bad-char',
        message: `${rawName}= contains a character not allowed in a tag value (U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`,
        start: at,
        end: at + bad[0].length,
        tag: name,
      });
    }
    const prior = seen.get(name);
    if (prior) {
      issues.push({
        kind: 'duplicate',
        message: `${rawName}= appears more than once`,
        start: tag.start,
        end: tag.end,
        tag: name,
      });
      return;
    }
    seen.set(name, tag);
    tags.push(tag);
  });
  return { tags, issues };
}

/** The value of a tag, or undefined. */
export function tagValue(list: { tags: readonly Tag[] }, name: string): string | undefined {
  return list.tags.find((t) => t.name === name)?.value;
}
