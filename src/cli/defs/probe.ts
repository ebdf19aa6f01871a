// `mailcheck probe` flags (shared/CONTRACT.md plus --relay-test, --ca, --no-auth-test); the command loads lazily.
import { Option, type Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { collect, examples, lazyAction } from '../lazy.js';

export function defineProbe(program: Command): void {
  addGlobalOptions(program.command('probe'))
    .description('raw TCP SMTP probe: banner, EHLO, STARTTLS, certificate (never sends a message; RFC 5321, RFC 3207)')
    .argument('<target>', 'a mail domain (resolved through MX), a host name or an IP address')
    .option('--port <port>', 'TCP port (465 means implicit TLS)', '25')
    .addOption(
      new Option(
        '--tls <mode>',
        'starttls (when offered), implicit (TLS first), or none (default: implicit on 465, else starttls)',
      ).choices(['starttls', 'implicit', 'none']),
    )
    .option('--helo <name>', "name to send in EHLO (default: this host's FQDN, or our address as [literal])")
    .option('--all', 'probe every MX host and address (IPv4 and IPv6) concurrently, shown as a table')
    .option('--no-auth-test', 'do not try AUTH (with a made-up user) when a server offers it before TLS')
    .option('--relay-test', 'also test for an open relay: MAIL FROM/RCPT TO for outside domains, then RSET (no DATA)')
    .option('--relay-to <addr>', 'outside recipient for --relay-test', 'mailcheck-relay-test@example.net')
    .addOption(
      new Option('--ca <pem>', 'also trust the CA certificate(s) in this PEM file (repeatable)').argParser(collect),
    )
    .option(
      '--tls-audit',
      'audit TLS test by test (versions, suites, order, key exchange, renegotiation, certificate, DANE) over many short connections',
    )
    .option('--budget <ms>', 'time budget per host for --tls-audit', '60000')
    .option('--transcript', 'add the SMTP transcript to the text report (-v prints it as it happens)')
    .option('--no-transcript', 'leave the SMTP transcript out (the default now; accepted for scripts)')
    .addHelpText(
      'after',
      examples([
        'mailcheck probe outlook.com',
        'mailcheck probe mx1.example.com --port 465',
        'mailcheck probe example.com --all --json',
        'mailcheck probe mx1.example.com --tls-audit',
        'mailcheck probe 127.0.0.1 --port 2525 --ca ./test-ca.pem --relay-test',
      ]),
    )
    .action(lazyAction(() => import('../commands/probe.js')));
}
