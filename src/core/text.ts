// Text from the network (banners, TXT records, headers, DNS names) is untrusted: escape terminal control
// characters (C0, DEL, C1, and so ANSI/OSC escape sequences) and the Unicode bidi controls (which reorder what
// is shown: "Trojan Source", CVE-2021-42574) before anything reaches a terminal.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What JSON.stringify leaves raw but a terminal would act on: DEL, C1 and the bidi controls (C0 it escapes). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HAS_JSON_UNSAFE = new RegExp(JSON_UNSAFE.source);

/** CONTROL, tab and newline: what escapeControl may change in either mode. */
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** JSON text with those characters as \uXXXX escapes: the same value to any parser, inert on a terminal. */
export function escapeJsonText(json: string): string {
  // Most text has none: a test first (a global replace with a function costs 2–3× a test even when nothing matches,
  // and receive writes a line per message).
  if (!HAS_JSON_UNSAFE.test(json)) return json;
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * escapeJsonText's result as UTF-8, for writing: the text is encoded once and its bytes searched natively for the
 * lead bytes of DEL, C1 and the bidi controls (0x7f; 0xc2 0x80–0x9f; 0xd8 0x9c; 0xe2 0x80/0x81 …), which no other
 * character's encoding contains; only text that has one is escaped as a string (receive writes 2.5 kB a message,
 * where a regular expression over the string cost more than the encoding).
 */
export function jsonTextBytes(json: string): Buffer {
  const b = Buffer.from(json, 'utf8');
  return holdsJsonUnsafe(b) ? Buffer.from(escapeJsonText(json), 'utf8') : b;
}

function holdsJsonUnsafe(b: Buffer): boolean {
  if (b.indexOf(0x7f) !== -1) return true;
  for (let i = b.indexOf(0xc2); i !== -1; i = b.indexOf(0xc2, i + 1))
    if (b[i + 1]! >= 0x80 && b[i + 1]! <= 0x9f) return true;
  for (let i = b.indexOf(0xd8); i !== -1; i = b.indexOf(0xd8, i + 1)) if (b[i + 1] === 0x9c) return true;
  for (let i = b.indexOf(0xe2); i !== -1; i = b.indexOf(0xe2, i + 1)) {
    const x = b[i + 1];
    const y = b[i + 2]!;
    // U+200E U+200F, U+2028–U+202E (e2 80 8e/8f, a8–ae); U+2066–U+2069 (e2 81 a6–a9)
    if (x === 0x80 && (y === 0x8e || y === 0x8f || (y >= 0xa8 && y <= 0xae))) return true;
    if (x === 0x81 && y >= 0xa6 && y <= 0xa9) return true;
  }
  return false;
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 keeps a substring of 13 or more
 * characters (and a concatenation) as a view into its parts: a header value kept as a cache key, or a problem text
 * quoting it, would keep the whole header section (a stranger's megabytes) alive with it. For what is kept long.
 */
export function detached(s: string): string {
  // UTF-16 code units out and back: exact for any string (lone surrogates too), two native calls.
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** Escapes control characters as \xHH (\uHHHH for bidi controls); keeps tab and newline when `multiline`. */
export function escapeControl(s: string, multiline = false): string {
  // Most text has no control at all (tab and newline included): a test first, then nothing to replace. Text
  // reports escape a few strings a line, and verify writes a line a message.
  if (!ANY_CONTROL.test(s)) return s;
  const out = s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return multiline ? out : out.replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}
