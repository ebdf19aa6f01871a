// DKIM tag=value lists (RFC 6376 §3.2), shared by DKIM-Signature fields and key records (§3.6.1).
// Pure: a syntax error is a returned reason, never a throw.

export type TagList = Map<string, string>;

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Parses `a=b; c=d` into a map; values keep inner whitespace (callers strip it where §3.5 says so). */
export function parseTagList(text: string): { tags: TagList } | { error: string } {
  const tags: TagList = new Map();
  const parts = text.split(';');
  // A trailing ";" is allowed (tag-list = tag-spec *( ";" tag-spec ) [ ";" ]).
  if (parts.length > 1 && parts[parts.length - 1]!.trim() === '') parts.pop();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq === -1) {
      if (part.trim() === '' && parts.length === 1) break;
      return { error: `tag '${printable(part.trim())}' has no '='` };
    }
    const name = part.slice(0, eq).trim();
    if (!TAG_NAME.test(name)) return { error: `invalid tag name '${printable(name)}'` };
    // §3.2: a duplicate tag name makes the entire tag-list invalid.
    if (tags.has(name)) return { error: `tag '${name}' appears twice` };
    tags.set(name, part.slice(eq + 1).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
  }
  return { tags };
}

/** base64 values (b=, bh=, p=) may be folded: §3.5 says whitespace in them is ignored. */
export function stripFws(value: string): string {
  return value.replace(/[ \t\r\n]+/g, '');
}

function printable(s: string): string {
  return (s.length > 30 ? `${s.slice(0, 30)}…` : s).replace(/[^\x20-\x7e]/g, '?');
}
