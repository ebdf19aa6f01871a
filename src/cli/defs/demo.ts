// `mailcheck demo` flags; the command loads lazily.
import { Option, type Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineDemo(program: Command): void {
  addGlobalOptions(program.command('demo'))
    .description(
      'the whole journey of an email, offline on loopback: DNS, MX, SMTP, SPF, DKIM, DMARC — and a forgery caught',
    )
    .option(
      '--keep',
      'leave the sandbox DNS server and receiver running, and show how to point the other commands at them',
    )
    .option('--dns-port <port>', 'port for the sandbox DNS server (default: any free port)')
    .option('--smtp-port <port>', 'port for the sandbox receiver (default: any free port)')
    .option(
      '--dir <dir>',
      'write the zone files, the DKIM key and the Maildir here and keep them (default: a temporary folder)',
    )
    .addOption(
      new Option('--key-type <type>', 'DKIM key type for the sandbox domain')
        .choices(['rsa', 'ed25519'])
        .default('rsa'),
    )
    .addHelpText(
      'after',
      `
Nothing leaves this machine: an embedded DNS server publishes the sandbox domain sandbox.test (MX, A,
SPF, DKIM, DMARC, MTA-STS, TLS-RPT), \`mailcheck receive\` is its mail server, and the messages are sent
through real MX resolution against them. Exit 0 when every step behaved as expected.
With --keep, the sandbox stays up: point mx, check, probe, send and verify at it with --resolver.
` +
        examples([
          'mailcheck demo',
          "mailcheck demo --json | jq '.steps[] | .summary'",
          'mailcheck demo --keep --dns-port 5353 --smtp-port 2525',
        ]),
    )
    .action(lazyAction(() => import('../commands/demo.js')));
}
