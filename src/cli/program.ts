// The command tree: every command's flags and help, with actions that lazily import the command module. A run of one
// command builds that command alone (its definition module and nothing of the others'): ~15 ms less CPU at start.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addGlobalOptions } from './global-options.js';
import { exitCodes, HELP_WIDTH, prose } from './lazy.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every command, in the order help lists them; a definition module loads only when its command is built. */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  mx: async () => (await import('./defs/mx.js')).defineMx,
  spf: async () => (await import('./defs/spf.js')).defineSpf,
  dkim: async () => (await import('./defs/dkim.js')).defineDkim,
  dmarc: async () => (await import('./defs/dmarc.js')).defineDmarc,
  check: async () => (await import('./defs/check.js')).defineCheck,
  probe: async () => (await import('./defs/probe.js')).defineProbe,
  send: async () => (await import('./defs/send.js')).defineSend,
  receive: async () => (await import('./defs/receive.js')).defineReceive,
  verify: async () => (await import('./defs/verify.js')).defineVerify,
  report: async () => (await import('./defs/report.js')).defineReport,
  demo: async () => (await import('./defs/demo.js')).defineDemo,
  completion: async () => (await import('./defs/completion.js')).defineCompletion,
};

/**
 * The program with every command, or with `only` when it names one (what the command line runs: its help and
 * its usage errors are the same either way; the root's help, `help <command>` and suggestions for a mistyped
 * command need them all).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const names = only !== undefined && Object.hasOwn(COMMANDS, only) ? [only] : Object.keys(COMMANDS);
  const defines = await Promise.all(names.map((name) => COMMANDS[name]!()));
  const program = addGlobalOptions(new Command('mailcheck'))
    .description("How email finds its way, and whether a domain's mail is set up right: MX, SPF, DKIM, DMARC, SMTP.")
    .version(pkg.version, '-V, --version')
    .showSuggestionAfterError(true)
    // Options before the command are the root's, after it the command's own (each command defines the
    // global options too, see lazy.ts mergedOptions): so `dkim keygen --selector` is keygen's, not dkim's.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Examples:
  $ mailcheck demo                        start here: the whole journey, offline
  $ mailcheck mx outlook.com              MX → A/AAAA, step by step
  $ mailcheck check example.com           the whole posture (exit code for CI)
  $ mailcheck probe example.com           banner, EHLO, STARTTLS, certificate
${exitCodes('passed (warnings allowed unless --strict)', 'a check failed', 'no verdict: a temporary failure (DNS timeout, connection refused)')}`,
    );
  for (const define of defines) define(program);
  // Usage errors exit 2 (commander's default is 1) with one line saying what was expected — on every subcommand, too.
  const exitOverride = (cmd: Command) => {
    cmd
      .configureOutput({
        outputError: () => {},
        // Help (and the text commands add after it) fits the terminal, or 80 columns when not one.
        writeOut: (text) =>
          process.stdout.write(prose(text, (process.stdout.isTTY && process.stdout.columns) || HELP_WIDTH)),
      })
      .exitOverride((err) => {
        if (!HELP_CODES.has(err.code)) process.stderr.write(`${usageErrorLine(cmd, err.code, err.message)}\n`);
        throw err;
      });
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

const HELP_CODES = new Set([
  'commander.helpDisplayed',
  'commander.help',
  'commander.version',
  'commander.executeSubCommandAsync',
]);
const SHOW_USAGE = new Set([
  'commander.unknownOption',
  'commander.missingArgument',
  'commander.excessArguments',
  'commander.missingMandatoryOptionValue',
  'commander.optionMissingArgument',
]);

/**
 * Commander's error as one line, like the UsageError lines: `mailcheck: <what> — did you mean <x>?` or
 * `mailcheck: <what> (usage: mailcheck mx [options] <domain>)`, so the user sees what was expected.
 */
export function usageErrorLine(cmd: Command, code: string, message: string): string {
  const [first = '', ...rest] = message.replace(/^error: /, '').split('\n');
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim())?.[1];
  let line = `mailcheck: ${first}`;
  if (suggestion) line += ` — did you mean ${suggestion}?`;
  else if (code === 'commander.unknownCommand') line += ` (commands: ${cmd.commands.map((c) => c.name()).join(', ')})`;
  else if (SHOW_USAGE.has(code)) {
    const path: string[] = [];
    for (let c: Command | null = cmd; c; c = c.parent) path.unshift(c.name());
    line += ` (usage: ${cmd.createHelp().commandUsage(cmd)}; more: ${path.join(' ')} --help)`;
  }
  return line;
}
