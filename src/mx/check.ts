// The MX → A/AAAA → PTR chain of a domain (RFC 5321 §5.1), with null MX (RFC 7505) and implicit MX.
// I/O only through ctx.resolver; returns plain data with the DNS steps it took.
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import { cnameTargets } from '../dns/cname.js';
import { traceResolver } from '../dns/trace.js';
import { isTemporary, reverseName, type MxRecord, type Resolver } from '../dns/types.js';
import { mxFindings } from './findings.js';
import type { MxAddress, MxHost, MxResult } from './types.js';

export async function checkMx(domain: string, ctx: Pick<Context, 'resolver'>): Promise<MxResult> {
  const trace = traceResolver(ctx.resolver);
  const answer = await trace.lookup(domain, 'MX');
  let mx: MxHost[] = [];
  let implicit = false;
  let nullMx = false;
  if (answer.status === 'ok') {
    const records = sortMx(answer.records);
    nullMx = records.some((r) => r.exchange === '');
    mx = await Promise.all(records.filter((r) => r.exchange !== '').map((r) => resolveExchange(r, trace)));
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
  const found = [
    ...(a.status === 'ok' ? a.records.map((address) => ({ address, family: 4 as const })) : []),
    ...(aaaa.status === 'ok' ? aaaa.records.map((address) => ({ address, family: 6 as const })) : []),
  ];
  const [cnames, addresses] = await Promise.all([
    cnameTargets(resolver, owners),
    Promise.all(found.map((f) => reverseCheck(f.address, f.family, resolver))),
  ]);
  const status: MxHost['status'] = addresses.length
    ? 'ok'
    : isTemporary(a) || isTemporary(aaaa)
      ? 'temporary'
      : a.status === 'nxdomain'
        ? 'nxdomain'
        : 'no-address';
  return { ...base, cnames, addresses, status };
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
  return { address, family, ptr: names, fcrdns, ...(isTemporary(ptr) ? { ptrStatus: ptr.status } : {}) };
}

function sameAddress(a: string, b: string): boolean {
  return (
    a.toLowerCase() === b.toLowerCase() || (a.includes(':') && b.includes(':') && reverseName(a) === reverseName(b))
  );
}
