// The one spinner of the CLI: on stderr, only where it cannot garble anything (a TTY, text output, no --verbose:
// the streamed query and SMTP lines would land on its line). ora is loaded only when one is shown.
import type { CliContext } from './context.js';

export interface Spinner {
  text: string;
  stop(): void;
}

export async function startSpinner(
  ctx: Pick<CliContext, 'interactive' | 'verbose'>,
  text: string,
): Promise<Spinner | undefined> {
  if (!ctx.interactive || ctx.verbose) return undefined;
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: process.stderr }).start();
  return {
    get text() {
      return s.text;
    },
    set text(t: string) {
      s.text = t;
    },
    stop: () => {
      if (s.isSpinning) s.stop();
    },
  };
}
