// `mailcheck mx`: flags and help; the work is in ../commands/mx.ts.
import type { Command } from 'commander';
import { addFullReportOption, addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineMx(program: Command): void {
  addFullReportOption(addGlobalOptions(program.command('mx')))
    .description('the MX → A/AAAA chain of a domain, every DNS step shown (RFC 5321 §5.1, RFC 7505)')
    .argument('<domain>', 'the mail domain (IDNs are converted to A-labels)')
    .addHelpText(
      'after',
      examples([
        'mailcheck mx outlook.com',
        'mailcheck mx example.test --zone fixtures/zones/example.test.zone --offline',
        'mailcheck mx example.com --resolver 1.1.1.1 --json',
      ]),
    )
    .action(lazyAction(() => import('../commands/mx.js')));
}
