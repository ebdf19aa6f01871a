// Doc tests, part 2: does a command's real output match what the document shows? `…` on a line of its own stands
// for any number of lines, `…` inside a line for any text; durations, rates and clock times match any value. The
// result is also the output to write back (docs:update): lines that match keep the document's text (its example
// timings, its elisions), the others become the real output, so a rewrite changes only what really changed.

/** Stands in expected output for lines or text left out. */
export const ELISION = '…';

/** What the run put in place of stable text, to be mapped back before comparing. */
export interface OutputMap {
  /** The directory the commands ran in, shown as RUN_DIR_SHOWN (a clone in the reader's home). */
  runDir?: string;
  /** Free ports the run used → the placeholder port the document shows (2525…2529). */
  ports?: Map<number, number>;
}

export const RUN_DIR_SHOWN = '/home/you/projects/mailcheck';

/** Real output → lines as the document would show them: stable names mapped back, line ends and last blank lines trimmed. */
export function outputLines(output: string, map: OutputMap = {}): string[] {
  let text = output.replace(/\r\n/g, '\n');
  if (map.runDir) text = text.split(map.runDir).join(RUN_DIR_SHOWN);
  for (const [real, shown] of map.ports ?? [])
    text = text.replace(new RegExp(`(?<!\\d)${real}(?!\\d)`, 'g'), `${shown}`);
  return trimEnd(text.split('\n').map((l) => l.trimEnd()));
}

function trimEnd(lines: string[]): string[] {
  let n = lines.length;
  while (n > 0 && lines[n - 1] === '') n--;
  return lines.slice(0, n);
}

// Volatile values: a measured time in parentheses may be there or not (steps print it only when it is worth it),
// so it is dropped; other durations, rates and clock times match any value of their kind.
const VOLATILE: [RegExp, string][] = [
  [/ ?\(\d+(?:[.,]\d+)? ?(?:µs|ms|s)\)/g, ''],
  [/\d[\d,.]* ?[A-Za-z]+\/s\b/g, '<rate>'],
  [/\b\d+(?:[.,]\d+)? ?(?:µs|ms|s)\b/g, '<duration>'],
  [/\b\d{2}:\d{2}:\d{2}\b/g, '<time>'],
];

export function normalizeVolatile(line: string): string {
  let out = line;
  for (const [re, to] of VOLATILE) out = out.replace(re, to);
  return out.trimEnd();
}

export function isElisionLine(line: string): boolean {
  return line.trim() === ELISION;
}

/** A matcher for one expected line (not an elision line). */
export function lineMatcher(expected: string): (actual: string) => boolean {
  const want = normalizeVolatile(expected.trimEnd());
  if (!want.includes(ELISION)) return (actual) => normalizeVolatile(actual) === want;
  // In a line with an elision, a run of spaces matches any number: they pad cells and columns whose width
  // depends on what the elision stands for.
  const parts = want.split(ELISION).map((p) => escapeRegExp(p).replace(/ +/g, ' *'));
  const re = new RegExp(`^${parts.join('.*?')}$`, 'u');
  return (actual) => re.test(normalizeVolatile(actual));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface Comparison {
  ok: boolean;
  /** The output as the document should show it (the expected text wherever it still matches). */
  shown: string[];
}

// The alignment keeps as many of the document's lines as match (each line left unmatched costs UNMATCHED, more
// than any edit), then prefers the fewest edits: a real line added costs 4, a document line dropped 6 (it was
// written on purpose), a document line replaced by a real one 1–5 as they are alike. So a changed line is shown
// in its place, new lines where they appear, and an elision does not swallow what the document spelled out.
const UNMATCHED = 1000;
const ADD = 4;
const DROP = 6 + UNMATCHED;

function replaceCost(expected: string, actual: string): number {
  return UNMATCHED + 1 + 4 * (1 - similarity(expected, actual));
}

/** Dice coefficient of the character pairs of two lines (whitespace runs as one space), 0…1. */
export function similarity(a: string, b: string): number {
  const pairs = (s: string) => {
    const t = s.replace(/\s+/g, ' ').trim();
    const m = new Map<string, number>();
    for (let k = 0; k + 1 < t.length; k++) m.set(t.slice(k, k + 2), (m.get(t.slice(k, k + 2)) ?? 0) + 1);
    return m;
  };
  const pa = pairs(a);
  const pb = pairs(b);
  let total = 0;
  let common = 0;
  for (const v of pa.values()) total += v;
  for (const [k, v] of pb) {
    total += v;
    common += Math.min(v, pa.get(k) ?? 0);
  }
  return total === 0 ? 1 : (2 * common) / total;
}

/**
 * Aligns the expected lines (with their elisions) to the real ones by dynamic programming, least cost first:
 * a line that matches costs nothing, an elision takes any number of real lines for free.
 */
export function compareOutput(expectedLines: string[], actualLines: string[]): Comparison {
  const expected = trimEnd(expectedLines.map((l) => l.trimEnd()));
  const actual = trimEnd(actualLines.map((l) => l.trimEnd()));
  const n = expected.length;
  const m = actual.length;
  const gap = expected.map(isElisionLine);
  const matchers = expected.map((l, i) => (gap[i] ? () => false : lineMatcher(l)));
  const step = (i: number, j: number) => (matchers[i](actual[j]) ? 0 : replaceCost(expected[i], actual[j]));
  // cost[i][j]: the cheapest alignment of expected[i..] with actual[j..].
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let j = m - 1; j >= 0; j--) cost[n][j] = cost[n][j + 1] + ADD;
  for (let i = n - 1; i >= 0; i--) {
    cost[i][m] = cost[i + 1][m] + (gap[i] ? 0 : DROP);
    for (let j = m - 1; j >= 0; j--) {
      if (gap[i]) {
        cost[i][j] = Math.min(cost[i][j + 1], cost[i + 1][j]);
        continue;
      }
      cost[i][j] = Math.min(step(i, j) + cost[i + 1][j + 1], DROP + cost[i + 1][j], ADD + cost[i][j + 1]);
    }
  }
  const shown: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && gap[i]) {
      // Take real lines into the elision while that stays cheapest; the elision line itself is always kept.
      if (j < m && cost[i][j + 1] === cost[i][j]) {
        j++;
        continue;
      }
      shown.push(expected[i]);
      i++;
      continue;
    }
    if (i < n && j < m) {
      const s = step(i, j);
      if (cost[i][j] === s + cost[i + 1][j + 1]) {
        shown.push(s === 0 ? expected[i] : actual[j]);
        i++;
        j++;
        continue;
      }
    }
    if (i < n && cost[i][j] === DROP + cost[i + 1][j]) {
      i++;
      continue;
    }
    shown.push(actual[j]);
    j++;
  }
  return { ok: cost[0][0] === 0, shown };
}
