// `mailcheck probe <target>`: parse flags → probeTarget → render. Also the SMTP flag parsers `send` shares.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { MailcheckEvent } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { isValidDomain, toALabel } from '../../core/names.js';
import { definedOnly } from '../../core/object.js';
import { probeTarget } from '../../probe/check.js';
import type { ProbeOptions, TlsMode } from '../../probe/types.js';
import { toJson } from '../../report/json.js';
import { renderProbe } from '../../report/text/probe.js';
import { readCaFiles } from '../ca-files.js';
import { createContext, type CliContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import { parsePortNumber } from '../options.js';
import { startSpinner } from '../spinner.js';
import type { GlobalOptions } from '../global-options.js';

export interface ProbeCliOptions extends GlobalOptions {
  port?: string;
  tls?: TlsMode;
  helo?: string;
  all?: boolean;
  relayTest?: boolean;
  relayTo?: string;
  authTest?: boolean;
  ca?: string[];
  transcript?: boolean;
  tlsAudit?: boolean;
  budget?: string;
}

export async function run(target: string, opts: ProbeCliOptions): Promise<number> {
  const port = parsePort(opts.port ?? '25');
  const name = parseTarget(target);
  const helo = parseHelo(opts.helo);
  const ca = await readCaFiles(opts.ca ?? []);
  const budgetMs = parseBudget(opts.budget ?? '60000');
  if (opts.relayTo !== undefined && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(opts.relayTo))
    throw new UsageError(`--relay-to '${opts.relayTo}' is not an email address`);
  // Brief unless -v (probe's --all means every MX host; --transcript adds the conversation).
  const ctx = await createContext(opts, { brief: true });
  const spin = await spinner(ctx, `Probing ${name}`);
  try {
    const probeOptions: ProbeOptions = definedOnly({
      port,
      tls: opts.tls || undefined,
      helo: helo || undefined,
      all: Boolean(opts.all),
      relayTest: Boolean(opts.relayTest),
      authTest: opts.authTest !== false,
      relayRecipient: opts.relayTo || undefined,
      ca,
    });
    if (opts.tlsAudit) probeOptions.tlsAudit = { budgetMs };
    const result = await probeTarget(name, spin.ctx, probeOptions);
    spin.stop();
    process.stdout.write(
      ctx.json
        ? toJson(result)
        : renderProbe(result, ctx.theme, {
            steps: ctx.verbose,
            // Asked for, or nothing else shows it (-v printed it live; a brief report leaves it out).
            transcript: opts.transcript ?? false,
          }),
    );
    return exitCode([result]);
  } finally {
    spin.stop();
  }
}

function parseBudget(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1000 || Number(v) > 3_600_000)
    throw new UsageError(`--budget '${v}' is not a whole number of milliseconds from 1000 to 3600000`);
  return Number(v);
}

export function parsePort(v: string, what = '--port'): number {
  return parsePortNumber(v, what);
}

/** A domain or host name (to A-labels), or an IP address (bare, or [bracketed]). */
export function parseTarget(target: string): string {
  const ip = target.trim().replace(/^\[|\]$/g, '');
  if (isIP(ip)) return ip;
  return toALabel(target, 'target');
}

/** EHLO argument: a host name or an address literal (RFC 5321 §4.1.3); default this host's FQDN when it has one. */
export function parseHelo(v: string | undefined): string | undefined {
  if (v !== undefined) {
    if (!/^\[(IPv6:)?[0-9a-fA-F:.]+\]$/.test(v) && !isValidDomain(v))
      throw new UsageError(`--helo '${v}' is not a host name or an address literal like [192.0.2.1]`);
    return v;
  }
  const own = hostname();
  return own.includes('.') && isValidDomain(own) ? own.toLowerCase() : undefined;
}

/** The spinner (src/cli/spinner.ts), fed by the SMTP events: its text follows the dialogue. */
export async function spinner(ctx: CliContext, text: string): Promise<{ ctx: CliContext; stop(): void }> {
  const s = await startSpinner(ctx, text);
  if (!s) return { ctx, stop: () => {} };
  const onEvent = (e: MailcheckEvent) => {
    ctx.onEvent(e);
    if (e.type === 'smtp.line')
      s.text = `${text}: ${e.host} ${e.dir === 'C' ? '→' : '←'} ${e.line.slice(0, 60).replace(/[^\x20-\x7e]/g, '?')}`;
  };
  return { ctx: { ...ctx, onEvent }, stop: () => s.stop() };
}
