// --zone and --offline: names under a zone's origin are answered from it (authoritative),
// everything else goes to the network resolver, or is NXDOMAIN when offline.
import type { MailcheckEvent } from '../core/context.js';
import type { Lookup, RRType, RecordOf, Resolver } from './types.js';
import type { Zone } from './zone/types.js';
import { zoneResolver } from './zone/resolver.js';

/** Never touches the network: every name is NXDOMAIN. */
export function offlineResolver(onEvent?: (e: MailcheckEvent) => void): Resolver {
  return {
    async lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
      onEvent?.({
        type: 'dns.query',
        name,
        qtype: type,
        server: 'offline',
        transport: 'offline',
        status: 'nxdomain',
        ms: 0,
      });
      return { status: 'nxdomain', server: 'offline', cnames: [], aa: false, ad: false };
    },
  };
}

export function layered(zones: readonly Zone[], fallback: Resolver, onEvent?: (e: MailcheckEvent) => void): Resolver {
  if (zones.length === 0) return fallback;
  const local = zoneResolver(zones, { outside: fallback, onEvent });
  return {
    lookup: (name, type, o) => (local.zoneFor(name) ? local.lookup(name, type, o) : fallback.lookup(name, type, o)),
  };
}
