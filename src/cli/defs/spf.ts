// `mailcheck spf`: flags and help; the work is in ../commands/spf.ts.
import type { Command } from 'commander';
import { addFullReportOption, addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineSpf(program: Command): void {
  addFullReportOption(addGlobalOptions(program.command('spf')))
    .description('fetch, parse and lint the SPF record; with --ip, evaluate check_host() (RFC 7208)')
    .argument('[domain]', 'domain to check (default: the --sender domain, else the --helo name)')
    .option('--ip <ip>', 'evaluate check_host() for this client IP')
    .option('--sender <addr>', 'MAIL FROM address (empty: postmaster@<helo>)')
    .option('--helo <name>', 'HELO/EHLO name')
    .addHelpText(
      'after',
      examples([
        'mailcheck spf example.com',
        'mailcheck spf --ip 192.0.2.1 --sender user@example.com',
        'mailcheck spf example.test --zone fixtures/zones/example.test.zone --offline --ip 192.0.2.7',
      ]),
    )
    .action(lazyAction(() => import('../commands/spf.js')));
}
