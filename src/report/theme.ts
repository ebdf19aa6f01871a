// Colour that means something: green ok, yellow warn, red fail, dim for detail. A plain theme for
// tests and non-TTY output keeps every symbol, so nothing is lost without colour. The width reports fit.
import { Chalk } from 'chalk';
import type { Severity } from '../core/result.js';

/**
 * How much a text report says. 'brief', the command line's default, leads with the verdict and what to fix: repeated
 * findings folded, ok and info ones counted, the trace left out. 'full' (-v, --all) is the whole trace; it is also
 * what plainTheme and createTheme give unless asked, so a renderer's every section is in its tests.
 */
export type Detail = 'brief' | 'full';

export interface Theme {
  color: boolean;
  detail: Detail;
  /** Columns to lay the report out in: the terminal's, or 80 when stdout is not a terminal. */
  width: number;
  /** Columns a line of a stream (one line per message or domain) may take before it wraps: the terminal's on a
   *  terminal, unlimited when piped, so that each item stays one line for grep and awk. */
  lineWidth: number;
  ok(s: string): string;
  warn(s: string): string;
  fail(s: string): string;
  info(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  accent(s: string): string;
  severity(s: Severity, text: string): string;
  /** ✓ ! ✗ i — also readable in a plain terminal. */
  mark(s: Severity): string;
}

const MARKS: Record<Severity, string> = { ok: '✓', info: 'i', warn: '!', fail: '✗' };

/** The default report width: what most terminals and pagers show without wrapping. */
export const DEFAULT_WIDTH = 80;

export function createTheme(color: boolean, width = DEFAULT_WIDTH, lineWidth = width, detail: Detail = 'full'): Theme {
  if (!color) return { ...plainTheme, width, lineWidth, detail };
  const c = new Chalk({ level: 1 });
  const by: Record<Severity, (s: string) => string> = { ok: c.green, info: c.cyan, warn: c.yellow, fail: c.red };
  return {
    color: true,
    detail,
    width,
    lineWidth,
    ok: c.green,
    warn: c.yellow,
    fail: c.red,
    info: c.cyan,
    dim: c.dim,
    bold: c.bold,
    accent: c.magenta,
    severity: (s, text) => by[s](text),
    mark: (s) => by[s](MARKS[s]),
  };
}

const id = (s: string) => s;
export const plainTheme: Theme = {
  color: false,
  detail: 'full',
  width: DEFAULT_WIDTH,
  lineWidth: DEFAULT_WIDTH,
  ok: id,
  warn: id,
  fail: id,
  info: id,
  dim: id,
  bold: id,
  accent: id,
  severity: (_s, text) => text,
  mark: (s) => MARKS[s],
};
