// The MX → A/AAAA → PTR chain of a domain (RFC 5321 §5.1), with null MX (RFC 7505) and implicit MX.
// I/O only through ctx.resolver; returns plain data with the DNS steps it took. The work per answer is bounded:
// a hostile MX RRset (1,000 exchanges × 100 addresses) must not cost 100,000 queries.
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import { cnameTargets } from '../dns/cname.js';
import { traceResolver } from '../dns/trace.js';
import { expandIpv6, isTemporary, reverseName, type MxRecord, type Resolver } from '../dns/types.js';
import { mxFindings } from './findings.js';
import type { MxAddress, MxHost, MxResult } from './types.js';

/**
 * Exchanges whose addresses are looked up, in preference order. A sender tries far fewer (Postfix:
 * smtp_mx_address_limit 5 addresses per delivery; Exim: hosts_max_try 5) but shuffles equal preferences between
 * deliveries, so a check looks further than one delivery does; large providers publish 1 to 5 MX records.
 */
export const MX_EXCHANGE_LIMIT = 10;
/** Addresses per exchange that are reverse-checked and kept (round-robin pools of large providers stay under it). */
export const MX_ADDRESS_LIMIT = 10;

export async function checkMx(domain: string, ctx: Pick<Context, 'resolver'>): Promise<MxResult> {
  const trace = traceResolver(ctx.resolver);
  const answer = await trace.lookup(domain, 'MX');
  let mx: MxHost[] = [];
  let implicit = false;
  let nullMx = false;
  if (answer.status === 'ok') {
    const records = sortMx(answer.records);
    nullMx = records.some((r) => r.exchange === '');
    const hosts = records.filter((r) => r.exchange !== '');
    mx = await Promise.all(hosts.slice(0, MX_EXCHANGE_LIMIT).map((r) => resolveExchange(r, trace)));
    for (const r of hosts.slice(MX_EXCHANGE_LIMIT))
      mx.push({ preference: r.preference, exchange: r.exchange, cnames: [], addresses: [], status: 'unchecked' });
  } else if (answer.status === 'nodata') {
    // RFC 5321 §5.1: no MX → the domain itself is the implicit exchange, if it has an address.
    const self = await resolveExchange({ preference: 0, exchange: domain }, trace);
    if (self.addresses.length || self.status === 'temporary') {
      implicit = self.addresses.length > 0;
      mx = [self];
    }
  }
  const result: MxResult = {
    kind: 'mx',
    domain,
    nullMx,
    implicit,
    mx,
    lookup: answer.status,
    findings: [],
    steps: trace.steps,
  };
  result.findings = mxFindings(result, isTemporary(answer) ? answer : undefined);
  return result;
}

export function sortMx(records: MxRecord[]): MxRecord[] {
  return [...records].sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange));
}

async function resolveExchange(r: MxRecord, resolver: Resolver): Promise<MxHost> {
  const base = { preference: r.preference, exchange: r.exchange, cnames: [] as string[] };
  if (isIP(r.exchange.replace(/^\[|\]$/g, ''))) return { ...base, addresses: [], status: 'ip-literal' };
  const [a, aaaa] = await Promise.all([resolver.lookup(r.exchange, 'A'), resolver.lookup(r.exchange, 'AAAA')]);
  const owners = (a.cnames?.length ? a.cnames : aaaa.cnames) ?? [];
  const v4 = a.status === 'ok' ? a.records : [];
  const v6 = aaaa.status === 'ok' ? aaaa.records : [];
  const [keep4, keep6] = addressShare(v4.length, v6.length, MX_ADDRESS_LIMIT);
  const found = [
    ...v4.slice(0, keep4).map((address) => ({ address, family: 4 as const })),
    ...v6.slice(0, keep6).map((address) => ({ address, family: 6 as const })),
  ];
  const [cnames, addresses] = await Promise.all([
    cnameTargets(resolver, owners),
    Promise.all(found.map((f) => reverseCheck(f.address, f.family, resolver))),
  ]);
  const unchecked = v4.length + v6.length - found.length;
  let status: MxHost['status'] = 'no-address';
  if (addresses.length) status = 'ok';
  else if (isTemporary(a) || isTemporary(aaaa)) status = 'temporary';
  else if (a.status === 'nxdomain') status = 'nxdomain';
  const host: MxHost = { preference: r.preference, exchange: r.exchange, cnames, addresses, status };
  if (unchecked) host.addressesUnchecked = unchecked;
  return host;
}

/** How many IPv4 and IPv6 addresses to keep within `limit`: each family gets half, and what one leaves the other. */
export function addressShare(n4: number, n6: number, limit: number): [number, number] {
  const keep4 = Math.min(n4, Math.max(Math.ceil(limit / 2), limit - n6));
  return [keep4, Math.min(n6, limit - keep4)];
}

/** PTR, then forward-confirm: some PTR name must resolve back to the same address (FCrDNS). */
async function reverseCheck(address: string, family: 4 | 6, resolver: Resolver): Promise<MxAddress> {
  const ptr = await resolver.lookup(reverseName(address), 'PTR');
  const names = ptr.status === 'ok' ? ptr.records : [];
  let fcrdns = false;
  for (const name of names.slice(0, 10)) {
    const fwd = await resolver.lookup(name, family === 4 ? 'A' : 'AAAA');
    if (fwd.status === 'ok' && fwd.records.some((x) => sameAddress(x, address))) {
      fcrdns = true;
      break;
    }
  }
  const out: MxAddress = { address, family, ptr: names, fcrdns };
  if (isTemporary(ptr)) out.ptrStatus = ptr.status;
  return out;
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || (a.includes(':') && b.includes(':') && expandIpv6(a) === expandIpv6(b));
}
