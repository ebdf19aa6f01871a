// Text from the network (banners, TXT records, headers, DNS names) is untrusted: escape terminal control
// characters (C0, DEL, C1, and so ANSI/OSC escape sequences) and the Unicode bidi controls (which reorder what
// is shown: "Trojan Source", CVE-2021-42574) before anything reaches a terminal.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What JSON.stringify leaves raw but a terminal would act on: DEL, C1 and the bidi controls (C0 it escapes). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HAS_JSON_UNSAFE = new RegExp(JSON_UNSAFE.source);

/** JSON text with those characters as \uXXXX escapes: the same value to any parser, inert on a terminal. */
export function escapeJsonText(json: string): string {
  // Most text has none: a test first (a global replace with a function costs 2–3× a test even when nothing matches,
  // and receive writes a line per message).
  if (!HAS_JSON_UNSAFE.test(json)) return json;
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 keeps a substring of 13 or more
 * characters (and a concatenation) as a view into its parts: a header value kept as a cache key, or a problem text
 * quoting it, would keep the whole header section (a stranger's megabytes) alive with it. For what is kept long.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** Escapes control characters as \xHH (\uHHHH for bidi controls); keeps tab and newline when `multiline`. */
export function escapeControl(s: string, multiline = false): string {
  const out = s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return multiline ? out : out.replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}
