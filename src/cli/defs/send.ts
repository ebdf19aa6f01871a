import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { collect, examples, lazyAction } from '../lazy.js';

export function defineSend(program: Command): void {
  addGlobalOptions(program.command('send'))
    .description('compose (or take) a message, DKIM-sign it if asked, and deliver it through MX or a given server')
    .requiredOption('--from <addr>', 'envelope and header sender')
    .requiredOption('--to <addr>', 'recipient (repeatable)', collect)
    .option('--server <host[:port]>', 'deliver here instead of the recipients\' MX')
    .option('--subject <s>', 'Subject: header')
    .option('--body <text>', 'message body')
    .option('--eml <file>', 'send this RFC 5322 message as is')
    .option('--dkim-key <pem>', 'DKIM private key (PEM)')
    .option('--dkim-selector <s>', 'DKIM selector')
    .option('--dkim-domain <d>', 'DKIM signing domain (default: the From: domain)')
    .option('--tls <mode>', 'starttls, implicit, none or require', 'starttls')
    .addHelpText('after', examples([
      'mailcheck send --from me@example.com --to you@example.net --subject hi --body "hello"',
      'mailcheck send --from me@example.com --to you@example.test --server 127.0.0.1:2525 --dkim-key s1.pem --dkim-selector s1',
    ]))
    .action(lazyAction(() => import('../commands/send.js')));
}
