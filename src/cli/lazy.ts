// Commands are loaded only when run (`await import()`), so `--version` and `--help` stay cheap.
import type { Command } from 'commander';

// Each command's run() declares its own parameters; `never[]` accepts them all here.
type Runner = { run: (...args: never[]) => Promise<number> };
type UntypedRun = (...args: unknown[]) => Promise<number>;

/** Wraps a lazily imported `run(...positionals, opts)` as a commander action that sets the exit code. */
export function lazyAction(load: () => Promise<Runner>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positionals = args.slice(0, -2);
    // commander hands the positionals and options over untyped; the command checks them.
    const run = (await load()).run as UntypedRun;
    process.exitCode = await run(...positionals, mergedOptions(cmd));
  };
}

/**
 * The options of a command and its ancestors, where a value the user gave (command line or env) beats a
 * default, and the command's own beats an ancestor's. Global options are defined on every command, so
 * `mailcheck --no-color mx x` and `mailcheck mx x --no-color` both mean color: false (optsWithGlobals would
 * let the root's default `color: true` win over the subcommand's --no-color).
 */
export function mergedOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) {
      const explicit = c.getOptionValueSource(key) !== 'default' && c.getOptionValueSource(key) !== undefined;
      if (explicit || !given.has(key)) merged[key] = value;
      if (explicit) given.add(key);
    }
  }
  return merged;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Help is read in 80 columns (commander's width when stdout is not a terminal): examples and prose fit it. */
export const HELP_WIDTH = 80;

/** An "Examples:" section; a command longer than a line continues with ` \` (still pastable into a shell). */
export function examples(lines: string[]): string {
  // An option stays on the line of its value, a redirection with its file: `--zone file`, `> out.xml`.
  // A trailing `# comment` stays whole too: a `\` continuation would end inside it.
  const units = (l: string) =>
    (l.match(/(?:"[^"]*"|'[^']*'|\S)+/g) ?? []).reduce<string[]>((acc, w) => {
      const last = acc[acc.length - 1];
      if (last?.startsWith('#') && !w.startsWith('#')) {
        acc[acc.length - 1] = `${last} ${w}`;
        return acc;
      }
      const value = last && /^--?[\w-]+$/.test(last) && !/^[-#]/.test(w) && !['>', '|', '<'].includes(w);
      if (value || (last && ['>', '|', '<'].includes(last))) acc[acc.length - 1] = `${last} ${w}`;
      else acc.push(w);
      return acc;
    }, []);
  return `\nExamples:\n${lines.map((l) => wrapWords(units(l), '  $ ', '      ', ' \\')).join('\n')}\n`;
}

/** The exit codes of a command, one a line: what 0, 1 and 3 mean for it (2 is always bad input). */
export function exitCodes(ok: string, failed: string, temporary: string): string {
  return `\nExit codes: 0 ${ok}\n            1 ${failed}\n            2 bad input (one line on stderr)\n            3 ${temporary}\n`;
}

/**
 * Help text wrapped at `width` columns (program.ts passes all help output through it, so no command's
 * prose can overflow); a wrapped line continues indented by two more spaces.
 */
export function prose(text: string, width: number): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    // Reflow the rest of the paragraph with it (lines of the same indent up to a blank line), not just the one line.
    const indent = /^ */.exec(line)![0];
    const words = line.trim().split(/ +/);
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== '' && /^ */.exec(lines[i + 1]!)![0] === indent)
      words.push(...lines[++i]!.trim().split(/ +/));
    out.push(wrapWords(words, indent, indent, '', width));
  }
  return out.join('\n');
}

function wrapWords(words: string[], first: string, next: string, continuation: string, width = HELP_WIDTH): string {
  const out: string[] = [];
  let line = first;
  for (const word of words) {
    const start = line === first || line === next;
    if (!start && line.length + 1 + word.length + continuation.length > width) {
      out.push(line + continuation);
      line = next + word;
    } else line += (start ? '' : ' ') + word;
  }
  return [...out, line].join('\n');
}
