// `mailcheck check` flags (shared/CONTRACT.md plus --budget, --order, --dnsbl, --fetch, --workers, --shard(s), --resume,
// --summary-of, test ports); the command loads lazily.
import { Option, type Command } from 'commander';
import { addFullReportOption, addGlobalOptions } from '../global-options.js';
import { collect, examples, exitCodes, lazyAction } from '../lazy.js';

export function defineCheck(program: Command): void {
  addFullReportOption(addGlobalOptions(program.command('check')))
    .description(
      'the whole mail posture of each domain: mx, spf, dkim, dmarc, mta-sts, tls-rpt, bimi, dnssec, dane; a CI gate',
    )
    .argument('[domains...]', 'domains to check (several are streamed like a batch)')
    .option('--batch <file>', "read domains from a file, one per line, # comments ('-' = stdin)")
    .option('--selector <s>', 'DKIM selector (repeatable; default: discovery among common selectors)', collect)
    .option('--policy <file>', 'YAML requirements that become findings: the CI gate (see docs/ci-gate.md)')
    .option('--strict', 'warnings fail too')
    .option('--allow-empty', 'a --batch list with no domains passes (default: it is an error, exit 2)')
    .addOption(
      new Option(
        '--format <format>',
        'output: text, json (NDJSON for several domains), junit (XML) or github (annotations)',
      ).choices(['text', 'json', 'junit', 'github']),
    )
    .option(
      '--concurrency <n>',
      'domains checked at once in batch mode (default: as many as keep the process busy, up to 64)',
    )
    .option(
      '--workers <n>',
      'worker threads for a batch, each with its own DNS sockets and cache (default: the number of cores when there are more than 500 domains, else 1)',
    )
    .option(
      '--shard <K/N>',
      'check only shard K of N: a stable split by a hash of each domain (one per machine or pod)',
    )
    .option('--shards <n>', 'check shard JOB_COMPLETION_INDEX+1 of N (the index a Kubernetes Indexed Job sets)')
    .option(
      '--resume <file>',
      'with --json: append the lines to this file, not stdout, skipping the domains it holds (a killed run finishes the rest)',
    )
    .option(
      '--summary-of <file...>',
      'the summary and exit code of saved --json outputs (shards, resumed runs), as one run',
    )
    .addOption(
      new Option('--order <order>', 'batch output order: input (default) or completion (as each finishes)')
        .choices(['input', 'completion'])
        .default('input'),
    )
    .option(
      '--budget <ms>',
      'time cap per domain; what has not finished by then is reported unknown (default: 20000, 120000 with --tls-audit)',
    )
    .option('--smtp', 'also probe each MX host over SMTP (STARTTLS, certificate) and match DANE TLSA against it')
    .option('--tls-audit', "with --smtp (implied): audit each MX address's TLS test by test, as internet.nl does")
    .option('--fetch', 'fetch the BIMI logo and mark certificate (off by default)')
    .option('--dnsbl <zones>', 'look up each MX address in these DNS blocklists (comma-separated, repeatable)', collect)
    .addOption(
      new Option(
        '--ca <pem>',
        'also trust the CA certificate(s) in this PEM file, for HTTPS and SMTP (repeatable)',
      ).argParser(collect),
    )
    .option(
      '--allow-private',
      'fetch MTA-STS and BIMI over HTTPS from loopback, private or reserved addresses too (a lab or test network)',
    )
    .addOption(
      new Option('--mta-sts-port <port>', 'connect to this port for the MTA-STS policy instead of 443 (for tests)'),
    )
    .addOption(new Option('--smtp-port <port>', 'SMTP port for --smtp and DANE instead of 25 (for tests)'))
    .addHelpText(
      'after',
      examples([
        'mailcheck check example.com',
        'mailcheck check example.com --selector s1 --smtp',
        'mailcheck check example.com --smtp --tls-audit',
        'mailcheck check --batch domains.txt --json > posture.ndjson',
        'mailcheck check --batch domains.txt --json --resume posture.ndjson',
        'mailcheck check --batch domains.txt --shard 2/8 --json > shard-2.ndjson',
        'mailcheck check --summary-of shard-*.ndjson',
        'mailcheck check example.com --policy mailcheck.yml --format junit > report.xml',
        'mailcheck check example.com --zone zones/example.com.zone --offline --policy mailcheck.yml --format github',
      ]) +
        `
How long a domain takes:
  --timeout bounds each DNS question with its retries (each --resolver in turn, twice, a share of the timeout
  apart, all listening until it ends) and each SMTP step. A domain asks its questions at once, so against a
  resolver that never answers it is unknown after about --timeout; answers that lead to more questions
  (MX, then addresses, then PTR) can add a --timeout per step. --budget caps the whole domain.
` +
        exitCodes(
          'all passed (warnings too, unless --strict)',
          'a check failed',
          'a check had no verdict (DNS timeout, SERVFAIL)',
        ),
    )
    .action(lazyAction(() => import('../commands/check.js')));
}
