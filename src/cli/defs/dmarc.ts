import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineDmarc(program: Command): void {
  addGlobalOptions(program.command('dmarc'))
    .description('find, parse and lint the DMARC record, with organizational-domain fallback (RFC 7489)')
    .argument('<domain>', 'the From: domain')
    .addHelpText('after', examples(['mailcheck dmarc example.com', 'mailcheck dmarc mail.example.com --json']))
    .action(lazyAction(() => import('../commands/dmarc.js')));
}
