import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { collect, examples, lazyAction } from '../lazy.js';

export function defineCheck(program: Command): void {
  addGlobalOptions(program.command('check'))
    .description('the whole mail posture of each domain: mx, spf, dkim, dmarc, mta-sts, tls-rpt, bimi, dnssec; a CI gate')
    .argument('[domains...]', 'domains to check')
    .option('--batch <file>', "read domains from a file, one per line ('-' = stdin)")
    .option('--selector <s>', 'DKIM selector (repeatable)', collect)
    .option('--policy <file>', 'YAML requirements that become findings (the CI gate)')
    .option('--strict', 'warnings fail too')
    .option('--format <format>', 'text, json, junit or github', 'text')
    .option('--concurrency <n>', 'domains checked at once in batch mode')
    .option('--smtp', 'also probe each MX host over SMTP (STARTTLS, certificate, DANE)')
    .addHelpText('after', examples([
      'mailcheck check example.com',
      'mailcheck check --batch domains.txt --json > posture.ndjson',
      'mailcheck check example.com --policy mailcheck.yml --format junit > report.xml',
    ]))
    .action(lazyAction(() => import('../commands/check.js')));
}
