// `mailcheck dkim` and `mailcheck dkim keygen`: flags and help; the work is in ../commands/dkim*.ts.
import type { Command } from 'commander';
import { addFullReportOption, addGlobalOptions } from '../global-options.js';
import { collect, examples, exitCodes, lazyAction } from '../lazy.js';

export function defineDkim(program: Command): void {
  const dkim = addFullReportOption(addGlobalOptions(program.command('dkim')))
    .description('look up and lint DKIM keys at <selector>._domainkey.<domain> (RFC 6376, RFC 8463)')
    .argument('[domain]', 'signing domain (d=); default with --from-message: the d= of its first signature')
    .option(
      '--selector <s>',
      'selector to look up (repeatable or comma-separated; default: common selectors and provider guesses)',
      collect,
    )
    .option('--from-message <eml>', 'take the selectors from the DKIM-Signature headers of this saved message')
    .option('--key <pem>', 'check that this private key matches a published key (after a rotation)')
    // dkim's options end at `keygen`: `dkim keygen --selector s1` is keygen's own --selector, not dkim's.
    // (Global options stay accepted anywhere: the root command is not positional.)
    .enablePositionalOptions()
    .addHelpText(
      'after',
      examples([
        'mailcheck dkim example.com --selector s1',
        'mailcheck dkim example.com',
        'mailcheck dkim --from-message sent.eml',
        'mailcheck dkim example.com --selector s2026 --key s2026.pem',
        'mailcheck dkim keygen --domain example.com --selector s2026 --type ed25519 --out s2026.pem',
      ]) + exitCodes('keys valid (warnings allowed)', 'a key is missing or broken', 'DNS timeout or SERVFAIL'),
    )
    .action(lazyAction(() => import('../commands/dkim.js')));
  addGlobalOptions(dkim.command('keygen'))
    .description('generate a DKIM key pair: write the private key (PEM, mode 0600) and print the TXT record to publish')
    .requiredOption('--domain <d>', 'signing domain')
    .requiredOption('--selector <s>', 'selector (the <s> of <s>._domainkey.<domain>)')
    .option('--type <type>', 'rsa or ed25519', 'rsa')
    .option('--bits <n>', 'RSA modulus size, 1024-4096 (default 2048)')
    .option('--out <file>', 'where to write the private key (default: <selector>.<domain>.pem)')
    .option('--force', 'overwrite an existing key file')
    .addHelpText(
      'after',
      examples([
        'mailcheck dkim keygen --domain example.com --selector s1 --out s1.pem',
        'mailcheck dkim keygen --domain example.com --selector ed1 --type ed25519 --json',
      ]),
    )
    .action(lazyAction(() => import('../commands/dkim-keygen.js')));
}
