// The command tree. Every action lazily imports its command module; one top-level catch maps
// UsageError → exit 2 with one line on stderr, and bugs → exit 1 without a stack trace.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UsageError, ExitError } from '../core/errors.js';
import { addGlobalOptions } from './global-options.js';
import { defineMx } from './defs/mx.js';
import { defineSpf } from './defs/spf.js';
import { defineDkim } from './defs/dkim.js';
import { defineDmarc } from './defs/dmarc.js';
import { defineCheck } from './defs/check.js';
import { defineProbe } from './defs/probe.js';
import { defineSend } from './defs/send.js';
import { defineReceive } from './defs/receive.js';
import { defineVerify } from './defs/verify.js';
import { defineDemo } from './defs/demo.js';
import { defineCompletion } from './defs/completion.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('mailcheck'))
    .description('How email finds its way, and whether a domain\'s mail is set up right: MX, SPF, DKIM, DMARC, SMTP.')
    .version(pkg.version, '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run mailcheck --help for usage)')
    .addHelpText('after', `
Examples:
  $ mailcheck demo                        the whole chain offline, on loopback
  $ mailcheck mx outlook.com              MX → A/AAAA, step by step
  $ mailcheck check example.com           the whole posture (exit code for CI)
  $ mailcheck probe example.com           banner, EHLO, STARTTLS, certificate

Exit codes: 0 passed · 1 a check failed · 2 bad input · 3 temporary failure (DNS timeout, connection refused)
`);
  for (const define of [defineMx, defineSpf, defineDkim, defineDmarc, defineCheck, defineProbe, defineSend, defineReceive, defineVerify, defineDemo, defineCompletion]) {
    define(program);
  }
  // Usage errors exit 2 (commander's default is 1) — on every subcommand, too.
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

function flushAndExit(code: number): void {
  process.exitCode = code;
  // Wait for stdout to drain (pipes are async) before leaving, so no output is cut short.
  process.stdout.write('', () => process.exit(code));
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    flushAndExit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; commander has already printed its message.
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      return flushAndExit(ok ? 0 : 2);
    }
    if (e instanceof UsageError) {
      process.stderr.write(`mailcheck: ${e.message}\n`);
      return flushAndExit(2);
    }
    if (e instanceof ExitError) {
      if (e.message) process.stderr.write(`mailcheck: ${e.message}\n`);
      return flushAndExit(e.code);
    }
    const err = e as Error;
    process.stderr.write(`mailcheck: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.MAILCHECK_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return flushAndExit(1);
  }
}

if (process.env.MAILCHECK_NO_MAIN === undefined) void main(process.argv);
