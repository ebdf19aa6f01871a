// Where mail for a domain goes (RFC 5321 §5.1): its MX hosts in preference order (implicit MX when there are
// none, nothing at all for a null MX, RFC 7505) — resolved by checkMx — or one server given with --server.
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import type { Step } from '../core/result.js';
import { traceResolver } from '../dns/trace.js';
import { isTemporary, recordsOf } from '../dns/types.js';
import { checkMx } from '../mx/check.js';
import { classifyAddress } from '../core/ip-ranges.js';

export interface RouteHost {
  exchange: string;
  /** null for --server. */
  preference: number | null;
  addresses: string[];
}

export interface RouteProblem {
  id: 'null-mx' | 'nxdomain' | 'no-mail-host' | 'temporary' | 'private';
  message: string;
  temporary: boolean;
}

export interface Route {
  /** The recipients' domain, or the server for --server. */
  domain: string;
  recipients: string[];
  port: number;
  hosts: RouteHost[];
  implicit: boolean;
  /** MX addresses not tried: loopback, link-local, private or reserved (without --allow-private). */
  refused?: RefusedAddress[];
  problem?: RouteProblem;
}

export interface RefusedAddress {
  exchange: string;
  address: string;
  /** ipaddr.js's range name: loopback, private, linkLocal, uniqueLocal, reserved, … */
  range: string;
}

/**
 * The MX route for one recipient domain. DNS names the hosts, and whoever controls a zone can point an MX at
 * 127.0.0.1, 10.0.0.5 or 169.254.169.254: such addresses are not tried unless `allowPrivate` (the same
 * classification as `mx`'s findings; `--server` is an explicit target and never judged).
 */
export async function mxRoute(
  domain: string,
  recipients: string[],
  port: number,
  ctx: Context,
  o: { allowPrivate?: boolean } = {},
): Promise<{ route: Route; steps: Step[] }> {
  const mx = await checkMx(domain, ctx);
  const base = { domain, recipients, port, implicit: mx.implicit };
  const hosts = mx.mx
    .filter((h) => h.addresses.length)
    .map((h) => ({ exchange: h.exchange, preference: h.preference, addresses: h.addresses.map((a) => a.address) }));
  const refused: RefusedAddress[] = [];
  if (!o.allowPrivate) {
    for (const h of hosts) {
      for (const address of h.addresses) {
        const c = classifyAddress(address);
        if (c.class !== 'public') refused.push({ exchange: h.exchange, address, range: c.range });
      }
    }
  }
  let problem: RouteProblem | undefined;
  if (isTemporary({ status: mx.lookup })) {
    problem = {
      id: 'temporary',
      temporary: true,
      message: `the MX lookup for ${domain} failed (${mx.lookup.toUpperCase()})`,
    };
  } else if (mx.lookup === 'nxdomain') {
    problem = { id: 'nxdomain', temporary: false, message: `${domain} does not exist (NXDOMAIN)` };
  } else if (mx.nullMx && !hosts.length) {
    problem = {
      id: 'null-mx',
      temporary: false,
      message: `${domain} publishes a null MX: it accepts no mail (RFC 7505)`,
    };
  } else if (!hosts.length) {
    const temporary = mx.mx.some((h) => h.status === 'temporary');
    problem = {
      id: temporary ? 'temporary' : 'no-mail-host',
      temporary,
      message: temporary
        ? `the address lookups for ${domain}'s mail hosts failed`
        : `${domain} has no mail host with an address`,
    };
  } else if (refused.length === hosts.reduce((n, h) => n + h.addresses.length, 0)) {
    problem = {
      id: 'private',
      temporary: false,
      message: `every mail host of ${domain} is at a non-public address (${describeRefused(refused)}); not delivering there without --allow-private`,
    };
  }
  const route: Route = { ...base, hosts };
  if (refused.length) route.refused = refused;
  if (problem) route.problem = problem;
  return { route, steps: mx.steps };
}

/** "mx1.example [10.0.0.5] private, mx2.example [127.0.0.1] loopback". */
export function describeRefused(refused: readonly RefusedAddress[]): string {
  return refused.map((r) => `${r.exchange} [${r.address}] ${r.range}`).join(', ');
}

/** --server host[:port]: an IP as is, "localhost" as loopback (RFC 6761 §6.3), a name through A/AAAA. */
export async function serverRoute(
  server: { host: string; port: number },
  recipients: string[],
  ctx: Context,
): Promise<{ route: Route; steps: Step[] }> {
  const base = { domain: server.host, recipients, port: server.port, implicit: false };
  if (isIP(server.host))
    return {
      route: { ...base, hosts: [{ exchange: server.host, preference: null, addresses: [server.host] }] },
      steps: [],
    };
  if (server.host.toLowerCase() === 'localhost')
    return {
      route: { ...base, hosts: [{ exchange: 'localhost', preference: null, addresses: ['127.0.0.1'] }] },
      steps: [],
    };
  const trace = traceResolver(ctx.resolver);
  const [a, aaaa] = await Promise.all([trace.lookup(server.host, 'A'), trace.lookup(server.host, 'AAAA')]);
  const addresses = [...recordsOf(a), ...recordsOf(aaaa)];
  if (addresses.length)
    return { route: { ...base, hosts: [{ exchange: server.host, preference: null, addresses }] }, steps: trace.steps };
  const temporary = isTemporary(a) || isTemporary(aaaa);
  return {
    route: {
      ...base,
      hosts: [],
      problem: {
        id: temporary ? 'temporary' : 'no-mail-host',
        temporary,
        message: temporary ? `the address lookup for ${server.host} failed` : `${server.host} has no A or AAAA record`,
      },
    },
    steps: trace.steps,
  };
}

/** Recipients grouped by domain, in the order first seen. */
export function byDomain(recipients: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of recipients) {
    const d = r.slice(r.lastIndexOf('@') + 1).toLowerCase();
    m.set(d, [...(m.get(d) ?? []), r]);
  }
  return m;
}
