// The Organizational Domain of RFC 7489 §3.2: the public suffix plus one label, from the Public Suffix
// List via tldts, with the same options mailauth uses (ICANN and private sections).
import { getDomain } from 'tldts';

/** Organizational domain of an A-label domain; the domain itself when it is a public suffix or unknown. */
export function organizationalDomain(domain: string): string {
  const d = domain.toLowerCase().replace(/\.$/, '');
  // RFC 7489 §3.2 step 3: no matching suffix rule → the "*" rule, i.e. the last label is the suffix;
  // tldts applies that too. A name that is itself a public suffix has no org domain above it.
  return getDomain(d, { allowIcannDomains: true, allowPrivateDomains: true }) ?? d;
}
