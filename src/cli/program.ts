// The command tree: every command's flags and help, with actions that lazily import the command module.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
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
  $ mailcheck mx outlook.com              MX → A/AAAA, step by step
  $ mailcheck check example.com           the whole posture (exit code for CI)
  $ mailcheck probe example.com           banner, EHLO, STARTTLS, certificate

Exit codes: 0 passed · 1 a check failed · 2 bad input · 3 temporary failure (DNS timeout, connection refused)
`);
  for (const define of [defineMx, defineSpf, defineDkim, defineDmarc, defineCheck, defineProbe, defineSend, defineReceive, defineVerify, defineCompletion]) {
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
