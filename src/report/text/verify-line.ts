// One line per message for folders and mbox files, the summary under them and the progress bar: what `verify` prints
// for a folder, without the table package (~14 ms to load; the full report of report/text/verify.ts needs it).
import { escapeControl } from '../../core/text.js';
import type { VerifyItem } from '../../verify/types.js';
import { heading, verdictLine } from '../steps.js';
import type { Theme } from '../theme.js';
import { fitLines, visibleLength } from '../wrap.js';
import { requirementsWord } from './requirements.js';

type Tone = 'ok' | 'warn' | 'fail' | 'dim';
const TONE: Record<string, Tone> = {
  pass: 'ok',
  fail: 'fail',
  permerror: 'fail',
  softfail: 'warn',
  neutral: 'warn',
  policy: 'warn',
  temperror: 'warn',
  none: 'dim',
};

/** A result word in the colour that means something: green pass, red fail/permerror, yellow the rest, dim none. */
export function result(t: Theme, r: string): string {
  const tone = TONE[r] ?? 'warn';
  return t[tone](`${MARK[tone]} ${r}`);
}

const MARK = { ok: '✓', fail: '✗', dim: '·', warn: '!' } as const;

/** One line per message, for folders and mbox files. */
export function renderVerifyLine(item: VerifyItem, t: Theme): string {
  if ('error' in item)
    return fitLines(
      `${t.fail('✗')} ${escapeControl(where(item))}  ${t.fail(escapeControl(item.error))}\n`,
      t.lineWidth,
    );
  const dkim = item.dkim
    .map((d) => `${tone(t, d.result, `dkim=${d.result}`)}${d.domain ? t.dim(`(${escapeControl(d.domain)})`) : ''}`)
    .join(' ');
  let spf = item.spf ? ` ${tone(t, item.spf.result, `spf=${item.spf.result}`)}` : '';
  // A DMARC fail that SPF might have turned into a pass says so next to it.
  if (!item.spf && item.dmarc.result === 'fail') spf = ` ${t.warn('(SPF not checked: no --ip)')}`;
  const mark = verdictLine(item.findings, t).split(' ')[0];
  return fitLines(
    `${mark} ${escapeControl(where(item))}  ${t.dim(escapeControl(item.from ?? '-'))}  ${tone(t, item.dmarc.result, `dmarc=${item.dmarc.result}`)} ${dkim}${spf}${item.arc.result !== 'none' ? ` ${tone(t, item.arc.result, `arc=${item.arc.result}`)}` : ''}  ${requirementsWord(item.requirementsVerdict, t)}\n`,
    t.lineWidth,
  );
}

export interface VerifySummary {
  total: number;
  byDmarc: Record<string, number>;
  authenticated: number;
  unreadable: number;
  seconds: number;
}

export function renderVerifySummary(s: VerifySummary, t: Theme): string {
  const rows = Object.entries(s.byDmarc)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => [result(t, `${r}`), String(n)]);
  if (s.unreadable) rows.push([t.fail('✗ not a message'), String(s.unreadable)]);
  const rate = s.seconds > 0 ? ` in ${s.seconds.toFixed(2)} s (${thousands(s.total / s.seconds)} msgs/s)` : '';
  const verdict =
    s.authenticated === s.total
      ? t.ok(`✓ all ${s.total} authenticated`)
      : t.fail(`✗ ${s.total - s.authenticated} of ${s.total} not authenticated`);
  return `\n${heading(t, `${s.total} message${s.total === 1 ? '' : 's'} verified${rate}`)}\n${indent(columns([[t.dim('DMARC'), t.dim('messages')], ...rows]))}\n${verdict}\n`;
}

/** "[#########-----------] 45%  900/2000  1,234 msgs/s" for stderr on a TTY. */
export function progressBar(done: number, total: number, seconds: number, width = 24): string {
  const frac = total ? Math.min(1, done / total) : 0;
  const full = Math.round(frac * width);
  const rate = seconds > 0 ? `  ${thousands(done / seconds)} msgs/s` : '';
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.round(frac * 100)).padStart(3)}%  ${done}/${total}${rate}`;
}

/** 12,345 — as toLocaleString('en-US') writes it, without the ~13 ms its first call spends loading ICU data. */
function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function where(i: { file: string; index?: number }): string {
  return i.index !== undefined ? `${i.file} #${i.index}` : i.file;
}

/** `text` in the colour of result `r` (verify's and receive's lines). */
export function tone(t: Theme, r: string, text: string): string {
  return t[TONE[r] ?? 'warn'](text);
}

function indent(s: string): string {
  return s
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/**
 * Cells in columns as wide as their widest cell plus two spaces, rows on lines: what the table package draws with
 * void borders and no padding on the left (the unit test holds the two together).
 */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(c))));
  return rows
    .map((row) => row.map((c, i) => c + ' '.repeat(widths[i]! - visibleLength(c) + 2)).join('') + '\n')
    .join('');
}
