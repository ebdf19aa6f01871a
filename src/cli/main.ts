// Entry point. One top-level catch maps UsageError → exit 2 with one line on stderr,
// and bugs → exit 1 without a stack trace (MAILCHECK_DEBUG=1 shows it).
import { CommanderError } from 'commander';
import { UsageError, ExitError } from '../core/errors.js';
import { buildProgram } from './program.js';

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

void main(process.argv);
