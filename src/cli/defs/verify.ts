import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineVerify(program: Command): void {
  addGlobalOptions(program.command('verify'))
    .description('DKIM, SPF, DMARC and ARC verdicts for saved messages (.eml files, Maildirs, mbox files)')
    .argument('<files...>', 'message files, Maildir folders or mbox files')
    .option('--ip <ip>', 'the connecting client IP (for SPF)')
    .option('--helo <name>', 'the client HELO name')
    .option('--sender <addr>', 'the MAIL FROM address')
    .addHelpText('after', examples(['mailcheck verify message.eml', 'mailcheck verify ./mailcheck-inbox --json']))
    .action(lazyAction(() => import('../commands/verify.js')));
}
