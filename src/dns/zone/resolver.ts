// Answers authoritatively from parsed zones: names at or under an origin get records, NODATA or NXDOMAIN;
// CNAMEs are followed (out-of-zone targets through `outside`); wildcards as RFC 4592 §4 says.
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from '../types.js';
import type { MailcheckEvent } from '../../core/context.js';
import { normalizeName } from '../../core/names.js';
import type { Zone, ZoneRecord } from './types.js';

export interface ZoneResolver extends Resolver {
  /** The zone whose origin is the longest suffix of `name`, if any. */
  zoneFor(name: string): Zone | undefined;
}

const MAX_CNAME_HOPS = 8;

export function zoneResolver(
  zones: readonly Zone[],
  opts: { outside?: Resolver; onEvent?: (e: MailcheckEvent) => void } = {},
): ZoneResolver {
  // Index per zone: name → records, and every name that exists (including empty non-terminals).
  const indexed = zones.map((zone) => {
    const byName = new Map<string, ZoneRecord[]>();
    const existing = new Set<string>();
    for (const r of zone.records) {
      const list = byName.get(r.name) ?? [];
      list.push(r);
      byName.set(r.name, list);
      for (let n = r.name; n && inZone(n, zone.origin); n = parent(n)) existing.add(n);
    }
    existing.add(zone.origin);
    // RFC 2308 §5: a negative answer may be cached for min(SOA TTL, SOA MINIMUM); with no SOA, not at all.
    const soa = byName.get(zone.origin)?.find((r) => r.type === 'SOA');
    const negativeTtl = soa ? Math.min(soa.ttl, (soa.data as { minimum: number }).minimum) : undefined;
    return { zone, byName, existing, negativeTtl };
  });

  const find = (name: string) => {
    let best: (typeof indexed)[number] | undefined;
    for (const z of indexed) {
      if (inZone(name, z.zone.origin) && (!best || z.zone.origin.length > best.zone.origin.length)) best = z;
    }
    return best;
  };

  async function lookup<T extends RRType>(qname: string, type: T, o: LookupOptions = {}): Promise<Lookup<RecordOf<T>>> {
    const start = performance.now();
    const cnames: string[] = [];
    let name = normalizeName(qname);
    for (let hop = 0; ; hop++) {
      const z = find(name);
      if (!z) {
        // A CNAME left our zones: the rest of the chain is the outside world's (or NXDOMAIN offline).
        if (!opts.outside) return { status: 'nxdomain', server: 'offline', cnames, aa: false, ad: false };
        const rest = await opts.outside.lookup(name, type, o);
        return rest.status === 'ok' || rest.status === 'nxdomain' || rest.status === 'nodata'
          ? { ...rest, cnames: [...cnames, ...rest.cnames] }
          : rest;
      }
      const server = `zone:${z.zone.origin || '.'}`;
      const here = z.byName.get(name) ?? (z.existing.has(name) ? [] : wildcard(z, name));
      const emit = (status: string, answers: number) =>
        opts.onEvent?.({
          type: 'dns.query',
          name,
          qtype: type,
          server,
          transport: 'zone',
          status,
          flags: { aa: true, ad: false, tc: false },
          answers,
          ms: performance.now() - start,
        });
      if (here === undefined) {
        emit('nxdomain', 0);
        return negative({ status: 'nxdomain', server, cnames, aa: true, ad: false }, z.negativeTtl);
      }
      const matches = here.filter((r) => r.type === type);
      if (matches.length) {
        emit('ok', matches.length);
        return {
          status: 'ok',
          records: matches.map((r) => r.data as RecordOf<T>),
          ttl: Math.min(...matches.map((r) => r.ttl)),
          server,
          cnames,
          aa: true,
          ad: false,
        };
      }
      const cname = here.find((r) => r.type === 'CNAME');
      if (cname && type !== 'CNAME' && !o.noFollow) {
        emit('cname', 1);
        cnames.push(name);
        const target = cname.data as string;
        if (cnames.includes(target) || hop >= MAX_CNAME_HOPS) {
          return {
            status: 'servfail',
            server,
            error: `CNAME loop or chain longer than ${MAX_CNAME_HOPS} at ${name}`,
            cnames,
          };
        }
        name = target;
        continue;
      }
      emit('nodata', 0);
      return negative({ status: 'nodata', server, cnames, aa: true, ad: false }, z.negativeTtl);
    }
  }

  return {
    lookup,
    zoneFor: (name) => find(normalizeName(name))?.zone,
  };
}

/** RFC 4592: the source of synthesis is `*.<closest encloser>`; returns undefined when the name does not exist. */
function wildcard(
  z: { zone: Zone; byName: Map<string, ZoneRecord[]>; existing: Set<string> },
  name: string,
): ZoneRecord[] | undefined {
  let encloser = parent(name);
  while (encloser && !z.existing.has(encloser) && inZone(encloser, z.zone.origin)) encloser = parent(encloser);
  if (!z.existing.has(encloser)) return undefined;
  const wild = z.byName.get(encloser ? `*.${encloser}` : '*');
  return wild?.map((r) => ({ ...r, name }));
}

export function inZone(name: string, origin: string): boolean {
  return origin === '' || name === origin || name.endsWith(`.${origin}`);
}

function parent(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

/** A negative answer with the zone's negative TTL as an extra `ttl`, as the network resolver gives it (network.ts). */
function negative<L extends object>(answer: L, ttl: number | undefined): L {
  if (ttl !== undefined) Object.assign(answer, { ttl });
  return answer;
}
