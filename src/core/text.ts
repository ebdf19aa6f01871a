// Text from the network (banners, TXT records, headers, DNS names) is untrusted: escape terminal control
// characters (C0, DEL, C1, and so ANSI/OSC escape sequences) and the Unicode bidi controls (which reorder what
// is shown: "Trojan Source", CVE-2021-42574) before anything reaches a terminal.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What JSON.stringify leaves raw but a terminal would act on: DEL, C1 and the bidi controls (C0 it escapes). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with those characters as \uXXXX escapes: the same value to any parser, inert on a terminal. */
export function escapeJsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes control characters as \xHH (\uHHHH for bidi controls); keeps tab and newline when `multiline`. */
export function escapeControl(s: string, multiline = false): string {
  const out = s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return multiline ? out : out.replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}
