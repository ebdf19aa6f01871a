// A decorator that records every question a check asks and the answer it got: the steps the report tells.
import type { Step } from '../core/result.js';
import type { Lookup, RRType, RecordOf, Resolver } from './types.js';

export interface DnsStepDetail {
  name: string;
  type: RRType;
  status: Lookup<unknown>['status'];
  records: unknown[];
  cnames: string[];
  server: string;
  ttl?: number;
  aa?: boolean;
  ad?: boolean;
  error?: string;
}

export interface TracedResolver extends Resolver {
  readonly steps: Step[];
}

/** What a quiet trace keeps of an answer: enough to count the DNSSEC-authenticated ones (auth/dnssec/lint.ts). */
export type AnswerNote = Pick<DnsStepDetail, 'name' | 'type' | 'status' | 'ad'>;

const ANSWER_LOG = Symbol('answer log');
type Quiet = Resolver & { [ANSWER_LOG]: AnswerNote[] };

/**
 * The same resolver, marked so that a traceResolver() over it records no steps (their summaries, details and
 * timings are for reports, and a streaming batch drops them) but notes each answer with records in `log`, in the
 * order the steps would have had. Lookups that bypass the trace go through unlogged, as they went unrecorded.
 */
export function quietSteps(inner: Resolver, log: AnswerNote[]): Resolver {
  return { lookup: (name, type, o) => inner.lookup(name, type, o), [ANSWER_LOG]: log } as Quiet;
}

export function traceResolver(inner: Resolver): TracedResolver {
  const log = (inner as Partial<Quiet>)[ANSWER_LOG];
  if (log) return quietTrace(inner, log);
  const steps: Step[] = [];
  return {
    steps,
    async lookup<T extends RRType>(
      name: string,
      type: T,
      o?: Parameters<Resolver['lookup']>[2],
    ): Promise<Lookup<RecordOf<T>>> {
      const start = performance.now();
      const answer = await inner.lookup(name, type, o);
      const detail: DnsStepDetail = {
        name,
        type,
        status: answer.status,
        records: answer.status === 'ok' ? answer.records : [],
        cnames: answer.cnames ?? [],
        server: answer.server,
      };
      if (answer.status === 'ok') detail.ttl = answer.ttl;
      if ('aa' in answer) {
        detail.aa = answer.aa;
        detail.ad = answer.ad;
      }
      if ('error' in answer && answer.error) detail.error = answer.error;
      steps.push({
        kind: 'dns',
        summary: describeAnswer(detail),
        ms: Math.round((performance.now() - start) * 10) / 10,
        ok: answer.status === 'ok',
        detail,
      });
      return answer;
    },
  };
}

/** "MX example.com → 10 mx1.example.com, 20 mx2.example.com" — plain text for steps. */
export function describeAnswer(d: DnsStepDetail): string {
  const q = `${d.type} ${d.name}`;
  const via = d.cnames.length ? ` (via CNAME ${d.cnames.join(' → ')})` : '';
  switch (d.status) {
    case 'ok':
      return `${q} → ${d.records.map(formatRecord).join(', ')}${via}`;
    case 'nxdomain':
      return `${q} → NXDOMAIN (no such name)${via}`;
    case 'nodata':
      return `${q} → no ${d.type} records (NODATA)${via}`;
    default:
      return `${q} → ${d.status.toUpperCase()} from ${d.server}${d.error ? `: ${d.error}` : ''}`;
  }
}

export function formatRecord(r: unknown): string {
  if (typeof r === 'string') return r;
  if (Array.isArray(r)) return r.map((s) => JSON.stringify(s)).join(' ');
  if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    if ('exchange' in o) return `${o.preference} ${o.exchange || '.'}`;
    return Object.values(o).join(' ');
  }
  return String(r);
}

/** A trace that keeps no steps, only notes (quietSteps): one promise reaction per lookup, no text, no clock. */
function quietTrace(inner: Resolver, log: AnswerNote[]): TracedResolver {
  return {
    steps: [],
    lookup<T extends RRType>(
      name: string,
      type: T,
      o?: Parameters<Resolver['lookup']>[2],
    ): Promise<Lookup<RecordOf<T>>> {
      return inner.lookup(name, type, o).then((answer) => {
        if (answer.status === 'ok') log.push({ name, type, status: 'ok', ad: answer.ad });
        return answer;
      });
    },
  };
}
