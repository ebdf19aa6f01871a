// Tables for the text reports (the `table` package: load it only from renderers that draw one): one border
// style, and a table that narrows its free-text column, wrapping words, to fit the terminal's width.
import { getBorderCharacters, table, type ColumnUserConfig, type TableUserConfig } from 'table';
import { visibleLength } from './wrap.js';

export const TABLE_STYLE = {
  border: getBorderCharacters('norc'),
  columnDefault: { paddingLeft: 1, paddingRight: 1 },
} as const;

/** Rules above and below the header row and at the bottom. */
export const headerRules = (i: number, rows: number) => i === 0 || i === 1 || i === rows;

/**
 * `rows` as a table at most `width` columns wide after `indent` (each line indented). When it would be wider,
 * the `wrap` columns (in that order) give up room first, down to `minWrap`; if that is not enough, the `drop`
 * columns are left out (what they show is said elsewhere too), then the widest others narrow (down to 6).
 * A narrowed column wraps at word boundaries.
 */
export function fitTable(
  rows: string[][],
  o: {
    width: number;
    wrap: number | number[];
    drop?: number[];
    indent?: string;
    minWrap?: number;
    config?: TableUserConfig;
  },
): string {
  const indent = o.indent ?? '  ';
  const cols = rows[0]?.length ?? 0;
  const widths = Array.from({ length: cols }, (_, c) =>
    Math.max(1, ...rows.map((r) => Math.max(...(r[c] ?? '').split('\n').map(visibleLength)))),
  );
  // Each column: its text and one space of padding either side; plus one border character per column and one more.
  const total = () => indent.length + widths.reduce((n, w) => n + w + 2, 0) + cols + 1;
  const narrowed = new Set<number>();
  const shrink = (c: number, floor: number) => {
    const excess = total() - o.width;
    if (excess <= 0 || widths[c]! <= floor) return;
    widths[c] = Math.max(floor, widths[c]! - excess);
    narrowed.add(c);
  };
  for (const c of Array.isArray(o.wrap) ? o.wrap : [o.wrap]) shrink(c, o.minWrap ?? 12);
  if (total() > o.width && o.drop?.length) {
    const dropped = new Set(o.drop);
    const keep = (_: unknown, c: number) => !dropped.has(c);
    const shift = (c: number) => c - o.drop!.filter((d) => d < c).length;
    const wrap = (Array.isArray(o.wrap) ? o.wrap : [o.wrap]).filter((c) => !dropped.has(c)).map(shift);
    return fitTable(
      rows.map((r) => r.filter(keep)),
      { ...o, drop: [], wrap, config: o.config && { ...o.config, columns: undefined } },
    );
  }
  // Still too wide: take from the widest column, never below the next widest, so the loss is spread.
  while (total() > o.width) {
    const widest = widths.reduce((best, w, c) => (w > widths[best]! ? c : best), 0);
    const w = widths[widest]!;
    if (w <= 6) break;
    const second = Math.max(0, ...widths.filter((_, c) => c !== widest));
    widths[widest] = Math.max(6, Math.min(w - 1, Math.max(second, w - (total() - o.width))));
    narrowed.add(widest);
  }
  const columns: Record<number, ColumnUserConfig> = {
    ...(o.config?.columns as Record<number, ColumnUserConfig> | undefined),
  };
  for (const c of narrowed) columns[c] = { ...columns[c], width: widths[c]!, wrapWord: true };
  const text = table(rows, { ...TABLE_STYLE, ...o.config, columns });
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `${indent}${l}`)
    .join('\n');
}
