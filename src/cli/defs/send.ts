// `mailcheck send` flags (shared/CONTRACT.md plus --header, --port, --helo, --ca, --allow-private, --auth-*); the
// command loads lazily.
import { Option, type Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { collect, examples, lazyAction } from '../lazy.js';

/** The environment variable the --auth-user password may come from. */
export const AUTH_PASS_ENV = 'MAILCHECK_AUTH_PASS';

export function defineSend(program: Command): void {
  addGlobalOptions(program.command('send'))
    .description(
      'compose (or take) a message, DKIM-sign it if asked, and deliver it through MX or a given server (RFC 5321, 6376)',
    )
    .requiredOption('--from <addr>', 'envelope and header sender ("Name <a@example.com>" or a@example.com)')
    .requiredOption('--to <addr>', 'recipient (repeatable)', collect)
    .option('--server <host[:port]>', "deliver here instead of the recipients' MX (port 25 unless given)")
    .option('--port <port>', 'port for MX delivery', '25')
    .option('--subject <s>', 'Subject: header')
    .option('--body <text>', 'message body (- reads stdin)')
    .option('--eml <file>', 'send this RFC 5322 message as is (CRLF-normalised)')
    .addOption(new Option('--header <"Name: value">', 'extra header field (repeatable)').argParser(collect))
    .option('--dkim-key <pem>', 'DKIM private key (PEM, from mailcheck dkim keygen): RSA or Ed25519')
    .option('--dkim-selector <s>', 'DKIM selector (s=)')
    .option('--dkim-domain <d>', 'DKIM signing domain (d=; default: the From: domain)')
    .addOption(
      new Option(
        '--tls <mode>',
        'starttls (when offered), require (never in clear, any certificate), verify (never in clear, and the certificate must chain to a trusted CA or --ca and name the host), implicit (port 465), none (default: implicit on 465, else starttls)',
      ).choices(['starttls', 'implicit', 'none', 'require', 'verify']),
    )
    .option('--helo <name>', "name to send in EHLO (default: this host's FQDN, or our address as [literal])")
    .addOption(
      new Option('--ca <pem>', 'also trust the CA certificate(s) in this PEM file (repeatable)').argParser(collect),
    )
    .option(
      '--allow-private',
      'deliver to MX addresses that are loopback, link-local, private or reserved too (refused by default; --server is always allowed)',
    )
    .option('--auth-user <name>', 'log in with SMTP AUTH (PLAIN or LOGIN) before sending: submission on 587/465')
    .option(
      '--auth-pass-file <file>',
      `read the --auth-user password from this file's first line (or set ${AUTH_PASS_ENV}; both keep it out of shell history)`,
    )
    .option(
      '--auth-pass <password>',
      `the --auth-user password on the command line (prefer --auth-pass-file or ${AUTH_PASS_ENV})`,
    )
    .addOption(
      new Option('--auth-mech <mechanism>', 'SASL mechanism (default: PLAIN if offered, else LOGIN)').choices([
        'PLAIN',
        'LOGIN',
      ]),
    )
    .option('--auth-insecure', 'allow the login on a session that is not encrypted (the password crosses in clear)')
    .option('--no-transcript', 'leave the SMTP transcript out of the text report')
    .addHelpText(
      'after',
      examples([
        'mailcheck send --from me@example.com --to you@example.net --subject hi --body "hello"',
        'mailcheck send --from me@example.com --to you@example.test --server 127.0.0.1:2525 --dkim-key s1.pem --dkim-selector s1',
        'mailcheck send --from me@example.com --to you@example.net --eml message.eml --tls verify',
        'mailcheck send --from me@example.com --to you@example.net --server smtp.example.com:587 --auth-user me@example.com --auth-pass-file ~/.smtp-password --tls verify',
      ]),
    )
    .action(lazyAction(() => import('../commands/send.js')));
}
