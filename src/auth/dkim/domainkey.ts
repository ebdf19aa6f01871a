// Selectors cannot be listed (RFC 6376 §3.6.2.1), but their parent can be asked: when no guessed selector has a key,
// the answer for _domainkey.<domain> tells "keys exist under a selector nobody guessed" (NOERROR: the name exists,
// so names below it do, RFC 8020) from "there is no key at all" (NXDOMAIN). One query, only then.
import { finding } from '../../core/result.js';
import type { LookupStatus, Resolver } from '../../dns/types.js';
import type { DkimFinding } from './lint.js';

export async function probeDomainkey(domain: string, resolver: Resolver): Promise<LookupStatus> {
  return (await resolver.lookup(`_domainkey.${domain}`, 'TXT')).status;
}

/** What the _domainkey answer (when it was asked) says when none of `tried` guessed selectors has a key. */
export function noKeyFinding(domain: string, tried: number, status?: LookupStatus): DkimFinding {
  const name = `_domainkey.${domain}`;
  const advice = `Name the selector: mailcheck dkim ${domain} --selector <s>, or take it from a sent message with --from-message <file.eml>.`;
  if (status === undefined)
    return finding(
      'dkim.none',
      'warn',
      `No DKIM key found for ${domain} among ${tried} common selectors; DKIM has no way to list selectors, so one may exist under another name.`,
      { advice },
    );
  if (status === 'nodata' || status === 'ok') {
    const what =
      status === 'nodata'
        ? `${name} exists with no record of its own (an empty non-terminal), so names below it do`
        : `${name} exists (it holds a TXT record of its own), so keys may be published below it`;
    return finding(
      'dkim.selector.unknown',
      'info',
      `No key among ${tried} common selectors, but ${what}: ${domain} publishes DKIM keys under a selector that was not guessed.`,
      { ref: 'RFC 8020 §2', advice },
    );
  }
  const why =
    status === 'nxdomain'
      ? `and ${name} does not exist (NXDOMAIN), so no selector has a key`
      : `and the lookup of ${name} failed (${status.toUpperCase()}), so one may exist under another name`;
  return finding(
    'dkim.none',
    'warn',
    `No DKIM key found for ${domain} among ${tried} common selectors, ${why}.`,
    status === 'nxdomain' ? { ref: 'RFC 8020 §2', advice } : { advice },
  );
}
