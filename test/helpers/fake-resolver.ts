// A Resolver from a table of answers ("name TYPE" → Lookup), for tests that need flags a zone file cannot
// express (AD from a validating resolver) or failures (SERVFAIL, timeout). Unlisted questions are NXDOMAIN.
import type { Lookup, RRType, RecordOf, Resolver } from '../../src/dns/types.js';

export type FakeAnswers = Record<string, Lookup<unknown> | unknown[]>;

/** `ok(records, { ad: true })` shorthand for table entries. */
export function ok<R>(records: R[], o: { ad?: boolean; server?: string } = {}): Lookup<R> {
  return {
    status: 'ok',
    records,
    ttl: 300,
    cnames: [],
    aa: false,
    ad: o.ad ?? false,
    server: o.server ?? '192.0.2.53:53',
  };
}

export function fakeResolver(answers: FakeAnswers, log: string[] = []): Resolver {
  return {
    async lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
      const key = `${name.toLowerCase().replace(/\.$/, '')} ${type}`;
      log.push(key);
      const a = answers[key];
      if (a === undefined) return { status: 'nxdomain', server: '192.0.2.53:53', cnames: [], aa: false, ad: false };
      return (Array.isArray(a) ? ok(a) : a) as Lookup<RecordOf<T>>;
    },
  };
}
