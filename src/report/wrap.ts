// Word wrapping for the text reports at the terminal's width (80 columns when not a terminal), aware of
// colour escapes and hanging indents, so a long line breaks between words instead of at the terminal's edge.

const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a string takes on screen (colour escapes take none; every character one column). */
export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/** A piece of text, how to style it, and whether it stays whole on one line (a reference like "(RFC 7208 §2.6)"). */
export type Styled = readonly [text: string, style?: (s: string) => string, whole?: boolean];

interface Token {
  text: string;
  style?: (s: string) => string;
  space: boolean;
}

/**
 * Wraps styled pieces into lines of at most `width` columns: the first line after `first`, the others after
 * `next` (both may be styled). Runs of spaces become one; a word longer than a line is cut. Each line styles
 * its own runs, so no colour leaks into the margin or survives a line break.
 */
export function wrapStyled(parts: readonly Styled[], width: number, first = '', next = first): string[] {
  const tokens: Token[] = [];
  let space = false;
  for (const [text, style, whole] of parts) {
    // A whole piece stays one word; a leading space still separates it from the word before.
    let words = text.split(' ');
    if (whole) words = text.startsWith(' ') ? ['', text.trim()] : [text.trim()];
    words.forEach((word, i) => {
      if (i > 0) space = true;
      if (word === '') return;
      tokens.push({ text: word, style, space: space && tokens.length > 0 });
      space = false;
    });
  }
  // Never narrower than 20 columns of text, whatever the margin.
  const limit = (prefix: string) => Math.max(width, visibleLength(prefix) + 20);
  const lines: Token[][] = [[]];
  let prefix = first;
  let col = visibleLength(first);
  for (const tok of tokens) {
    let line = lines[lines.length - 1]!;
    let text = tok.text;
    let sep = line.length > 0 && tok.space;
    if (line.length && col + (sep ? 1 : 0) + text.length > limit(prefix)) {
      lines.push((line = []));
      prefix = next;
      col = visibleLength(next);
      sep = false;
    }
    // A word longer than a whole line: cut it, filling this line and the next ones.
    while (col + (sep ? 1 : 0) + text.length > limit(prefix)) {
      const room = limit(prefix) - col - (sep ? 1 : 0);
      if (room <= 0) break;
      line.push({ text: text.slice(0, room), style: tok.style, space: sep });
      text = text.slice(room);
      lines.push((line = []));
      prefix = next;
      col = visibleLength(next);
      sep = false;
    }
    line.push({ text, style: tok.style, space: sep });
    col += (sep ? 1 : 0) + text.length;
  }
  return lines.map((line, i) => (i === 0 ? first : next) + renderLine(line));
}

/** Plain text wrapped like wrapStyled, one style for all of it. */
export function wrapText(
  text: string,
  width: number,
  first = '',
  next = first,
  style?: (s: string) => string,
): string[] {
  return wrapStyled([[text, style]], width, first, next);
}

function renderLine(line: Token[]): string {
  let out = '';
  for (let i = 0; i < line.length;) {
    let j = i;
    let run = '';
    while (j < line.length && line[j]!.style === line[i]!.style) {
      run += (j > i && line[j]!.space ? ' ' : '') + line[j]!.text;
      j++;
    }
    out += (i > 0 && line[i]!.space ? ' ' : '') + (line[i]!.style ? line[i]!.style!(run) : run);
    i = j;
  }
  return out;
}

/**
 * Every line of a rendered report that is wider than `width` wrapped between words (cut when a word is
 * longer than a line). A wrapped line continues under its own indent plus two spaces, with tree guides
 * carried down (├─ becomes │), and its colour resumed after the margin: the shape survives a narrow terminal.
 */
export function fitLines(text: string, width: number): string {
  // A piped stream line (lineWidth Infinity) fits whatever it holds: no split and scan of every line.
  if (width === Infinity) return text;
  return text
    .split('\n')
    .map((l) => (visibleLength(l) <= width || isTableLine(l) ? l : wrapAnsiLine(l, width).join('\n')))
    .join('\n');
}

/** A line of a drawn table (fitTable sizes those; wrapping one would break its grid). */
function isTableLine(line: string): boolean {
  return /^\s*[┌├└│].*[┐┤┘│]\s*$/u.test(line.replace(ANSI, ''));
}

const SGR_AT = /\x1b\[[0-9;]*m/y;

// Per character (code point): the colour escapes just before it. Parallel arrays, not an object per character:
// a stream of per-message lines (verify, receive) wraps every line when piped, and this runs for each of them.
function wrapAnsiLine(line: string, width: number): string[] {
  const chs: string[] = [];
  const escs: string[] = [];
  let pending = '';
  for (let i = 0; i < line.length;) {
    if (line.charCodeAt(i) === 0x1b) {
      SGR_AT.lastIndex = i;
      const m = SGR_AT.exec(line);
      if (m) {
        pending += m[0];
        i += m[0].length;
        continue;
      }
    }
    const cp = line.codePointAt(i)!;
    const n = cp > 0xffff ? 2 : 1;
    chs.push(line.slice(i, i + n));
    escs.push(pending);
    pending = '';
    i += n;
  }
  const trailing = pending;
  const plain = chs.join('');
  const lead = /^[ │├└─]*/u.exec(plain)![0];
  const cont = `${lead.replace(/├/g, '│').replace(/[└─]/g, ' ')}  `;
  const out: string[] = [];
  let active: string[] = [];
  let start = 0;
  const count = chs.length;
  while (start < count) {
    const first = out.length === 0;
    const room = Math.max(width - (first ? 0 : cont.length), 10);
    const resume = first ? '' : cont + (active.length ? `\x1b[${active.join(';')}m` : '');
    if (count - start <= room) {
      let rest = resume;
      for (let i = start; i < count; i++) rest += escs[i]! + chs[i]!;
      out.push(rest + trailing);
      break;
    }
    // Break at the last space that fits, not inside the line's own indent.
    let end = -1;
    for (let i = start + room; i > start + (first ? lead.length : 0); i--) {
      if (chs[i] === ' ') {
        end = i;
        break;
      }
    }
    if (end < 0) end = start + room;
    let next = end;
    while (next < count && chs[next] === ' ') next++;
    let text = resume;
    for (let i = start; i < end; i++) {
      text += escs[i]! + chs[i]!;
      if (escs[i]) active = applySgr(active, escs[i]!);
    }
    // The escapes on the spaces dropped at the break still count (they may close a colour).
    let dropped = '';
    for (let i = end; i < next; i++) dropped += escs[i]!;
    active = applySgr(active, dropped);
    out.push(text + dropped + (active.length ? '\x1b[0m' : ''));
    if (next >= count) {
      out[out.length - 1] += trailing;
      break;
    }
    start = next;
  }
  return out;
}

/** The SGR attributes still on after `esc` (chalk's codes: an attribute and the code that ends it). */
function applySgr(active: string[], esc: string): string[] {
  if (!esc) return active;
  let on = active;
  for (const m of esc.matchAll(/\x1b\[([0-9;]*)m/g)) {
    for (const code of (m[1] || '0').split(';')) {
      const n = Number(code);
      if (n === 0) on = [];
      else if (n === 22) on = on.filter((c) => c !== '1' && c !== '2');
      else if (n === 23 || n === 24 || n === 27 || n === 28 || n === 29) on = on.filter((c) => Number(c) !== n - 20);
      else if (n === 39)
        on = on.filter((c) => !((Number(c) >= 30 && Number(c) <= 37) || (Number(c) >= 90 && Number(c) <= 97)));
      else if (n === 49)
        on = on.filter((c) => !((Number(c) >= 40 && Number(c) <= 47) || (Number(c) >= 100 && Number(c) <= 107)));
      else on = [...on, code];
    }
  }
  return on;
}
