// The global options of shared/CONTRACT.md, accepted before or after the command name.
import { Option, type Command } from 'commander';

export interface GlobalOptions {
  resolver?: string[];
  zone?: string[];
  offline?: boolean;
  timeout?: string;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** --all: the full text report of a command that by default leads with the verdict and what to fix. Not a global
 *  option: probe's --all already means every MX host (its full report is -v, or --transcript). */
export function addFullReportOption(cmd: Command): Command {
  return cmd.option('--all', 'the full report: every finding and the whole trace (-v also shows each DNS query live)');
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--resolver <ip[:port]>',
        'DNS server to ask (repeatable; [::1]:5353 for IPv6; env MAILCHECK_RESOLVER)',
      ).argParser(collect),
    )
    .addOption(
      new Option('--zone <file>', 'answer names under this RFC 1035 zone file from it (repeatable)').argParser(collect),
    )
    .option('--offline', 'never touch the network for DNS: names outside every --zone are NXDOMAIN')
    .option('--timeout <ms>', 'per DNS question, its retries included, and per SMTP step (default 5000)', undefined)
    .option('--json', 'machine output on stdout (NDJSON for streams and several targets)')
    .option('--no-color', 'no colour (also NO_COLOR, FORCE_COLOR, non-TTY stdout)')
    .option('-v, --verbose', 'show every DNS query and SMTP line as it happens, and the full report');
}
