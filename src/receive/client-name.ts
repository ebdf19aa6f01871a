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
  // Only a host name can be the client's name: it goes into Received: (RFC 5321 §4.4 TCP-info), where a PTR
  // of "evil) by mx.bank.example (via.x" would forge a clause. Anything else is not even looked up.
  for (const name of ptr.filter(isHostName).slice(0, MAX_PTR)) {
    const forward = await resolver.lookup(name, family);
    if (isTemporary(forward)) temporary = true;
    if (forward.status === 'ok' && forward.records.some((a) => sameAddress(a, ip))) return { name, ptr, iprev: 'pass' };
  }
  return { name: null, ptr, iprev: temporary ? 'temperror' : 'fail' };
}

function sameAddress(a: string, b: string): boolean {
  return a.includes(':') && b.includes(':') ? expandIpv6(a) === expandIpv6(b) : a === b;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/**
 * A syntactically valid host name (RFC 1123 §2.1 letters, digits, hyphens; underscores too, as Postfix's
 * valid_hostname() allows): labels of 1–63 octets, 253 in all, and not all-numeric at the end (which would read
 * as an address).
 */
export function isHostName(name: string): boolean {
  if (!name || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}
