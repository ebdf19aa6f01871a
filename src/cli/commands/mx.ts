// `mailcheck mx <domain>`: read → compute → render. The only place the mx report is written.
import { toALabel } from '../../core/names.js';
import { checkMx } from '../../mx/check.js';
import { toJson } from '../../report/json.js';
import { renderMx } from '../../report/text/mx.js';
import { createContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import type { GlobalOptions } from '../global-options.js';

export async function run(domain: string, opts: GlobalOptions & { all?: boolean }): Promise<number> {
  const name = toALabel(domain);
  const ctx = await createContext(opts, { brief: !opts.all });
  const result = await checkMx(name, ctx);
  process.stdout.write(ctx.json ? toJson(result) : renderMx(result, ctx.theme, { steps: ctx.verbose }));
  return exitCode([result]);
}
