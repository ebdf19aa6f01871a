// Shared pieces of the text reports: findings lists, step lines, headings. Pure: theme in, string out.
import type { Finding, Severity, Step } from '../core/result.js';
import { escapeControl } from '../core/text.js';
import type { Theme } from './theme.js';

export function heading(t: Theme, text: string): string {
  return t.bold(escapeControl(text));
}

/** "  ✗ mx.exchange.no-address  nowhere.example.test has no A or AAAA record…" */
export function renderFindings(findings: readonly Finding[], t: Theme, opts: { indent?: string } = {}): string {
  const indent = opts.indent ?? '  ';
  if (!findings.length) return `${indent}${t.dim('no findings')}\n`;
  const order: Severity[] = ['fail', 'warn', 'info', 'ok'];
  const sorted = [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  return sorted
    .map((f) => {
      const tag = f.temporary ? t.warn(' (temporary)') : '';
      let line = `${indent}${t.mark(f.severity)} ${t.severity(f.severity, escapeControl(f.message))}${tag} ${t.dim(`[${f.id}]`)}`;
      if (f.advice) line += `\n${indent}  ${t.dim('→ ' + escapeControl(f.advice))}`;
      if (f.ref) line += ` ${t.dim(`(${f.ref})`)}`;
      return line;
    })
    .join('\n') + '\n';
}

export function renderStep(s: Step, t: Theme, indent = '  '): string {
  const mark = s.ok === false ? t.warn('?') : t.dim('?');
  return `${indent}${s.kind === 'dns' ? mark : t.dim('›')} ${escapeControl(s.summary)} ${t.dim(`${s.ms} ms`)}`;
}

export function verdictLine(findings: readonly Finding[], t: Theme): string {
  const fails = findings.filter((f) => f.severity === 'fail' && !f.temporary).length;
  const temps = findings.filter((f) => f.temporary).length;
  const warns = findings.filter((f) => f.severity === 'warn').length;
  if (fails) return t.fail(`✗ ${fails} failed check${fails > 1 ? 's' : ''}${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`);
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
 * `width` columns. `elide` shortens a long uninteresting range (a DKIM key's base64) to head…tail.
 */
export function renderMarkedRecord(
  raw: string,
  marks: readonly RecordMark[],
  t: Theme,
  opts: { indent?: string; width?: number; elide?: [number, number] } = {},
): string[] {
  const indent = opts.indent ?? '  ';
  const width = Math.max(opts.width ?? 100, 20);
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
  for (let from = 0; from < cells.length || from === 0; ) {
    let cols = 0;
    let to = from;
    while (to < cells.length && (cols + cells[to]!.text.length <= width || to === from)) cols += cells[to++]!.text.length;
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
      lines.push((indent + runs(chunk, (text, mark) => (wrong(mark) ? t.severity(mark!, '^'.repeat(text.length)) : ' '.repeat(text.length)))).trimEnd());
    }
    if (to >= cells.length) break;
    from = to;
  }
  return lines;
}

/** Joins cells, styling each run of equally marked cells once. */
function runs(cells: { text: string; mark?: Severity }[], style: (text: string, mark?: Severity) => string): string {
  let out = '';
  for (let i = 0; i < cells.length; ) {
    let j = i;
    let text = '';
    while (j < cells.length && cells[j]!.mark === cells[i]!.mark) text += cells[j++]!.text;
    out += style(text, cells[i]!.mark);
    i = j;
  }
  return out;
}
