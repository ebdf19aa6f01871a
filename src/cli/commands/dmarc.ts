// `mailcheck dmarc <domain>`: read → compute → render. The only place the DMARC report is written.
import { checkDmarc } from '../../auth/dmarc/check.js';
import { toALabel } from '../../core/names.js';
import { toJson } from '../../report/json.js';
import { renderDmarc } from '../../report/text/dmarc.js';
import { createContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import type { GlobalOptions } from '../global-options.js';

export async function run(domain: string, opts: GlobalOptions & { all?: boolean }): Promise<number> {
  const name = toALabel(domain);
  const ctx = await createContext(opts, { brief: !opts.all });
  const result = await checkDmarc(name, ctx);
  process.stdout.write(ctx.json ? toJson(result) : renderDmarc(result, ctx.theme, { steps: ctx.verbose }));
  return exitCode([result]);
}
