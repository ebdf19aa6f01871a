// `mailcheck spf [domain] [--ip] [--sender] [--helo]`: read → compute → render. The only place the spf report is written.
import { checkSpf } from '../../auth/spf/check.js';
import { spfInputs } from '../../auth/spf/identity.js';
import type { SpfResult } from '../../auth/spf/types.js';
import { toJson } from '../../report/json.js';
import { renderSpf } from '../../report/text/spf.js';
import { createContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import type { GlobalOptions } from '../global-options.js';

export interface SpfOptions extends GlobalOptions {
  ip?: string;
  sender?: string;
  helo?: string;
  all?: boolean;
}

export async function run(domain: string | undefined, opts: SpfOptions): Promise<number> {
  const input = { domain, ip: opts.ip, sender: opts.sender, helo: opts.helo };
  spfInputs(input); // bad IP, domain, sender or HELO → UsageError (exit 2) before any DNS
  const ctx = await createContext(opts, { brief: !opts.all });
  // One domain: also ask for the obsolete SPF RR type (RFC 7208 §3.1), a query batch audits (check) skip.
  const result = await checkSpf(input, ctx, { spfRrType: true });
  process.stdout.write(ctx.json ? toJson(result) : renderSpf(result, ctx.theme, { steps: ctx.verbose }));
  return spfExitCode(result);
}

/** shared/CONTRACT.md: with --ip, pass → 0, temperror → 3, anything else → 1; without, 0 unless a fail finding. */
export function spfExitCode(r: SpfResult): 0 | 1 | 3 {
  if (r.result === 'pass') return 0;
  if (r.result === 'temperror') return 3;
  if (r.result) return 1;
  return exitCode([r]);
}
