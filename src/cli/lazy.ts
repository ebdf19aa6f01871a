// Commands are loaded only when run (`await import()`), so `--version` and `--help` stay cheap.
import type { Command } from 'commander';

type Runner = { run: (...args: any[]) => Promise<number> };

/** Wraps a lazily imported `run(...positionals, opts)` as a commander action that sets the exit code. */
export function lazyAction(load: () => Promise<Runner>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positionals = args.slice(0, -2);
    const { run } = await load();
    process.exitCode = await run(...positionals, cmd.optsWithGlobals());
  };
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
