// `mailcheck dkim [domain]`: selectors from --selector, --from-message or guesses; --key compared with
// the published keys. The only place the DKIM report is written.
import { checkDkim } from '../../auth/dkim/check.js';
import { signaturesInMessage } from '../../auth/dkim/message-selectors.js';
import { UsageError } from '../../core/errors.js';
import { readUserFile } from '../../core/user-file.js';
import { toALabel } from '../../core/names.js';
import { toJson } from '../../report/json.js';
import { renderDkim } from '../../report/text/dkim.js';
import { createContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import { startSpinner } from '../spinner.js';
import type { GlobalOptions } from '../global-options.js';

export interface DkimOptions extends GlobalOptions {
  selector?: string[];
  fromMessage?: string;
  key?: string;
  all?: boolean;
}

export async function run(domain: string | undefined, opts: DkimOptions): Promise<number> {
  const message = opts.fromMessage !== undefined ? await readMessage(opts.fromMessage) : undefined;
  if (domain === undefined) {
    const first = message !== undefined ? signaturesInMessage(message)[0] : undefined;
    if (message === undefined)
      throw new UsageError("missing required argument 'domain' (or give --from-message <eml>)");
    if (!first)
      throw new UsageError(`'${opts.fromMessage}' has no DKIM-Signature header to take a domain from; name the domain`);
    domain = first.domain;
  }
  const name = toALabel(domain);
  const selectors = (opts.selector ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => toALabel(s, 'selector'));
  const ctx = await createContext(opts, { brief: !opts.all });
  // A spinner while guessing selectors, the slow case (none under --verbose or off a TTY: src/cli/spinner.ts).
  const spinner =
    !selectors.length && message === undefined
      ? await startSpinner(ctx, `probing common DKIM selectors for ${name}…`)
      : undefined;
  try {
    const result = await checkDkim(name, ctx, { selectors, keyFile: opts.key, message });
    spinner?.stop();
    process.stdout.write(ctx.json ? toJson(result) : renderDkim(result, ctx.theme, { steps: ctx.verbose }));
    return exitCode([result]);
  } finally {
    spinner?.stop();
  }
}

async function readMessage(path: string): Promise<string> {
  // latin1 keeps every byte; header parsing only needs ASCII.
  return readUserFile(path, 'message', 'latin1');
}
