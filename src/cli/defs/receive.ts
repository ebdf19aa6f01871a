import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineReceive(program: Command): void {
  addGlobalOptions(program.command('receive'))
    .description('a local SMTP receiver: stores every message in a Maildir and checks SPF, DKIM, DMARC, ARC')
    .option('--port <port>', 'TCP port', '2525')
    .option('--host <ip>', 'address to bind', '127.0.0.1')
    .option('--maildir <dir>', 'where to store messages', './mailcheck-inbox')
    .option('--count <n>', 'exit 0 after N stored messages')
    .option('--once', 'exit 0 after one stored message')
    .option('--tls [mode]', 'offer STARTTLS (or implicit TLS with --tls implicit)')
    .option('--cert <pem>', 'TLS certificate (default: a self-signed one for --hostname)')
    .option('--key <pem>', 'TLS private key')
    .option('--max-size <bytes>', 'largest message accepted (SIZE)')
    .option('--hostname <name>', 'name in the greeting and Received: headers')
    .addHelpText('after', examples([
      'mailcheck receive --port 2525',
      'mailcheck receive --once --json --maildir /tmp/inbox',
    ]))
    .action(lazyAction(() => import('../commands/receive.js')));
}
