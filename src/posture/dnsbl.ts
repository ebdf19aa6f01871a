// DNS blocklists (RFC 5782): each MX address looked up as <reversed address>.<list zone>; an A answer in
// 127.0.0.0/8 means listed (TXT gives the reason), NXDOMAIN means not listed. Codes a list uses to say "refused"
// (Spamhaus' 127.255.255.x) are no verdict, never "clean".
import type { Context } from '../core/context.js';
import { finding, type Finding, type Step } from '../core/result.js';
import { traceResolver } from '../dns/trace.js';
import { isTemporary, recordsOf, reverseName, txtJoin } from '../dns/types.js';

export interface DnsblListing {
  exchange: string;
  address: string;
  zone: string;
  /** The name asked: 2.0.0.127.zen.example. */
  name: string;
  /** true listed, false not listed, null no verdict. */
  listed: boolean | null;
  codes: string[];
  reason: string | null;
  /** Why there is no verdict. */
  error?: string;
}

export interface DnsblResult {
  kind: 'dnsbl';
  zones: string[];
  listings: DnsblListing[];
  findings: Finding[];
  steps: Step[];
}

/** The part of the reverse name above in-addr.arpa / ip6.arpa (RFC 5782 §2.1, §2.4). */
export function dnsblName(address: string, zone: string): string {
  return `${reverseName(address).replace(/\.(in-addr|ip6)\.arpa$/, '')}.${zone}`;
}

export async function checkDnsbl(
  hosts: { exchange: string; address: string }[],
  zones: string[],
  ctx: Pick<Context, 'resolver'>,
): Promise<DnsblResult> {
  const trace = traceResolver(ctx.resolver);
  const listings = await Promise.all(
    hosts.flatMap((h) =>
      zones.map(async (zone): Promise<DnsblListing> => {
        const name = dnsblName(h.address, zone);
        const base = { exchange: h.exchange, address: h.address, zone, name, codes: [] as string[], reason: null };
        const a = await trace.lookup(name, 'A');
        if (a.status === 'nxdomain' || a.status === 'nodata') return { ...base, listed: false };
        if (isTemporary(a)) return { ...base, listed: null, error: `${a.status.toUpperCase()} from ${a.server}` };
        const codes = recordsOf(a);
        // RFC 5782 §2.1: listings are 127.0.0.2 and up; 127.255.255.0/24 is how lists signal a refused query.
        if (codes.every((c) => c.startsWith('127.255.255.') || !c.startsWith('127.'))) {
          return {
            ...base,
            codes,
            listed: null,
            error: `the list answered ${codes.join(', ')}, which signals a refused or invalid query (public resolvers are often refused)`,
          };
        }
        const txt = await trace.lookup(name, 'TXT');
        return { ...base, codes, listed: true, reason: recordsOf(txt).map(txtJoin).join(' ') || null };
      }),
    ),
  );
  return { kind: 'dnsbl', zones, listings, findings: dnsblFindings(listings), steps: trace.steps };
}

export function dnsblFindings(listings: DnsblListing[]): Finding[] {
  const out: Finding[] = [];
  for (const l of listings) {
    if (l.listed === true) {
      out.push(
        finding(
          'dnsbl.listed',
          'fail',
          `${l.address} (${l.exchange}) is listed on ${l.zone} (${l.codes.join(', ')})${l.reason ? `: ${l.reason}` : ''}.`,
          { ref: 'RFC 5782', advice: `Find out why, fix it, and ask ${l.zone} for delisting.` },
        ),
      );
    } else if (l.listed === null) {
      out.push(
        finding('dnsbl.unknown', 'warn', `No verdict from ${l.zone} for ${l.address} (${l.exchange}): ${l.error}.`, {
          temporary: true,
        }),
      );
    }
  }
  if (listings.length && listings.every((l) => l.listed === false)) {
    const addresses = new Set(listings.map((l) => l.address)).size;
    const zones = new Set(listings.map((l) => l.zone)).size;
    out.push(
      finding(
        'dnsbl.clean',
        'ok',
        `${addresses} MX address${addresses > 1 ? 'es' : ''} listed on none of ${zones} blocklist${zones > 1 ? 's' : ''}.`,
      ),
    );
  }
  return out;
}
