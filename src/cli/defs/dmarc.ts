// `mailcheck dmarc`: flags and help; the work is in ../commands/dmarc.ts.
import type { Command } from 'commander';
import { addFullReportOption, addGlobalOptions } from '../global-options.js';
import { examples, exitCodes, lazyAction } from '../lazy.js';

export function defineDmarc(program: Command): void {
  addFullReportOption(addGlobalOptions(program.command('dmarc')))
    .description(
      'find, parse and lint the DMARC record (the domain, then the DNS tree walk above it) and check report authorization (RFC 9989)',
    )
    .argument('<domain>', 'the From: domain')
    .addHelpText(
      'after',
      examples(['mailcheck dmarc example.com', 'mailcheck dmarc mail.example.com --json']) +
        exitCodes('policy found (warnings allowed)', 'no usable record, or a broken one', 'DNS timeout or SERVFAIL'),
    )
    .action(lazyAction(() => import('../commands/dmarc.js')));
}
