// `mailcheck report` flags: DMARC aggregate (RFC 7489, RFC 9990) and TLS-RPT (RFC 8460) reports; loads lazily.
import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, exitCodes, lazyAction } from '../lazy.js';

export function defineReport(program: Command): void {
  addGlobalOptions(program.command('report'))
    .description('DMARC aggregate and TLS-RPT reports: who sends as the domain, what fails, is p=reject safe?')
    .argument('<inputs...>', '.xml, .xml.gz, .zip, .json, .json.gz or .eml files, folders, Maildirs or mbox files')
    .option('--since <date>', 'only reports whose range ends after this (2024-05-01, an ISO time, or 7d / 24h ago)')
    .option('--until <date>', 'only reports whose range starts before this (same forms)')
    .option('--smtp', 'probe the MX hosts of TLS-RPT failures now, to see whether each still fails')
    .option('--top <n>', 'sources listed per domain in the text report (0: all)', '10')
    .option(
      '--max-size <bytes>',
      'largest report after decompression (k/m suffixes); archives and bombs stop there',
      '16m',
    )
    .addHelpText(
      'after',
      `
Sources are grouped as aligned and passing, your own infrastructure failing
  (in the domain's SPF, one of its MX, or a reverse name under it), forwarders
  and lists, and unknown senders failing; the verdict says whether p=quarantine
  or p=reject would lose legitimate mail, and what to fix first.
With --json: NDJSON, one "source" object per sending IP, one "tls-failure" per
  MX and failure type, one "domain" summary per domain, and an "inputs" object.
${exitCodes('no own source fails and no TLS failure persists', 'own infrastructure fails DMARC, or a TLS failure persists (--smtp)', 'DNS failures kept sources from being grouped')}` +
        examples([
          'mailcheck report ./mailcheck-inbox',
          'mailcheck report reports/*.xml.gz --since 7d',
          "mailcheck report 'google.com!example.com!1714521600!1714607999.zip' --json",
          'mailcheck report tlsrpt.json.gz --smtp',
        ]),
    )
    .action(lazyAction(() => import('../commands/report.js')));
}
