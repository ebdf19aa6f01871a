// Where a CNAME chain leads. A lookup lists the aliases it followed (their owner names, RFC 1034 §3.6.2); a report
// about an alias wants their targets: the name a CNAME MX really is, or the name a dangling alias points to.
import { recordsOf, type Resolver } from './types.js';

/**
 * The targets of a followed chain, in order: for owners a → b (a CNAME b, b CNAME c) that is [b, c]. The last
 * target is read with one CNAME query (the answer being followed never names it); when that query fails (a timeout
 * racing the budget), the list ends at the last name known, the last alias. Empty for an empty chain.
 */
export async function cnameTargets(resolver: Resolver, owners: readonly string[]): Promise<string[]> {
  if (!owners.length) return [];
  const lastOwner = owners[owners.length - 1]!;
  const target = recordsOf(await resolver.lookup(lastOwner, 'CNAME', { noFollow: true }))[0];
  if (target === undefined) return owners.length > 1 ? owners.slice(1) : [lastOwner];
  return [...owners.slice(1), target.replace(/\.$/, '').toLowerCase()];
}
