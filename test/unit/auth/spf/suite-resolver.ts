// The openspf/pyspf RFC 7208 test suite (fixtures/spf/rfc7208-tests.yml): its YAML scenarios, and an in-memory
// Resolver built from each scenario's zonedata with the semantics of pyspf's driver (testspf.py):
// SPF entries double as TXT unless the name has a TXT entry, "TXT: NONE" only blocks that, TIMEOUT → timeout
// for a type not seen before it, names under error. time out, CNAMEs are followed.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Lookup, MxRecord, RRType, RecordOf, Resolver } from '../../../../src/dns/types.js';

export const SUITE_FILE = new URL('../../../../fixtures/spf/rfc7208-tests.yml', import.meta.url).pathname;

export interface SuiteCase {
  scenario: string;
  id: string;
  spec: string;
  helo: string;
  host: string;
  mailfrom: string;
  result: string[];
  explanation?: string;
  resolver: Resolver;
}

type Entry = 'TIMEOUT' | { type: string; value: unknown };

export function loadSuite(file = SUITE_FILE): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const data = doc.toJS() as {
      description: string;
      tests: Record<string, Record<string, unknown>>;
      zonedata: Record<string, unknown[]>;
    };
    if (!data?.tests) continue;
    const resolver = suiteResolver(data.zonedata ?? {});
    for (const [id, t] of Object.entries(data.tests)) {
      cases.push({
        scenario: data.description,
        id,
        spec: String(t.spec),
        helo: String(t.helo ?? ''),
        host: String(t.host),
        mailfrom: String(t.mailfrom ?? ''),
        result: ([] as unknown[]).concat(t.result).map(String),
        ...(t.explanation !== undefined ? { explanation: String(t.explanation) } : {}),
        resolver,
      });
    }
  }
  return cases;
}

export function suiteResolver(zonedata: Record<string, unknown[]>): Resolver {
  const zone = new Map<string, Entry[]>();
  for (const [name, entries] of Object.entries(zonedata)) {
    const list: Entry[] = [];
    const generated: Entry[] = [];
    let gen = true;
    for (const e of entries ?? []) {
      if (e === 'TIMEOUT') {
        list.push('TIMEOUT');
        continue;
      }
      for (const [type, raw] of Object.entries(e as Record<string, unknown>)) {
        const value = (type === 'TXT' || type === 'SPF') && typeof raw === 'string' ? [raw] : raw;
        if (type === 'TXT') gen = false;
        else if (type === 'SPF' && gen) generated.push({ type: 'TXT', value });
        if (!(Array.isArray(value) && value.length === 1 && value[0] === 'NONE')) list.push({ type, value });
      }
    }
    if (gen) list.push(...generated);
    zone.set(name.toLowerCase(), list);
  }

  const answer = (
    name: string,
    type: string,
  ): { status: 'ok' | 'nodata' | 'nxdomain' | 'timeout'; records: unknown[]; cname?: string } => {
    const entries = zone.get(name.toLowerCase().replace(/\.$/, ''));
    if (!entries) return { status: name.startsWith('error.') ? 'timeout' : 'nxdomain', records: [] };
    const records: unknown[] = [];
    let cname: string | undefined;
    for (const e of entries) {
      if (e === 'TIMEOUT') {
        if (!records.length) return { status: 'timeout', records: [] };
        break;
      }
      if (e.type === type) records.push(e.value);
      if (e.type === 'CNAME') cname = String(e.value).replace(/\.$/, '').toLowerCase();
    }
    if (records.length) return { status: 'ok', records };
    return cname && type !== 'CNAME' ? { status: 'nodata', records: [], cname } : { status: 'nodata', records: [] };
  };

  return {
    async lookup<T extends RRType>(qname: string, type: T): Promise<Lookup<RecordOf<T>>> {
      const meta = { server: 'suite', aa: true, ad: false };
      const cnames: string[] = [];
      let name = qname.toLowerCase().replace(/\.$/, '');
      for (;;) {
        const a = answer(name, type);
        if (a.status === 'timeout') return { status: 'timeout', server: 'suite', error: 'TIMEOUT in zonedata' };
        if (a.cname) {
          if (cnames.includes(name) || cnames.length > 8)
            return { status: 'servfail', server: 'suite', error: 'CNAME loop' };
          cnames.push(name);
          name = a.cname;
          continue;
        }
        if (a.status !== 'ok') return { status: a.status, cnames, ...meta };
        const records = a.records.map((v) => {
          if (type === 'MX') {
            const [preference, exchange] = v as [number, string];
            return { preference, exchange: exchange.replace(/\.$/, '') } satisfies MxRecord;
          }
          if (type === 'TXT' || type === 'SPF') return v as string[];
          if (type === 'PTR' || type === 'CNAME') return String(v).replace(/\.$/, '');
          return String(v);
        });
        return { status: 'ok', records: records as RecordOf<T>[], ttl: 300, cnames, ...meta };
      }
    },
  };
}
