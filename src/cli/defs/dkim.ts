import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { collect, examples, lazyAction } from '../lazy.js';

export function defineDkim(program: Command): void {
  const dkim = addGlobalOptions(program.command('dkim'))
    .description('look up and lint DKIM keys at <selector>._domainkey.<domain> (RFC 6376, RFC 8463)')
    .argument('<domain>', 'signing domain (d=)')
    .option('--selector <s>', 'selector to look up (repeatable; default: a built-in list of common selectors)', collect)
    .addHelpText('after', examples([
      'mailcheck dkim example.com --selector s1',
      'mailcheck dkim example.com',
      'mailcheck dkim keygen --domain example.com --selector s2026 --type ed25519 --out s2026.pem',
    ]))
    .action(lazyAction(() => import('../commands/dkim.js')));
  addGlobalOptions(dkim.command('keygen'))
    .description('generate a DKIM key pair: write the private key (PEM) and print the TXT record to publish')
    .requiredOption('--domain <d>', 'signing domain')
    .requiredOption('--selector <s>', 'selector')
    .option('--type <type>', 'rsa or ed25519', 'rsa')
    .option('--bits <n>', 'RSA modulus size', '2048')
    .option('--out <file>', 'where to write the private key (default: <selector>.<domain>.pem)')
    .option('--force', 'overwrite an existing key file')
    .addHelpText('after', examples(['mailcheck dkim keygen --domain example.com --selector s1 --out s1.pem']))
    .action(lazyAction(() => import('../commands/dkim-keygen.js')));
}
