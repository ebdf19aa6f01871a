import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineDemo(program: Command): void {
  addGlobalOptions(program.command('demo'))
    .description('the whole journey offline on loopback: DNS, MX, SMTP, DKIM/SPF/DMARC verdicts')
    .option('--keep', 'leave the sandbox DNS server and receiver running')
    .addHelpText('after', examples(['mailcheck demo', 'mailcheck demo --json', 'mailcheck demo --keep']))
    .action(lazyAction(() => import('../commands/demo.js')));
}
