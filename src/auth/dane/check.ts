// `checkDane`: TLSA records at _25._tcp.<mx> for each MX host (RFC 7672), looked up only where DANE applies:
// a DNSSEC-validated MX RRset, or a zone known to be signed, or a local zone file. `withServedChains` adds
// the comparison with the certificates the hosts serve. DNS only through ctx.resolver.
import type { Context } from '../../core/context.js';
import { definedOnly } from '../../core/object.js';
import { traceResolver } from '../../dns/trace.js';
import { recordsOf } from '../../dns/types.js';
import { MX_EXCHANGE_LIMIT, sortMx } from '../../mx/check.js';
import { daneFindings } from './lint.js';
import { associationData, describeTlsa, tlsaMatches, tlsaProblem } from './record.js';
import type { ServedChain } from './served-chain.js';
import type { DaneHost, DaneResult } from './types.js';

export interface CheckDaneOptions {
  /** The domain is known to be DNSSEC-signed (from checkDnssec): look for TLSA even when the resolver sets no AD. */
  signed?: boolean;
  port?: number;
}

export async function checkDane(
  domain: string,
  ctx: Pick<Context, 'resolver'>,
  opts: CheckDaneOptions = {},
): Promise<DaneResult> {
  const trace = traceResolver(ctx.resolver);
  const port = opts.port ?? 25;
  const mx = await trace.lookup(domain, 'MX');
  const server = mx.server;
  let source: DaneResult['source'] = 'resolver';
  if (server.startsWith('zone:')) source = 'zone';
  else if (server === 'offline') source = 'offline';
  const mxSecure = mx.status === 'ok' && mx.ad;
  let exchanges = [
    ...new Set(
      recordsOf(mx)
        .map((r) => r.exchange)
        .filter((x) => x !== ''),
    ),
  ];
  // The same bound as the MX check: a hostile RRset of 1,000 hosts must not cost 1,000 TLSA queries.
  let unchecked = 0;
  if (exchanges.length > MX_EXCHANGE_LIMIT) {
    const best = new Set(sortMx(recordsOf(mx)).map((r) => r.exchange));
    best.delete('');
    exchanges = [...best].slice(0, MX_EXCHANGE_LIMIT);
    unchecked = best.size - exchanges.length;
  }
  // An insecure MX RRset means senders never ask for TLSA, so neither do we (one query fewer per host at scale);
  // a zone file is checked anyway, since that is where a DANE deployment is prepared.
  const applicable = mx.status === 'ok' && (mxSecure || opts.signed === true || source === 'zone');
  const hosts: DaneHost[] = applicable
    ? await Promise.all(
        exchanges.map(async (exchange) => {
          const name = `_${port}._tcp.${exchange}`;
          const t = await trace.lookup(name, 'TLSA');
          return {
            exchange,
            name,
            lookup: t.status,
            secure: t.status === 'ok' && t.ad,
            records: recordsOf(t).map((r) => {
              const problem = tlsaProblem(r);
              return definedOnly({
                ...r,
                usable: problem === null,
                problem: problem || undefined,
                text: describeTlsa(r),
              });
            }),
          };
        }),
      )
    : [];
  const base: Omit<DaneResult, 'findings' | 'steps'> = {
    kind: 'dane',
    domain,
    mxLookup: mx.status,
    mxSecure,
    applicable,
    source,
    hosts,
  };
  if (unchecked && applicable) base.hostsUnchecked = unchecked;
  return { ...base, findings: daneFindings(base), steps: trace.steps };
}

/** Hosts worth a TLS handshake for DANE: those with usable TLSA records. */
export function hostsToMatch(r: DaneResult): string[] {
  return r.hosts.filter((h) => h.records.some((t) => t.usable)).map((h) => h.exchange);
}

/** The result with each host's served chain compared against its TLSA records, and the findings redone. */
export function withServedChains(r: DaneResult, chains: ReadonlyMap<string, ServedChain>): DaneResult {
  const hosts = r.hosts.map((h) => {
    const served = chains.get(h.exchange);
    if (!served) return h;
    if (!served.ok)
      return {
        ...h,
        match: { checked: false, matched: false, record: null, error: served.message, temporary: served.temporary },
      };
    const hit = h.records.find((t) => tlsaMatches(t, served.chain));
    const leaf = served.chain[0];
    const spki = leaf ? associationData(leaf, 1, 1) : null;
    return {
      ...h,
      match: definedOnly({
        checked: true,
        matched: Boolean(hit),
        record: hit ? hit.text : null,
        expected: spki ? `3 1 1 ${spki}` : undefined,
      }),
    };
  });
  const base = { ...r, hosts };
  return { ...base, findings: daneFindings(base) };
}
