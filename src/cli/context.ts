// Global options → the Context every check gets (resolver stack, timeout, clock, events) and the theme.
// The resolver stack is built once here: cached(layered(zones, network | offline)).
import type { Context, MailcheckEvent } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { parseHostPort, ipFamily } from '../core/names.js';
import { definedOnly } from '../core/object.js';
import { escapeControl } from '../core/text.js';
import type { Resolver } from '../dns/types.js';
import { layered, offlineResolver } from '../dns/layered.js';
import { loadZoneFile } from '../dns/zone/load.js';
import type { Zone } from '../dns/zone/types.js';
import { createTheme, type Theme } from '../report/theme.js';
import type { GlobalOptions } from './global-options.js';
import { parseMilliseconds } from './options.js';

export interface CliContext extends Context {
  theme: Theme;
  json: boolean;
  verbose: boolean;
  zones: Zone[];
  servers: { host: string; port: number }[];
  /** Spinners and progress bars only on a TTY, on stderr, and never with --json. */
  interactive: boolean;
}

export const DEFAULT_TIMEOUT_MS = 5000;

export function parseTimeout(v: string | undefined): number {
  if (v === undefined) return DEFAULT_TIMEOUT_MS;
  return parseMilliseconds(v, '--timeout');
}

export function useColor(opts: GlobalOptions, env = process.env, isTTY = Boolean(process.stdout.isTTY)): boolean {
  if (opts.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/**
 * Columns for text reports: the terminal's; when stdout is not a terminal (pipes, files, CI), $COLUMNS if set,
 * else 80. Never fewer than 40.
 */
export function outputWidth(stdout: { isTTY?: boolean; columns?: number } = process.stdout, env = process.env): number {
  if (stdout.isTTY && stdout.columns) return Math.max(40, stdout.columns);
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? Math.max(40, columns) : 80;
}

/** Stream lines wrap where reports do on a terminal (or at COLUMNS); piped, they stay one line each. */
export function lineWidth(stdout: { isTTY?: boolean; columns?: number } = process.stdout, env = process.env): number {
  return stdout.isTTY || env.COLUMNS ? outputWidth(stdout, env) : Infinity;
}

export function parseServers(list: string[]): { host: string; port: number }[] {
  return list.map((s) => {
    const hp = parseHostPort(s, 53, 'resolver');
    if (!ipFamily(hp.host))
      throw new UsageError(`--resolver '${s}' is not an IP address (use ip, ip:port or [v6]:port)`);
    return hp;
  });
}

/**
 * `brief`: the command's text report leads with the verdict and what to fix (spf, dkim, dmarc, mx, check, probe,
 * verify pass it unless --all); -v always gives the full report. Other commands (demo, send…) are stories told whole.
 */
export async function createContext(opts: GlobalOptions, o: { brief?: boolean } = {}): Promise<CliContext> {
  const timeoutMs = parseTimeout(opts.timeout);
  const json = Boolean(opts.json);
  const verbose = Boolean(opts.verbose);
  const theme = createTheme(useColor(opts), outputWidth(), lineWidth(), o.brief && !verbose ? 'brief' : 'full');
  const onEvent = verbose ? verbosePrinter(theme.dim) : () => {};
  const zones = await Promise.all((opts.zone ?? []).map(loadZoneFile));
  const envServers = process.env.MAILCHECK_RESOLVER?.split(/[\s,]+/).filter(Boolean) ?? [];
  const requested = opts.resolver?.length ? opts.resolver : envServers;
  const servers = parseServers(requested);
  let network: Resolver;
  if (opts.offline) {
    network = offlineResolver(onEvent);
  } else {
    const { networkResolver } = await import('../dns/network.js');
    const { systemServers } = await import('../dns/resolv-conf.js');
    const list = servers.length ? servers : await systemServers();
    // Wire events are built only for someone who prints them (a batch makes tens of thousands).
    network = networkResolver(definedOnly({ servers: list, timeoutMs, onEvent: verbose ? onEvent : undefined }));
    if (!servers.length) servers.push(...list);
  }
  const { cached } = await import('../dns/cache.js');
  const resolver = cached(layered(zones, network, onEvent));
  const fixedNow = process.env.MAILCHECK_NOW ? new Date(process.env.MAILCHECK_NOW) : undefined;
  return {
    resolver,
    timeoutMs,
    onEvent,
    theme,
    json,
    verbose,
    zones,
    servers,
    now: () => (fixedNow ? new Date(fixedNow) : new Date()),
    interactive: Boolean(process.stderr.isTTY) && !json && process.env.CI === undefined,
  };
}

/** --verbose: every DNS query and SMTP line, live, on stderr (network text escaped). */
export function verbosePrinter(dim: (s: string) => string, write = (s: string) => process.stderr.write(s)) {
  return (e: MailcheckEvent) => {
    switch (e.type) {
      case 'dns.query': {
        const flags = e.flags ? ['aa', 'ad', 'tc'].filter((f) => e.flags![f as 'aa']).join(' ') : '';
        // The name too: an MX exchange, a CNAME target or a PTR name queried next comes from someone's DNS.
        const name = escapeControl(e.name);
        write(
          dim(
            `; ${escapeControl(e.qtype)} ${name} @${escapeControl(e.server)} ${e.transport} → ${escapeControl(e.rcode ?? e.status)}${flags ? ` [${flags}]` : ''}${e.answers !== undefined ? ` ${e.answers} answer(s)` : ''}${e.ttl !== undefined ? ` ttl=${e.ttl}` : ''} ${e.ms.toFixed(1)} ms${e.error ? ` (${escapeControl(e.error)})` : ''}`,
          ) + '\n',
        );
        break;
      }
      case 'smtp.line':
        write(dim(`${e.dir === 'C' ? 'C:' : 'S:'} ${escapeControl(e.line)}`) + '\n');
        break;
      case 'log':
        write(dim(escapeControl(e.message)) + '\n');
        break;
      default:
        break;
    }
  };
}
