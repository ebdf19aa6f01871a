// `mailcheck verify` flags (shared/CONTRACT.md plus --authserv-id, --jobs); the command loads lazily.
import type { Command } from 'commander';
import { addFullReportOption, addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineVerify(program: Command): void {
  addFullReportOption(addGlobalOptions(program.command('verify')))
    .description('DKIM, SPF, DMARC and ARC verdicts for saved messages (.eml files, Maildirs, mbox files)')
    .argument('<files...>', 'message files, Maildir folders or mbox files')
    .option('--ip <ip>', 'the connecting client IP (for SPF)')
    .option('--helo <name>', 'the client HELO name')
    .option('--sender <addr>', 'the MAIL FROM address (default: the Return-Path: header; "<>" for a bounce)')
    .option('--authserv-id <name>', "name in the Authentication-Results header (default: this host's name)")
    .option('--allow-empty', 'a folder with no messages passes (default: it is an error, exit 2)')
    .option('--jobs <n>', 'processes verifying big folders (default: one per CPU core; 1 = only this one)')
    .option(
      '--bulk',
      "judge by Gmail's and Yahoo's bulk-sender rules (default: all-senders rules, bulk ones as advice)",
    )
    .option('--strict', 'exit 1 when a sender requirement (or any warning) fails, 3 when DNS kept one from a verdict')
    .addHelpText(
      'after',
      `
Sender requirements: every message is also judged by Gmail's and Yahoo's 2024
  sender rules (SPF/DKIM, DMARC, reverse DNS, HELO, TLS, RFC 5322 format,
  one-click unsubscribe, ARC, impersonation). They do not change the exit code
  unless --strict. Without --ip, the client IP, HELO and TLS come from the
  topmost Received: field when mailcheck receive wrote it under --authserv-id.
` +
        examples([
          'mailcheck verify message.eml',
          'mailcheck verify message.eml --ip 192.0.2.1 --helo mail.example.com',
          'mailcheck verify ./mailcheck-inbox --json',
          'mailcheck verify newsletter.eml --ip 192.0.2.1 --helo mail.example.com --bulk --strict',
          'mailcheck verify fixtures/eml/signed-rsa.eml --zone fixtures/zones/mail.test.zone --offline',
        ]),
    )
    .action(lazyAction(() => import('../commands/verify.js')));
}
