// Entry point. One top-level catch maps UsageError → exit 2 with one line on stderr,
// and bugs → exit 1 without a stack trace (MAILCHECK_DEBUG=1 shows it).
import { readFileSync } from 'node:fs';
import { UsageError, ExitError } from '../core/errors.js';

function flushAndExit(code: number): void {
  process.exitCode = code;
  // Wait for stdout to drain (pipes are async) before leaving, so no output is cut short.
  process.stdout.write('', () => process.exit(code));
}

// A reader that went away (`mailcheck verify maildir | head -1`) is not an error of ours: stop quietly, as
// programs killed by SIGPIPE do — Node ignores the signal and reports EPIPE on the stream instead.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

async function main(argv: string[]): Promise<void> {
  // `--version` alone is answered before commander and the command tree load: the cheapest cold start.
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return flushAndExit(0);
  }
  // The command is the first word that is not an option (anything else, e.g. a root option's value, builds all).
  const command = args.find((a) => !a.startsWith('-'));
  // A verify of a big folder forks its helpers first: they boot while commander and the command tree load.
  if (command === 'verify') (await import('../verify/prestart.js')).prestartHelpers(args);
  const { buildProgram } = await import('./program.js');
  const program = await buildProgram(command);
  try {
    await program.parseAsync(argv);
    flushAndExit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (e) {
    if (typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('commander.')) {
      // Help and version are not errors; commander has already printed its message.
      const code = (e as { code: string }).code;
      const ok = code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help';
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

void main(process.argv);
