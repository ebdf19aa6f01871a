// check_host() of RFC 7208 §4-§7 over our injected Resolver: record selection, every mechanism and modifier,
// macros, the lookup/void/MX/PTR limits (§4.6.4), and exp= explanations (§6.2). Our own evaluator, not
// mailauth's: see src/auth/spf/README.md for the conformance figures behind that choice.
import { definedOnly } from '../../core/object.js';
import { isTemporary, reverseName, txtJoin, type Resolver } from '../../dns/types.js';
import { fetchSpfRecord } from './fetch.js';
import { addressMatches, inPrefix, ipText as ipLabel, parseIp, parseNetwork, type SpfIp } from './ip.js';
import { expandMacros, parseMacroString, toTargetName, type MacroValues } from './macro.js';
import { isDnsTerm, parseSpfRecord } from './record.js';
import {
  LOOKUP_LIMIT,
  MX_LIMIT,
  PTR_LIMIT,
  VOID_LIMIT,
  type Qualifier,
  type SpfEvalStep,
  type SpfEvaluation,
  type SpfMatch,
  type SpfResultCode,
  type SpfTerm,
} from './types.js';
import { normalizeSender } from './identity.js';

export interface CheckHostInput {
  /** The client address; IPv4-mapped IPv6 is evaluated as IPv4. */
  ip: string;
  /** MAIL FROM; empty for the null sender (then postmaster@<helo>). */
  sender?: string;
  helo?: string;
  /** <domain>; defaults to the sender's domain. */
  domain?: string;
  /** %{r} in explanations. */
  receiver?: string;
  now?: () => Date;
  maxLookups?: number;
  maxVoidLookups?: number;
  /** Overall time limit; past it the result is temperror (RFC 7208 §4.6.4: SHOULD, at least 20 s). */
  deadlineMs?: number;
}

const RESULT: Record<Qualifier, SpfResultCode> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

/** An outcome that ends the whole check_host(): permerror or temperror (RFC 7208 §2.6.6, §2.6.7). */
class Abort extends Error {
  /** Set once the step that caused it is in the trace, so outer includes do not repeat it. */
  stepped = false;
  constructor(
    readonly result: 'permerror' | 'temperror',
    message: string,
  ) {
    super(message);
  }
}

interface Outcome {
  result: SpfResultCode;
  matched: SpfMatch[];
  reason: string;
  /** The record whose exp= explains a fail: the one whose own mechanism failed (§6.2: not an include's). */
  exp?: { domain: string; term: SpfTerm };
}

export async function checkHost(resolver: Resolver, input: CheckHostInput): Promise<SpfEvaluation> {
  const ip = parseIp(input.ip);
  if (!ip) throw new Error(`invalid client IP '${input.ip}'`);
  const sender = normalizeSender(input.sender, input.helo);
  const domain = input.domain ?? sender.slice(sender.lastIndexOf('@') + 1);
  return new Evaluator(withDeadline(resolver, input.deadlineMs ?? 20000), ip, sender, input).run(domain);
}

/** A resolver that refuses to start a query once check_host() has run for `ms` (reported as a timeout). */
function withDeadline(inner: Resolver, ms: number): Resolver {
  const end = Date.now() + ms;
  return {
    lookup: (name, type, o) =>
      Date.now() > end
        ? Promise.resolve({ status: 'timeout', server: 'deadline', error: `check_host() ran past its ${ms} ms limit` })
        : inner.lookup(name, type, o),
  };
}

class Evaluator {
  lookups = 0;
  voids = 0;
  readonly steps: SpfEvalStep[] = [];
  private ptr?: Promise<{ names: string[]; status: 'ok' | 'void' | 'error' }>;
  private readonly maxLookups: number;
  private readonly maxVoid: number;

  constructor(
    private readonly resolver: Resolver,
    private readonly ip: SpfIp,
    private readonly sender: string,
    private readonly input: CheckHostInput,
  ) {
    this.maxLookups = input.maxLookups ?? LOOKUP_LIMIT;
    this.maxVoid = input.maxVoidLookups ?? VOID_LIMIT;
  }

  async run(domain: string): Promise<SpfEvaluation> {
    const done = (o: Omit<SpfEvaluation, 'lookups' | 'voidLookups' | 'steps'>): SpfEvaluation => ({
      ...o,
      lookups: this.lookups,
      voidLookups: this.voids,
      steps: this.steps,
    });
    // RFC 7208 §4.3: a malformed or single-label <domain> (or a domain literal) gives "none" at once.
    const bad = initialDomainProblem(domain);
    if (bad)
      return done({
        result: 'none',
        matched: [],
        reason: `${domain} ${bad}, so there is no SPF record to check (RFC 7208 §4.3)`,
      });
    try {
      const o = await this.evalDomain(domain, 0, 'top');
      const explanation = o.result === 'fail' && o.exp ? await this.explain(o.exp.domain, o.exp.term) : undefined;
      return done(definedOnly({ result: o.result, matched: o.matched, reason: o.reason, explanation }));
    } catch (e) {
      if (e instanceof Abort) return done({ result: e.result, matched: [], reason: e.message });
      throw e;
    }
  }

  private step(depth: number, domain: string, term: string, outcome: SpfEvalStep['outcome'], detail: string): void {
    this.steps.push({ depth, domain, term, outcome, detail, lookups: this.lookups, voidLookups: this.voids });
  }

  private async evalDomain(domain: string, depth: number, via: 'top' | 'include' | 'redirect'): Promise<Outcome> {
    const fetched = await fetchSpfRecord(this.resolver, domain);
    if (fetched.status === 'temporary')
      throw new Abort('temperror', `the SPF record of ${domain} could not be fetched: ${fetched.error}`);
    if (fetched.status === 'none' || fetched.status === 'nxdomain') {
      const why = fetched.status === 'nxdomain' ? 'does not exist' : 'has no SPF record';
      if (via === 'top') return { result: 'none', matched: [], reason: `${domain} ${why} (RFC 7208 §4.5)` };
      // An include or redirect to a domain with no record is a permerror (RFC 7208 §5.2, §6.1).
      throw new Abort('permerror', `${via} target ${domain} ${why} (RFC 7208 ${via === 'include' ? '§5.2' : '§6.1'})`);
    }
    if (fetched.status === 'multiple')
      throw new Abort(
        'permerror',
        `${domain} publishes ${fetched.records.length} SPF records; there must be one (RFC 7208 §4.5)`,
      );
    const parsed = parseSpfRecord(fetched.record);
    this.step(depth, domain, fetched.record, 'record', via);
    // Syntax errors anywhere in the record are a permerror, even after a matching term (RFC 7208 §4.6).
    const err = parsed.errors[0];
    if (err)
      throw new Abort(
        'permerror',
        `syntax error in the SPF record of ${domain}: ${err.message}${err.term ? ` (in '${err.term}')` : ''}`,
      );
    const values: MacroValues = {
      sender: this.sender,
      domain,
      ip: this.ip,
      helo: this.input.helo,
      receiver: this.input.receiver,
      now: this.input.now,
      validatedName: (d) => this.validatedName(d),
    };
    for (const term of parsed.terms) {
      if (term.kind !== 'mechanism') continue;
      if (isDnsTerm(term)) this.countLookup(domain, term, depth);
      let m: Awaited<ReturnType<Evaluator['mechanism']>>;
      try {
        m = await this.mechanism(term, domain, depth, values);
      } catch (e) {
        if (e instanceof Abort && !e.stepped) {
          this.step(depth, domain, term.raw, 'error', e.message);
          e.stepped = true;
        }
        throw e;
      }
      this.step(depth, domain, term.raw, m.match ? 'match' : 'no-match', m.detail);
      if (m.match) {
        const result = RESULT[term.qualifier ?? '+'];
        const outcome: Outcome = {
          result,
          matched: [{ domain, term: term.raw }, ...(m.inner ?? [])],
          reason: m.detail,
        };
        if (parsed.exp) outcome.exp = { domain, term: parsed.exp };
        return outcome;
      }
    }
    if (parsed.redirect) {
      const r = parsed.redirect;
      this.countLookup(domain, r, depth);
      const target = await this.target(r.domainSpec!, values);
      if (!target)
        throw new Abort(
          'permerror',
          `redirect=${r.domainSpec} of ${domain} does not expand to a valid domain name (RFC 7208 §6.1)`,
        );
      this.step(depth, domain, r.raw, 'match', `no mechanism matched: continue with the record of ${target}`);
      const o = await this.evalDomain(target, depth + 1, 'redirect');
      return { ...o, matched: [{ domain, term: r.raw }, ...o.matched] };
    }
    return {
      result: 'neutral',
      matched: [],
      reason: `no mechanism of ${domain} matched and it has no redirect=: the default result is neutral (RFC 7208 §4.7)`,
    };
  }

  private countLookup(domain: string, term: SpfTerm, depth: number): void {
    this.lookups++;
    if (this.lookups > this.maxLookups) {
      this.step(depth, domain, term.raw, 'error', `lookup ${this.lookups}: over the limit of ${this.maxLookups}`);
      const abort = new Abort(
        'permerror',
        `'${term.raw}' in ${domain} is DNS-querying term number ${this.lookups}; the limit is ${this.maxLookups} (RFC 7208 §4.6.4)`,
      );
      abort.stepped = true;
      throw abort;
    }
  }

  private countVoid(domain: string, term: SpfTerm, name: string): void {
    this.voids++;
    if (this.voids > this.maxVoid) {
      throw new Abort(
        'permerror',
        `'${term.raw}' in ${domain}: ${name} is void lookup number ${this.voids}; the limit is ${this.maxVoid} (RFC 7208 §4.6.4)`,
      );
    }
  }

  private async target(spec: string, values: MacroValues): Promise<string | undefined> {
    return toTargetName(await expandMacros(parseMacroString(spec).tokens, values));
  }

  private async mechanism(
    term: SpfTerm,
    domain: string,
    depth: number,
    values: MacroValues,
  ): Promise<{ match: boolean; detail: string; inner?: SpfMatch[] }> {
    const ip = this.ip;
    const client = ipLabel(ip);
    switch (term.name) {
      case 'all':
        return { match: true, detail: '"all" always matches' };
      case 'ip4':
      case 'ip6': {
        const family = term.name === 'ip4' ? 4 : 6;
        const prefix = family === 4 ? (term.cidr4 ?? 32) : (term.cidr6 ?? 128);
        if (ip.family !== family) return { match: false, detail: `${client} is not an IPv${family} address` };
        const match = inPrefix(parseNetwork(term.network!, family)!, ip.bytes, prefix);
        return { match, detail: `${client} is ${match ? '' : 'not '}in ${term.network}/${prefix}` };
      }
      case 'a':
      case 'mx': {
        const name = term.domainSpec ? await this.target(term.domainSpec, values) : domain;
        if (!name)
          return { match: false, detail: `'${term.domainSpec}' does not expand to a valid domain name: no match` };
        const prefix = ip.family === 4 ? (term.cidr4 ?? 32) : (term.cidr6 ?? 128);
        if (term.name === 'a') {
          const addrs = await this.addresses(name, true, domain, term);
          const hit = addrs.find((a) => addressMatches(a, ip, prefix));
          return {
            match: hit !== undefined,
            detail: hit
              ? `${name} has address ${hit}${prefix !== (ip.family === 4 ? 32 : 128) ? `, and ${client} is in ${hit}/${prefix}` : ''}`
              : `${client} is not among the ${ip.family === 4 ? 'A' : 'AAAA'} records of ${name}${addrs.length ? ` (${addrs.join(', ')})` : ''}`,
          };
        }
        const mx = await this.resolver.lookup(name, 'MX');
        if (isTemporary(mx))
          throw new Abort(
            'temperror',
            `MX ${name}: ${mx.status.toUpperCase()}${mx.error ? ` (${mx.error})` : ''} (RFC 7208 §5)`,
          );
        if (mx.status !== 'ok') {
          this.countVoid(domain, term, `MX ${name}`);
          return { match: false, detail: `${name} has no MX records (no fallback to its address: RFC 7208 §5.4)` };
        }
        // RFC 7208 §4.6.4: more than 10 MX records is a permerror for the publisher's own data.
        if (mx.records.length > MX_LIMIT)
          throw new Abort(
            'permerror',
            `${name} has ${mx.records.length} MX records; "mx" may look at no more than ${MX_LIMIT} (RFC 7208 §4.6.4)`,
          );
        const hosts = [...mx.records]
          .sort((a, b) => a.preference - b.preference)
          .map((r) => r.exchange)
          .filter((x) => x !== '');
        for (const host of hosts) {
          const addrs = await this.addresses(host, false, domain, term);
          const hit = addrs.find((a) => addressMatches(a, ip, prefix));
          if (hit)
            return {
              match: true,
              detail: `${host}, an MX host of ${name}, has address ${hit}${prefix !== (ip.family === 4 ? 32 : 128) ? `, and ${client} is in ${hit}/${prefix}` : ''}`,
            };
        }
        return {
          match: false,
          detail: `${client} is not an address of the MX hosts of ${name} (${hosts.join(', ') || 'null MX'})`,
        };
      }
      case 'exists': {
        const name = await this.target(term.domainSpec!, values);
        if (!name)
          return { match: false, detail: `'${term.domainSpec}' does not expand to a valid domain name: no match` };
        // Always an A query, whatever the client's address family (RFC 7208 §5.7).
        const addrs = await this.addresses(name, true, domain, term, 'A');
        return {
          match: addrs.length > 0,
          detail: addrs.length ? `${name} exists (A ${addrs[0]})` : `${name} has no A record`,
        };
      }
      case 'ptr': {
        const target = (term.domainSpec ? await this.target(term.domainSpec, values) : domain)?.toLowerCase();
        if (!target)
          return { match: false, detail: `'${term.domainSpec}' does not expand to a valid domain name: no match` };
        const ptr = await this.validatedNames();
        if (ptr.status === 'void') this.countVoid(domain, term, `PTR ${reverseName(ipLabel(ip))}`);
        const hit = ptr.names.find((n) => n.toLowerCase() === target || n.toLowerCase().endsWith(`.${target}`));
        let detail = `${client} has no validated reverse name`;
        if (hit) detail = `${client} has the validated name ${hit}, in ${target}`;
        else if (ptr.names.length) detail = `no validated name of ${client} (${ptr.names.join(', ')}) is in ${target}`;
        return { match: hit !== undefined, detail };
      }
      case 'include': {
        const name = await this.target(term.domainSpec!, values);
        if (!name)
          throw new Abort(
            'permerror',
            `include:${term.domainSpec} does not expand to a valid domain name (RFC 7208 §5.2)`,
          );
        const inner = await this.evalDomain(name, depth + 1, 'include');
        // RFC 7208 §5.2: only a pass matches; fail, softfail and neutral do not (temperror/permerror threw).
        return inner.result === 'pass'
          ? { match: true, detail: `${name} gave pass: ${inner.reason}`, inner: inner.matched }
          : { match: false, detail: `${name} gave ${inner.result}, which does not match` };
      }
    }
    throw new Error(`unexpected mechanism ${term.name}`);
  }

  /** A or AAAA (by client family) of a name; a void answer counts when `countsVoid` (the term's own query). */
  private async addresses(
    name: string,
    countsVoid: boolean,
    domain: string,
    term: SpfTerm,
    type?: 'A' | 'AAAA',
  ): Promise<string[]> {
    const t = type ?? (this.ip.family === 4 ? 'A' : 'AAAA');
    const answer = await this.resolver.lookup(name, t);
    if (isTemporary(answer))
      throw new Abort(
        'temperror',
        `${t} ${name}: ${answer.status.toUpperCase()}${answer.error ? ` (${answer.error})` : ''} (RFC 7208 §5)`,
      );
    if (answer.status !== 'ok' || answer.records.length === 0) {
      if (countsVoid) this.countVoid(domain, term, `${t} ${name}`);
      return [];
    }
    return answer.records;
  }

  /** RFC 7208 §5.5: PTR names of the client (first 10) whose A/AAAA include it; DNS errors skip a name. */
  private validatedNames(): Promise<{ names: string[]; status: 'ok' | 'void' | 'error' }> {
    this.ptr ??= (async () => {
      const answer = await this.resolver.lookup(reverseName(ipLabel(this.ip)), 'PTR');
      if (isTemporary(answer)) return { names: [], status: 'error' as const };
      if (answer.status !== 'ok' || !answer.records.length) return { names: [], status: 'void' as const };
      const names: string[] = [];
      for (const name of answer.records.slice(0, PTR_LIMIT)) {
        const fwd = await this.resolver.lookup(name, this.ip.family === 4 ? 'A' : 'AAAA');
        if (fwd.status === 'ok' && fwd.records.some((a) => addressMatches(a, this.ip, this.ip.family === 4 ? 32 : 128)))
          names.push(name.replace(/\.$/, ''));
      }
      return { names, status: 'ok' as const };
    })();
    return this.ptr;
  }

  /** %{p}: the <domain> itself if validated, else a subdomain of it, else any validated name, else "unknown" (§7.3). */
  private async validatedName(domain: string): Promise<string> {
    const { names } = await this.validatedNames();
    const d = domain.toLowerCase();
    return (
      names.find((n) => n.toLowerCase() === d) ??
      names.find((n) => n.toLowerCase().endsWith(`.${d}`)) ??
      names[0] ??
      'unknown'
    );
  }

  /** RFC 7208 §6.2: any problem with exp= (DNS, not exactly one TXT, bad syntax) means no explanation. */
  private async explain(domain: string, term: SpfTerm): Promise<string | undefined> {
    const values: MacroValues = {
      sender: this.sender,
      domain,
      ip: this.ip,
      helo: this.input.helo,
      receiver: this.input.receiver,
      now: this.input.now,
      validatedName: (d) => this.validatedName(d),
    };
    const name = await this.target(term.domainSpec!, values);
    if (!name) return undefined;
    // Not counted toward the lookup or void limits (RFC 7208 §4.6.4; suite case exp-void).
    const answer = await this.resolver.lookup(name, 'TXT');
    if (answer.status !== 'ok' || answer.records.length !== 1) return undefined;
    const parsed = parseMacroString(txtJoin(answer.records[0]!), { exp: true });
    if (parsed.error) return undefined;
    return expandMacros(parsed.tokens, values);
  }
}

/** RFC 7208 §4.3: why <domain> cannot be checked at all, or undefined when it can. */
export function initialDomainProblem(domain: string): string | undefined {
  if (domain.startsWith('[')) return 'is an address literal, not a domain';
  const name = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  const labels = name.split('.');
  if (!name || labels.some((l) => !l)) return 'has an empty label';
  if (labels.some((l) => l.length > 63)) return 'has a label longer than 63 characters';
  if (name.length > 253) return 'is longer than 253 characters';
  if (labels.length < 2) return 'is not a fully qualified domain name';
  return undefined;
}
