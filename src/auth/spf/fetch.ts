// Record lookup and selection (RFC 7208 §4.4, §4.5): the TXT records of a name, those that start with
// "v=spf1", and what it means when there are none or several. I/O only through the given resolver.
import { isTemporary, txtJoin, type Resolver } from '../../dns/types.js';
import { isSpfRecord } from './record.js';

export type SpfFetch =
  | { status: 'ok'; record: string; strings: string[]; txt: string[] }
  /** No SPF record: the name exists but has no "v=spf1" TXT (txt lists what is there). */
  | { status: 'none'; txt: string[] }
  | { status: 'nxdomain'; txt: [] }
  | { status: 'multiple'; records: string[]; txt: string[] }
  | { status: 'temporary'; error: string };

export async function fetchSpfRecord(resolver: Resolver, domain: string): Promise<SpfFetch> {
  const answer = await resolver.lookup(domain, 'TXT');
  if (isTemporary(answer)) {
    return {
      status: 'temporary',
      error: `TXT ${domain}: ${answer.status.toUpperCase()} from ${answer.server}${answer.error ? ` (${answer.error})` : ''}`,
    };
  }
  if (answer.status === 'nxdomain') return { status: 'nxdomain', txt: [] };
  const all = answer.status === 'ok' ? answer.records : [];
  const txt = all.map(txtJoin);
  const spf = all.filter((strings) => isSpfRecord(txtJoin(strings)));
  if (spf.length === 0) return { status: 'none', txt };
  // Several records is a permerror, even when identical (RFC 7208 §4.5; suite case multispf1).
  if (spf.length > 1) return { status: 'multiple', records: spf.map(txtJoin), txt };
  return { status: 'ok', record: txtJoin(spf[0]!), strings: spf[0]!, txt };
}
