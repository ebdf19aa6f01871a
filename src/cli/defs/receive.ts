// `mailcheck receive` flags (shared/CONTRACT.md plus limits); the command loads lazily.
import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineReceive(program: Command): void {
  addGlobalOptions(program.command('receive'))
    .description('a local SMTP receiver: stores every message in a Maildir and checks SPF, DKIM, DMARC, ARC')
    .option('--port <port>', 'TCP port (465: implicit TLS)', '2525')
    .option('--host <ip>', 'address to bind', '127.0.0.1')
    .option('--maildir <dir>', 'where to store messages (created if missing)', './mailcheck-inbox')
    .option('--count <n>', 'exit 0 after N stored messages')
    .option('--once', 'exit 0 after one stored message')
    .option('--tls [mode]', 'offer STARTTLS (the default mode), or implicit TLS with --tls implicit')
    .option('--cert <pem>', 'TLS certificate (default: a self-signed one for --hostname)')
    .option('--key <pem>', 'TLS private key')
    .option('--max-size <bytes>', 'largest message accepted, advertised in EHLO SIZE (k/m suffixes)', '25m')
    .option('--max-recipients <n>', 'recipients per message (more get 452)', '100')
    .option('--max-connections <n>', 'concurrent connections (more get 421)', '100')
    .option(
      '--max-connections-per-client <n>',
      'concurrent connections from one address, an IPv6 /64 (more get 421)',
      '20',
    )
    .option('--hostname <name>', "name in the greeting and Received: headers (default: this host's name)")
    .option('--reports', 'recognize DMARC aggregate and TLS-RPT reports as they arrive and summarize each')
    .option('--bulk', "judge each message by Gmail's and Yahoo's bulk-sender rules (default: all-senders rules)")
    .addHelpText(
      'after',
      `
Timeouts: --timeout is the time a client has for each command line (60 s by
  default) and ten times that for DATA; idle or slow clients get 421.
A session is closed (421) after 100 commands that do nothing (NOOP, RSET, VRFY,
  HELP, EHLO, errors, lines over 2,048 bytes, which get 500) since its last
  accepted message.
SIGINT/SIGTERM stop accepting, finish the messages in flight, and exit 0.
With --json: NDJSON on stdout, a "listening" event, then one "message" event
  per stored message.
` +
        examples([
          'mailcheck receive --port 2525',
          'mailcheck receive --once --json --maildir /tmp/inbox',
          'mailcheck receive --tls --hostname mx.example.test --zone fixtures/zones/mail.test.zone --offline',
          'mailcheck receive --reports --maildir ./rua   # then: mailcheck report ./rua',
        ]),
    )
    .action(lazyAction(() => import('../commands/receive.js')));
}
