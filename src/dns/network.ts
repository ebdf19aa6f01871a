// The Resolver that asks real DNS servers (a stub resolver, RFC 1035 §7 / RFC 1123 §6.1.3): UDP first, TCP on
// TC=1, the next server on silence/SERVFAIL/REFUSED, and CNAME chains finished when a server leaves them half done.
import type { MailcheckEvent } from '../core/context.js';
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver, TemporaryStatus } from './types.js';
import {
  encodeQuery,
  extractAnswer,
  lowerName,
  nameError,
  negativeTtl,
  type DnsMessage,
  type ExtractedAnswer,
} from './codec.js';
import type { DnsServerAddress, TransportResult } from './transport-common.js';
import { formatServer } from './transport-udp.js';
import { queryTcp } from './transport-tcp.js';
import { createUdpPool } from './udp-pool.js';

export interface NetworkResolverOptions {
  servers: DnsServerAddress[];
  /** Per question, every try included (see askServers). */
  timeoutMs: number;
  /** Extra rounds over the whole server list after the first (default 1: two rounds, like resolv.conf `attempts:2`),
   *  within the same timeoutMs. */
  retries?: number;
  onEvent?: (e: MailcheckEvent) => void;
}

/** RFC 1034 §3.6.2 asks resolvers to bound chains; 8 matches the zone resolver. */
export const MAX_CNAME_HOPS = 8;

type Outcome =
  | { kind: 'answer'; message: DnsMessage; server: string }
  | { kind: 'failure'; status: TemporaryStatus; server: string; error: string; aborted?: boolean };

type Failure = Extract<Outcome, { kind: 'failure' }>;

/** A question in flight: what its tries share. */
interface Question {
  name: string;
  type: string;
  signal: AbortSignal | undefined;
  /** performance.now() by which it is answered or failed: start + timeoutMs. */
  deadline: number;
  /** Wire queries so far, for the events. */
  attempts: number;
  /** Answered, or given up: later tries are ignored. */
  settled: boolean;
}

/** A wire exchange gets what is left of the question's time. */
function exchange(q: Question): { timeoutMs: number; signal: AbortSignal | undefined; deadline: number } {
  return { timeoutMs: Math.max(1, Math.round(q.deadline - performance.now())), signal: q.signal, deadline: q.deadline };
}

// When every server failed, report the most telling failure: a server that said something beats silence.
const FAILURE_RANK: Record<TemporaryStatus, number> = { timeout: 0, malformed: 1, refused: 2, servfail: 3 };

/**
 * Statuses: NOERROR with records → ok; NOERROR without → nodata; NXDOMAIN → nxdomain (negative answers carry
 * an extra `ttl`, RFC 2308 §5, when the server sent an SOA); SERVFAIL/REFUSED/other rcodes, silence and
 * undecodable replies → servfail/refused/timeout/malformed after every server was tried.
 * A CNAME loop or a chain over MAX_CNAME_HOPS is `servfail` with `error` and `cnames`, as recursive resolvers
 * (BIND, Unbound) and our zone resolver report it: the name cannot be resolved.
 */
export function networkResolver(opts: NetworkResolverOptions): Resolver {
  const rounds = 1 + Math.max(0, opts.retries ?? 1);
  // UDP through the resolver's own pool of long-lived sockets (idle ones never keep the process alive; see udp-pool.ts).
  const udp = createUdpPool().query;
  // Every answer names its server: one string per server, not one per query.
  const labels = new Map(opts.servers.map((s) => [s, formatServer(s)]));
  const labelOf = (server: DnsServerAddress): string => labels.get(server)!;

  function emit(
    server: DnsServerAddress,
    name: string,
    type: string,
    transport: 'udp' | 'tcp',
    r: TransportResult,
    attempt: number,
  ): void {
    if (!opts.onEvent) return;
    const ms = Math.round(r.ms * 10) / 10;
    const server_ = labelOf(server);
    if (r.kind !== 'response')
      return opts.onEvent({
        type: 'dns.query',
        name,
        qtype: type,
        server: server_,
        transport,
        ms,
        attempt,
        status: r.kind,
        error: r.error,
      });
    const m = r.message;
    const e: MailcheckEvent = {
      type: 'dns.query',
      name,
      qtype: type,
      server: server_,
      transport,
      ms,
      attempt,
      status: wireStatus(m, name, type, transport),
      rcode: m.rcode,
      flags: { aa: m.flags.aa, ad: m.flags.ad, tc: m.flags.tc },
      answers: m.answers.length,
    };
    if (m.answers.length) {
      let ttl = Infinity;
      for (const a of m.answers) if (a.ttl < ttl) ttl = a.ttl;
      e.ttl = ttl;
    }
    opts.onEvent(e);
  }

  /**
   * One question, answered or failed by `deadline` (the lookup's start + timeoutMs: what --timeout promises). The
   * tries (RFC 1035 §7.2: every server in order, `rounds` times) start a slot (the time left / tries) apart, or at
   * once when every try so far has failed; each listens until the deadline, so a slow answer to an early try still
   * counts, and a silent server costs the timeout once, not once per try.
   */
  function askServers(name: string, type: string, signal: AbortSignal | undefined, deadline: number): Promise<Outcome> {
    const total = rounds * opts.servers.length;
    if (!total)
      return Promise.resolve({
        kind: 'failure',
        status: 'timeout',
        server: 'none',
        error: 'no DNS servers configured',
      });
    const q: Question = { name, type, signal, deadline, attempts: 0, settled: false };
    // One try (one server, no retry): no slot timer at all, the common case of a batch against one resolver.
    if (total === 1) return askOne(opts.servers[0]!, q);
    const slot = (deadline - performance.now()) / total;
    return new Promise((resolve) => {
      let launched = 0;
      let running = 0;
      let best: Failure | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (o: Outcome) => {
        q.settled = true;
        clearTimeout(timer);
        resolve(o);
      };
      const launch = () => {
        clearTimeout(timer);
        const server = opts.servers[launched % opts.servers.length]!;
        launched++;
        running++;
        // Tries still running when another answers end by the deadline; nobody waits for them.
        void askOne(server, q).then((o) => {
          running--;
          if (q.settled) return;
          if (o.kind === 'answer' || o.aborted) return finish(o);
          if (!best || FAILURE_RANK[o.status] >= FAILURE_RANK[best.status]) best = o;
          if (running > 0) return;
          // Every try so far failed (SERVFAIL, REFUSED, unreachable): the next goes now, not at its slot.
          if (launched < total && performance.now() < deadline) launch();
          else finish(best);
        });
        if (launched < total) timer = setTimeout(launch, slot);
      };
      launch();
    });
  }

  /** One try at one server until an answer, a failure or the deadline: UDP, TCP after TC=1 (RFC 7766 §5), and once
   *  more without EDNS after FORMERR (RFC 6891 §7). One async function for all of it: each await level costs a
   *  promise and a frame on every one of a batch's queries. */
  async function askOne(server: DnsServerAddress, q: Question): Promise<Outcome> {
    const label = labelOf(server);
    if (q.signal?.aborted)
      return { kind: 'failure', status: 'timeout', server: label, error: 'aborted', aborted: true };
    for (let edns = true; ; edns = false) {
      const query = encodeQuery(q.name, q.type, { edns });
      // Numbered as sent; a try that ends after the question was answered (by another server) is not part of the story.
      let attempt = ++q.attempts;
      let r = await udp(server, query, exchange(q));
      if (!q.settled) emit(server, q.name, q.type, 'udp', r, attempt);
      if (r.kind === 'response' && r.message.flags.tc) {
        attempt = ++q.attempts;
        r = await queryTcp(server, query, exchange(q));
        if (!q.settled) emit(server, q.name, q.type, 'tcp', r, attempt);
      }
      if (r.kind !== 'response') {
        // Connection refused, unreachable and the like are "no answer at all", as silence is.
        return {
          kind: 'failure',
          status: r.kind === 'malformed' ? 'malformed' : 'timeout',
          server: label,
          error: r.error,
          aborted: r.kind === 'aborted',
        };
      }
      const rcode = r.message.rcode;
      if (rcode === 'NOERROR' || rcode === 'NXDOMAIN') return { kind: 'answer', message: r.message, server: label };
      if ((rcode === 'FORMERR' || rcode === 'BADVERS') && edns) continue;
      if (rcode === 'REFUSED')
        return { kind: 'failure', status: 'refused', server: label, error: 'server refused the query' };
      const error = rcode === 'SERVFAIL' ? 'server failure' : `server answered ${rcode}`;
      return { kind: 'failure', status: 'servfail', server: label, error };
    }
  }

  async function lookup<T extends RRType>(qname: string, type: T, o: LookupOptions = {}): Promise<Lookup<RecordOf<T>>> {
    const origin = lowerName(qname);
    // A name that cannot be encoded cannot exist: the same answer the zone resolver gives, without a query.
    if (nameError(origin)) return { status: 'nxdomain', server: 'none', cnames: [], aa: false, ad: false };
    const follow = !o.noFollow && type !== 'CNAME';
    const cnames: string[] = [];
    // Names met along a CNAME chain (made when there is one: most answers have none).
    let seen: Set<string> | undefined;
    let name = origin;
    let ttl = Infinity;
    let ad = true;
    // --timeout bounds the whole lookup, a CNAME chain's re-queries included.
    const deadline = performance.now() + opts.timeoutMs;
    for (;;) {
      const got = await askServers(name, type, o.signal, deadline);
      if (got.kind === 'failure') {
        const failed: Extract<Lookup<never>, { status: TemporaryStatus }> = {
          status: got.status,
          server: got.server,
          error: got.error,
        };
        if (cnames.length) failed.cnames = cnames;
        return failed;
      }
      const m = got.message;
      // Shared with the event for the same reply only when there are events (the memo costs a WeakMap entry).
      const ex = opts.onEvent ? extracted(m, name, type, follow) : extractAnswer(m, name, type, { follow });
      ad &&= m.flags.ad;
      for (const link of ex.chain) {
        cnames.push(link.owner);
        ttl = Math.min(ttl, link.ttl);
        seen ??= new Set([origin]);
        if (seen.has(link.target))
          return {
            status: 'servfail',
            server: got.server,
            error: `CNAME loop: ${[...cnames, link.target].join(' → ')}`,
            cnames,
          };
        seen.add(link.target);
      }
      if (cnames.length > MAX_CNAME_HOPS)
        return { status: 'servfail', server: got.server, error: `CNAME chain longer than ${MAX_CNAME_HOPS}`, cnames };
      const aa = m.flags.aa;
      if (m.rcode !== 'NXDOMAIN' && ex.records.length) {
        return {
          status: 'ok',
          records: ex.records,
          ttl: Math.min(ttl, ex.ttl ?? Infinity),
          server: got.server,
          cnames,
          aa,
          ad,
        };
      }
      const negTtl = negativeTtl(m, ex.finalName);
      if (m.rcode === 'NXDOMAIN') {
        // RFC 6604 §3: the rcode speaks of the last name in the chain; unfollowed, the query name itself exists.
        const aliased = !follow && m.answers.some((r) => r.type === 'CNAME' && r.name === name);
        return negative(aliased ? 'nodata' : 'nxdomain', got.server, cnames, aa, ad, negTtl);
      }
      // An authoritative server stops at its zone's edge (RFC 1034 §4.3.2 step 3a) and sends the CNAME alone;
      // an SOA for the target's zone in the authority section instead proves the target has no such records.
      if (follow && ex.chain.length && negTtl === undefined) {
        name = ex.finalName;
        continue;
      }
      return negative('nodata', got.server, cnames, aa, ad, negTtl);
    }
  }

  return { lookup };
}

// The event for a reply and the lookup that reads it both need its answer extracted: done once per message.
const extractions = new WeakMap<
  DnsMessage,
  { name: string; type: string; follow: boolean; ex: ExtractedAnswer<unknown> }
>();

function extracted<T extends RRType>(
  m: DnsMessage,
  name: string,
  type: T,
  follow: boolean,
): ExtractedAnswer<RecordOf<T>> {
  const hit = extractions.get(m);
  if (hit && hit.name === name && hit.type === type && hit.follow === follow)
    return hit.ex as ExtractedAnswer<RecordOf<T>>;
  const ex = extractAnswer(m, name, type, { follow });
  extractions.set(m, { name, type, follow, ex });
  return ex;
}

/** NXDOMAIN or NODATA, with the negative TTL (RFC 2308 §5) when the server sent an SOA. */
function negative<R>(
  status: 'nxdomain' | 'nodata',
  server: string,
  cnames: string[],
  aa: boolean,
  ad: boolean,
  ttl: number | undefined,
): Lookup<R> {
  return ttl === undefined
    ? { status, server, cnames, aa, ad }
    : ({ status, server, cnames, aa, ad, ttl } as Lookup<R>);
}

/** The status of one wire exchange, for the event stream ('cname' = a chain we still have to finish). */
function wireStatus(m: DnsMessage, name: string, type: string, transport: 'udp' | 'tcp'): string {
  if (m.flags.tc && transport === 'udp') return 'truncated';
  if (m.rcode === 'NXDOMAIN') return 'nxdomain';
  if (m.rcode !== 'NOERROR') return m.rcode.toLowerCase();
  const ex = extracted(m, name, type as RRType, type !== 'CNAME');
  if (ex.records.length) return 'ok';
  return ex.chain.length && !ex.loop ? 'cname' : 'nodata';
}
