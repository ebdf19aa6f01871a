import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineProbe(program: Command): void {
  addGlobalOptions(program.command('probe'))
    .description('raw TCP SMTP probe: banner, EHLO, STARTTLS, certificate (never sends a message)')
    .argument('<target>', 'a mail domain (resolved through MX), a host name or an IP address')
    .option('--port <port>', 'TCP port (25; 465 means implicit TLS)', '25')
    .option('--tls <mode>', 'starttls, implicit or none')
    .option('--helo <name>', 'name to send in EHLO')
    .option('--all', 'probe every MX host and address, not just the best one')
    .addHelpText('after', examples([
      'mailcheck probe outlook.com',
      'mailcheck probe mx1.example.com --port 465',
      'mailcheck probe example.com --all --json',
    ]))
    .action(lazyAction(() => import('../commands/probe.js')));
}
