// The DNS facts the bulk-sender rules ask about the delivering connection, through our resolver: forward-confirmed
// reverse DNS of the client IP (Gmail: "valid forward and reverse DNS records"; Yahoo the same), and whether the
// HELO name resolves (RFC 5321 §4.1.1.1 asks for the client's FQDN there).
import { isIP } from 'node:net';
import { isValidDomain } from '../../core/names.js';
import type { Resolver } from '../../dns/types.js';
import { isTemporary } from '../../dns/types.js';
import { lookupClientName, type ClientName } from '../../receive/client-name.js';
import type { ConnectionFacts } from './types.js';

export interface HeloCheck {
  name: string;
  /** resolves: A or AAAA records; literal: an address literal; invalid: not a host name; none: NXDOMAIN/NODATA. */
  status: 'resolves' | 'literal' | 'invalid' | 'none' | 'temperror';
  addresses: string[];
}

export interface ConnectionLookups {
  client: ClientName | null;
  helo: HeloCheck | null;
}

/** Never rejects: it is started before DKIM and SPF and awaited after them, and a failed lookup is temporary. */
export async function lookupConnection(facts: ConnectionFacts | null, resolver: Resolver): Promise<ConnectionLookups> {
  const found = await Promise.all([
    facts?.client ??
      (facts?.ip
        ? lookupClientName(facts.ip, resolver).catch((): ClientName => ({ name: null, ptr: [], iprev: 'temperror' }))
        : null),
    facts?.helo ? heloCheck(facts.helo, resolver) : null,
  ]);
  return { client: found[0], helo: found[1] };
}

/** checkHelo that never rejects: a lookup that fails is a temporary error (receive asks it once a session). */
export function heloCheck(helo: string, resolver: Resolver): Promise<HeloCheck> {
  return checkHelo(helo, resolver).catch((): HeloCheck => ({ name: helo, status: 'temperror', addresses: [] }));
}

export async function checkHelo(helo: string, resolver: Resolver): Promise<HeloCheck> {
  const name = helo.replace(/\.$/, '');
  if (/^\[.*\]$/.test(name) || isIP(name)) return { name: helo, status: 'literal', addresses: [] };
  if (!name.includes('.') || !isValidDomain(name)) return { name: helo, status: 'invalid', addresses: [] };
  const answers = await Promise.all([resolver.lookup(name, 'A'), resolver.lookup(name, 'AAAA')]);
  const addresses = answers.flatMap((a) => (a.status === 'ok' ? (a.records as string[]) : []));
  if (addresses.length) return { name: helo, status: 'resolves', addresses };
  if (answers.some(isTemporary)) return { name: helo, status: 'temperror', addresses: [] };
  return { name: helo, status: 'none', addresses: [] };
}
