// Shared pieces of the text reports: findings lists, step lines, headings. Pure: theme in, string out.
import type { Finding, Severity, Step } from '../core/result.js';
import { escapeControl } from '../core/text.js';
import type { Theme } from './theme.js';
import { visibleLength, wrapStyled, type Styled } from './wrap.js';

export function heading(t: Theme, text: string): string {
  return t.bold(escapeControl(text));
}

/** A report's first line: its title, and in a brief report the verdict right after it ("leads with the verdict"). */
export function reportHead(t: Theme, title: string, verdict: string): string {
  return t.detail === 'brief' ? `${heading(t, title)}  ${verdict}` : heading(t, title);
}

/** One kind of finding (same id, severity, and temporary or not) and how many of it a brief report folds into one line. */
export interface FoldedFinding {
  finding: Finding;
  count: number;
}

/**
 * Failures of one kind a brief report names one by one before it counts the rest: each failure is something to
 * fix, and its subject (which MX host, which include) is in its message — folded under another one's message it
 * would be out of sight. A wildcard that fails the same way at every guessed name still stays short.
 */
export const FAILURES_NAMED = 5;

/**
 * Repeated findings of one kind as one entry with a count, in the order they first appear; failures (not
 * temporary) get an entry each, up to FAILURES_NAMED of a kind, the last of which counts the rest.
 */
export function foldFindings(findings: readonly Finding[]): FoldedFinding[] {
  const out: FoldedFinding[] = [];
  const last = new Map<string, FoldedFinding>();
  const named = new Map<string, number>();
  for (const f of findings) {
    const key = `${f.id}\u0000${f.severity}\u0000${f.temporary ? 1 : 0}`;
    const seen = last.get(key);
    const n = named.get(key) ?? 0;
    const failure = f.severity === 'fail' && !f.temporary;
    if (seen && !(failure && n < FAILURES_NAMED)) {
      seen.count++;
      continue;
    }
    const entry = { finding: f, count: 1 };
    out.push(entry);
    last.set(key, entry);
    named.set(key, n + 1);
  }
  return out;
}

/** What a brief report lists: the findings to act on (fail, warn, no verdict); the ok and info ones it only counts. */
export function findingsToFix(findings: readonly Finding[]): { shown: Finding[]; notes: number; passed: number } {
  const shown: Finding[] = [];
  let notes = 0;
  let passed = 0;
  for (const f of findings) {
    if (f.temporary || f.severity === 'fail' || f.severity === 'warn') shown.push(f);
    else if (f.severity === 'info') notes++;
    else passed++;
  }
  return { shown, notes, passed };
}

/**
 * The last line of a brief report: what it left out and how to see it. Empty when nothing was left out.
 * "Not shown: 4 notes, 3 passed checks and the include tree; --all shows everything (-v also each DNS query)."
 */
export function notShownLine(
  t: Theme,
  o: { notes?: number; passed?: number; sections?: readonly string[]; how?: string | undefined },
): string {
  const parts: string[] = [];
  if (o.notes) parts.push(`${o.notes} note${o.notes > 1 ? 's' : ''}`);
  if (o.passed) parts.push(`${o.passed} passed check${o.passed > 1 ? 's' : ''}`);
  parts.push(...(o.sections ?? []));
  if (!parts.length) return '';
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return wrapStyled(
    [[`Not shown: ${list}; ${o.how ?? '--all shows everything (-v also each DNS query)'}.`, t.dim]],
    t.width,
    '',
    '  ',
  ).join('\n');
}

/**
 * "  ✗ nowhere.example.test has no A or AAAA record… [mx.exchange.no-address]", wrapped at the theme's width
 * with the message's later lines under its first word, and the advice ("→ …") below it.
 */
export function renderFindings(findings: readonly Finding[], t: Theme, opts: { indent?: string } = {}): string {
  const indent = opts.indent ?? '  ';
  if (!findings.length) return `${indent}${t.dim('no findings')}\n`;
  const order: Severity[] = ['fail', 'warn', 'info', 'ok'];
  const sorted = [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  // Brief: one line per kind, with a count; full: every finding.
  const items = t.detail === 'brief' ? foldFindings(sorted) : sorted.map((finding) => ({ finding, count: 1 }));
  return (
    items
      .map(({ finding: f, count }) => {
        const main: Styled[] = [[escapeControl(f.message), (s) => t.severity(f.severity, s)]];
        if (f.temporary) main.push([' (temporary)', t.warn]);
        if (count > 1) main.push([` (+${count - 1} more like it)`, t.dim]);
        main.push([` [${f.id}]`, t.dim, true]);
        const advice: Styled[] = f.advice ? [[`→ ${escapeControl(f.advice)}`, t.dim]] : [];
        if (f.ref) (f.advice ? advice : main).push([` (${f.ref})`, t.dim, true]);
        // No verdict is not a failure: '?', as in the verdict line.
        const mark = f.temporary ? t.warn('?') : t.mark(f.severity);
        const lines = wrapStyled(main, t.width, `${indent}${mark} `, `${indent}  `);
        if (advice.length) lines.push(...wrapStyled(advice, t.width, `${indent}  `, `${indent}    `));
        return lines.join('\n');
      })
      .join('\n') + '\n'
  );
}

/** "  ? MX example.test → 10 mx1.example.test 3 ms", wrapped at the theme's width. */
export function renderStep(s: Step, t: Theme, indent = '  '): string {
  const mark = s.ok === false ? t.warn('?') : t.dim('?');
  return wrapStyled(
    [[escapeControl(s.summary)], [` ${s.ms} ms`, t.dim]],
    t.width,
    `${indent}${s.kind === 'dns' ? mark : t.dim('›')} `,
    `${indent}  `,
  ).join('\n');
}

/**
 * The end every check report shares: the DNS queries asked (with --verbose), the findings, the verdict. A brief
 * report (its verdict is in its first line, see reportHead) ends with the findings to act on, folded, and a line
 * saying what it left out: the notes and passes it counted, and the renderer's `omitted` sections.
 */
export function reportTail(
  r: { steps: readonly Step[]; findings: readonly Finding[] },
  t: Theme,
  o: { steps?: boolean; verdict?: string; omitted?: readonly string[]; how?: string } = {},
): string[] {
  const out: string[] = [];
  if (t.detail === 'brief') {
    const { shown, notes, passed } = findingsToFix(r.findings);
    if (shown.length) out.push('', heading(t, 'What to fix'), renderFindings(shown, t).trimEnd());
    const more = notShownLine(t, { notes, passed, sections: o.omitted ?? [], how: o.how });
    if (more) out.push('', more);
    return out;
  }
  if (o.steps && r.steps.length) {
    out.push('', heading(t, 'DNS queries'));
    for (const s of r.steps) out.push(renderStep(s, t));
  }
  out.push('', heading(t, 'Findings'), renderFindings(r.findings, t).trimEnd());
  out.push('', o.verdict ?? verdictLine(r.findings, t));
  return out;
}

export function verdictLine(findings: readonly Finding[], t: Theme): string {
  const fails = findings.filter((f) => f.severity === 'fail' && !f.temporary).length;
  const temps = findings.filter((f) => f.temporary).length;
  const warns = findings.filter((f) => f.severity === 'warn' && !f.temporary).length;
  if (fails)
    return t.fail(
      `✗ ${fails} failed check${fails > 1 ? 's' : ''}${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`,
    );
  if (temps) return t.warn(`? no verdict: ${temps} temporary failure${temps > 1 ? 's' : ''}`);
  if (warns) return t.warn(`! passed with ${warns} warning${warns > 1 ? 's' : ''}`);
  return t.ok('✓ passed');
}

export interface RecordMark {
  /** [start, end) offsets into the raw record text. */
  span: [number, number];
  severity: Severity;
}

/**
 * A DNS record as published (escaped), with the offending parts coloured and ^^^ under them, wrapped at
 * `width` columns (default: what the theme's width leaves after the indent). `elide` shortens a long
 * uninteresting range (a DKIM key's base64) to head…tail.
 */
export function renderMarkedRecord(
  raw: string,
  marks: readonly RecordMark[],
  t: Theme,
  opts: { indent?: string; width?: number; elide?: [number, number] } = {},
): string[] {
  const indent = opts.indent ?? '  ';
  const width = Math.max(opts.width ?? t.width - visibleLength(indent), 20);
  const order: Severity[] = ['ok', 'info', 'warn', 'fail'];
  // One display cell per raw character (escaped), or none inside the elided middle.
  const cells: { text: string; mark?: Severity }[] = [];
  const [es, ee] = opts.elide && opts.elide[1] - opts.elide[0] > 64 ? opts.elide : [-1, -1];
  for (let i = 0; i < raw.length; i++) {
    let mark: Severity | undefined;
    for (const m of marks) {
      // An empty span (a missing value) marks the character before it, so it stays visible.
      const [s, e] = m.span[1] > m.span[0] ? m.span : [Math.max(m.span[0] - 1, 0), m.span[0]];
      if (i >= s && i < e && (!mark || order.indexOf(m.severity) > order.indexOf(mark))) mark = m.severity;
    }
    if (i >= es + 12 && i < ee - 8) {
      if (i === es + 12) cells.push({ text: `…(${ee - es} chars)…`, mark });
      continue;
    }
    cells.push({ text: escapeControl(raw[i]!), mark });
  }
  const lines: string[] = [];
  for (let from = 0; from < cells.length || from === 0;) {
    let cols = 0;
    let to = from;
    while (to < cells.length && (cols + cells[to]!.text.length <= width || to === from))
      cols += cells[to++]!.text.length;
    // Break after a separator ("; ", ",", " ") rather than inside a tag, when one is near the end.
    if (to < cells.length) {
      for (let k = to - 1; k > from + (to - from) / 2; k--) {
        if (cells[k]!.text === ' ' || cells[k]!.text === ',') {
          to = k + 1;
          break;
        }
      }
    }
    const chunk = cells.slice(from, to);
    lines.push((indent + runs(chunk, (text, mark) => (mark ? t.severity(mark, text) : text))).trimEnd());
    // Carets only under what is wrong; informational marks are colour alone.
    const wrong = (m?: Severity) => m === 'warn' || m === 'fail';
    if (chunk.some((c) => wrong(c.mark))) {
      lines.push(
        (
          indent +
          runs(chunk, (text, mark) =>
            wrong(mark) ? t.severity(mark!, '^'.repeat(text.length)) : ' '.repeat(text.length),
          )
        ).trimEnd(),
      );
    }
    if (to >= cells.length) break;
    from = to;
  }
  return lines;
}

/** Joins cells, styling each run of equally marked cells once. */
function runs(cells: { text: string; mark?: Severity }[], style: (text: string, mark?: Severity) => string): string {
  let out = '';
  for (let i = 0; i < cells.length;) {
    let j = i;
    let text = '';
    while (j < cells.length && cells[j]!.mark === cells[i]!.mark) text += cells[j++]!.text;
    out += style(text, cells[i]!.mark);
    i = j;
  }
  return out;
}
