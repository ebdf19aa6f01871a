// MIME pieces for composed messages: encoded-words for non-ASCII header text (RFC 2047), quoted-printable
// bodies (RFC 2045 §6.7) and header folding at 78 characters (RFC 5322 §2.1.1, §2.2.3). Pure.

/** RFC 2047 §2: an encoded-word is at most 75 characters. */
const MAX_WORD = 75;

/** Header text as is when ASCII, else RFC 2047 "B" encoded-words (split on character boundaries). */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  const prefix = '=?UTF-8?B?';
  const room = Math.floor((MAX_WORD - prefix.length - 2) / 4) * 3; // bytes per word
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > room) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `${prefix}${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** A display name as a phrase (RFC 5322 §3.2.5): atoms as is, specials quoted, non-ASCII encoded. */
export function encodePhrase(name: string): string {
  if (/[^\x20-\x7e]/.test(name)) return encodeHeaderText(name);
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** RFC 2045 §6.7: quoted-printable with CRLF line breaks and soft breaks keeping lines ≤ 76. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n|\r|\n/g, '\n').split('\n');
  return lines.map(qpLine).join('\r\n');
}

function qpLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const tokens: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const last = i === bytes.length - 1;
    // Rule 3: trailing whitespace must be encoded; "=" and 8-bit bytes always; a leading "." too, so
    // that a broken relay's dot-stuffing cannot change the text.
    const literal = (b >= 33 && b <= 126 && b !== 61 && !(b === 46 && i === 0)) || ((b === 32 || b === 9) && !last);
    tokens.push(literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  const out: string[] = [];
  let current = '';
  for (const t of tokens) {
    if (current.length + t.length > 75) {
      out.push(`${current}=`);
      current = '';
    }
    current += t;
  }
  out.push(current);
  return out.join('\r\n');
}

/** Folds "Name: value" at whitespace so that lines stay ≤ 78 characters where possible (RFC 5322 §2.2.3). */
export function foldHeader(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78) return line;
  const parts = line.split(/(?<=\S)(?= )/); // keep the space at the start of each later part
  const out: string[] = [];
  let current = '';
  for (const p of parts) {
    if (current && current.length + p.length > 78) {
      out.push(current);
      current = p;
    } else {
      current += p;
    }
  }
  if (current) out.push(current);
  return out.join('\r\n');
}
