// `checkDnssec`: DS for the domain (else its organizational domain), the DNSKEYs the DS points at, and whether a
// validating resolver set AD on the answers (RFC 4035 §3.2.3). DNS only through ctx.resolver.
import type { Context } from '../../core/context.js';
import { traceResolver } from '../../dns/trace.js';
import { recordsOf, type DnskeyRecord, type Lookup, type LookupStatus } from '../../dns/types.js';
import { organizationalDomain } from '../shared/org-domain.js';
import { dnssecFindings } from './lint.js';
import { ALGORITHMS, DIGESTS, algorithmName, dsMatch, keyTag } from './record.js';
import type { DnssecResult } from './types.js';

export async function checkDnssec(domain: string, ctx: Pick<Context, 'resolver'>): Promise<DnssecResult> {
  const trace = traceResolver(ctx.resolver);
  const org = organizationalDomain(domain);
  let zone = domain;
  let ds = await trace.lookup(domain, 'DS');
  // DS exists only at zone cuts: a host name inside a zone has none, so ask its organizational domain too.
  if ((ds.status === 'nodata' || ds.status === 'nxdomain') && org !== domain) {
    zone = org;
    ds = await trace.lookup(org, 'DS');
  }
  const source = sourceOf(ds);
  const dsRecords = recordsOf(ds);
  let dnskeyLookup: LookupStatus | null = null;
  let keys: DnskeyRecord[] = [];
  let validated = ds.status === 'ok' && ds.ad;
  // A zone file answers for free; over the network the keys are only worth a query when a DS points at them.
  if (dsRecords.length || source === 'zone') {
    const k = await trace.lookup(dsRecords.length ? zone : domain, 'DNSKEY');
    dnskeyLookup = k.status;
    keys = recordsOf(k);
    validated ||= k.status === 'ok' && k.ad;
  }
  const base: Omit<DnssecResult, 'findings' | 'steps'> = {
    kind: 'dnssec',
    domain,
    zone,
    source,
    dsLookup: ds.status,
    dnskeyLookup,
    signed: signedBy(ds.status, dsRecords.length),
    validated,
    ds: dsRecords.map((d) => {
      const m = keys.length ? dsMatch(zone, d, keys) : { matched: null, computable: false };
      return {
        ...d,
        algorithmName: algorithmName(d.algorithm),
        digestName: DIGESTS[d.digestType]?.name ?? `digest ${d.digestType}`,
        matched: m.computable && keys.length ? m.matched !== null : null,
      };
    }),
    dnskeys: keys.map((k) => ({
      keyTag: keyTag(k),
      flags: k.flags,
      algorithm: k.algorithm,
      algorithmName: ALGORITHMS[k.algorithm]?.name ?? `algorithm ${k.algorithm}`,
      sep: (k.flags & 1) === 1,
    })),
  };
  return { ...base, findings: dnssecFindings(base), steps: trace.steps };
}

/** Signed when DS records exist, unsigned when the DS lookup says none exist, unknown when it failed. */
function signedBy(status: LookupStatus, dsCount: number): boolean | null {
  if (status === 'ok') return dsCount > 0;
  if (status === 'nodata' || status === 'nxdomain') return false;
  return null;
}

function sourceOf(l: Lookup<unknown>): DnssecResult['source'] {
  if (l.server.startsWith('zone:')) return 'zone';
  if (l.server === 'offline') return 'offline';
  return 'resolver';
}
