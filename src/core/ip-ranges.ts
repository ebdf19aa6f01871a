// Where an address points (an MX host's, an HTTPS policy host's): public unicast, private (RFC 1918, RFC 6598,
// RFC 4193), or a range that can never receive mail from the internet (loopback, link-local, multicast,
// documentation: RFC 5735, RFC 6890).
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'reserved' | 'unroutable';

export function classifyAddress(address: string): { class: AddressClass; range: string } {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  switch (range) {
    case 'unicast':
      return { class: 'public', range };
    case 'private':
    case 'carrierGradeNat':
    case 'uniqueLocal':
      return { class: 'private', range };
    case 'loopback':
    case 'unspecified':
    case 'linkLocal':
    case 'multicast':
    case 'broadcast':
      return { class: 'unroutable', range };
    default:
      // TEST-NET, benchmarking, 2001:db8::/32 and the like: valid syntax, never a real mail server.
      return { class: 'reserved', range };
  }
}
