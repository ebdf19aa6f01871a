// A hostile MX RRset for bounded-work tests (issue #13): `exchanges` MX hosts under one domain, each with
// `addresses` IPv4 and as many IPv6 addresses, as a Resolver the loopback test DNS server can serve. Answers are
// made up on the fly: a zone file of 100,000 A records would take the test longer to parse than to run.
import type { Lookup, RRType, RecordOf, Resolver } from '../../src/dns/types.js';

export interface FanOut {
  resolver: Resolver;
  exchange(i: number): string;
}

export function fanOutResolver(domain: string, exchanges: number, addresses: number, v6 = addresses): FanOut {
  const exchange = (i: number) => `mx${String(i).padStart(4, '0')}.${domain}`;
  const meta = { ttl: 300, cnames: [], aa: true, ad: false, server: 'zone:fan-out' };
  const ok = <R>(records: R[]) => ({ status: 'ok' as const, records, ...meta });
  const byName = new Map<string, number>();
  for (let i = 0; i < exchanges; i++) byName.set(exchange(i), i);
  return {
    exchange,
    resolver: {
      async lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
        const n = name.toLowerCase().replace(/\.$/, '');
        const i = byName.get(n);
        let records: unknown[] = [];
        // Preferences descend with i, so the best hosts come last in the answer: the check must sort first.
        if (n === domain && type === 'MX')
          records = Array.from({ length: exchanges }, (_, j) => ({ preference: exchanges - j, exchange: exchange(j) }));
        else if (i !== undefined && type === 'A')
          records = Array.from({ length: addresses }, (_, j) => `10.${i >> 8}.${i & 255}.${j + 1}`);
        else if (i !== undefined && type === 'AAAA')
          records = Array.from({ length: v6 }, (_, j) => `fd00::${i.toString(16)}:${(j + 1).toString(16)}`);
        if (records.length) return ok(records) as Lookup<RecordOf<T>>;
        const exists = n === domain || i !== undefined;
        return { status: exists ? 'nodata' : 'nxdomain', ...meta } as Lookup<RecordOf<T>>;
      },
    },
  };
}
