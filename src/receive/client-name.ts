// The connecting client's name through our resolver (so --zone and --resolver apply): PTR, then forward-
// confirmed (the name's A/AAAA include the address), as Postfix and RFC 8601 §3 "iprev" do.
import type { Resolver } from '../dns/types.js';
import { expandIpv6, isTemporary, reverseName } from '../dns/types.js';

export interface ClientName {
  /** A PTR name whose A/AAAA records include the address; null when there is none. */
  name: string | null;
  /** Every PTR name published for the address. */
  ptr: string[];
  /** 'pass' (forward-confirmed), 'fail' (no PTR, or none points back), 'temperror'. */
  iprev: 'pass' | 'fail' | 'temperror';
}

const MAX_PTR = 10; // RFC 8601 §3: bound the work a hostile PTR set can cause

export async function lookupClientName(ip: string, resolver: Resolver): Promise<ClientName> {
  const answer = await resolver.lookup(reverseName(ip), 'PTR');
  if (isTemporary(answer)) return { name: null, ptr: [], iprev: 'temperror' };
  const ptr = answer.status === 'ok' ? answer.records.map((r) => r.toLowerCase().replace(/\.$/, '')) : [];
  const family = ip.includes(':') ? 'AAAA' : 'A';
  let temporary = false;
  for (const name of ptr.slice(0, MAX_PTR)) {
    const forward = await resolver.lookup(name, family);
    if (isTemporary(forward)) temporary = true;
    if (forward.status === 'ok' && forward.records.some((a) => sameAddress(a, ip))) return { name, ptr, iprev: 'pass' };
  }
  return { name: null, ptr, iprev: temporary ? 'temperror' : 'fail' };
}

function sameAddress(a: string, b: string): boolean {
  return a.includes(':') && b.includes(':') ? expandIpv6(a) === expandIpv6(b) : a === b;
}
