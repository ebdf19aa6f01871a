// SPF for the connecting client: the MAIL FROM identity, or postmaster@HELO for a null sender (RFC 7208 §2.4), and
// the HELO identity (§2.3). One check_host() serves `spf --ip`, `verify` and `receive`: src/auth/spf/evaluate.ts,
// through our resolver (so --zone and --resolver apply), with results reused within the TTLs they read.
import type { SpfResultCode } from '../auth/spf/types.js';
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from '../dns/types.js';
import { detached } from '../core/text.js';
import { addressDomain } from './address.js';

/** The result vocabulary is check_host()'s own (RFC 7208 §2.6), declared once in src/auth/spf/types.ts. */
export type SpfResultValue = SpfResultCode;

export interface SpfVerdict {
  result: SpfResultValue;
  /** The domain whose policy was evaluated. */
  domain: string;
  identity: 'mailfrom' | 'helo';
  /** The address checked: the MAIL FROM, or postmaster@<helo> for a null sender. */
  sender: string;
  ip: string;
  helo?: string;
  record?: string;
  reason?: string;
  /** The domain's exp= explanation of a fail (RFC 7208 §6.2). */
  explanation?: string;
}

export interface SpfInput {
  ip: string;
  sender?: string;
  /** The HELO/EHLO argument as the client sent it: any text, check_host() judges it (RFC 7208 §4.3, §7.3). */
  helo?: string;
}

export async function checkSpf(input: SpfInput, resolver: Resolver, mta: string): Promise<SpfVerdict> {
  const sender = input.sender?.replace(/^<|>$/g, '') || '';
  if (!sender && !input.helo) {
    // No MAIL FROM and no HELO: there is no identity at all to check (§2.3, §2.4).
    return {
      result: 'none',
      domain: '',
      identity: 'helo',
      sender: '',
      ip: input.ip,
      reason: 'no domain to check (null sender and no HELO name)',
    };
  }
  // §2.4: the null sender is checked as postmaster@<HELO>, as the HELO identity.
  return runSpf(input.ip, sender, sender ? 'mailfrom' : 'helo', input.helo, resolver, mta);
}

/** §2.3: the HELO identity on its own (RFC 7208 RECOMMENDS checking it); check_host() says none for a non-name. */
export async function checkHeloSpf(ip: string, helo: string, resolver: Resolver, mta: string): Promise<SpfVerdict> {
  return runSpf(ip, '', 'helo', helo, resolver, mta);
}

/**
 * check_host() is a function of (ip, sender, HELO) and the DNS answers it reads, so a result may be reused for as
 * long as every one of those answers may be cached (their TTLs, RFC 1035 §3.2.1): a receiver sees the same
 * sender again and again, and evaluating SPF is the dearest per-message step after the fsync.
 */
const memo = new Map<string, { verdict: Promise<SpfVerdict>; expires: number }>();
const MEMO_MAX = 10_000;

function runSpf(
  ip: string,
  sender: string,
  identity: 'mailfrom' | 'helo',
  helo: string | undefined,
  resolver: Resolver,
  mta: string,
): Promise<SpfVerdict> {
  const key = `${ip}\0${sender}\0${helo ?? ''}\0${identity}\0${mta}`;
  const hit = memo.get(key);
  if (hit && hit.expires > Date.now()) return hit.verdict;
  const ttl = { seconds: Infinity };
  // Kept for minutes (as is the key): the sender and HELO a client typed are views into the chunk they came in.
  const verdict = evaluateSpf(
    ip,
    detached(sender),
    identity,
    helo === undefined ? undefined : detached(helo),
    ttlTracking(resolver, ttl),
    mta,
  );
  // Shared while in flight; afterwards kept for the smallest TTL read (at most 5 minutes), temperror never.
  const entry = { verdict, expires: Infinity };
  memo.set(detached(key), entry);
  if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value!);
  const forget = () => {
    if (memo.get(key) === entry) memo.delete(key);
  };
  verdict.then((v) => {
    const seconds = v.result === 'temperror' ? 0 : Math.min(ttl.seconds, 300);
    if (seconds > 0) entry.expires = Date.now() + seconds * 1000;
    else forget();
  }, forget);
  return verdict;
}

/** Records the smallest TTL among the answers one evaluation reads (0 for answers that carry none). */
function ttlTracking(inner: Resolver, ttl: { seconds: number }): Resolver {
  return {
    async lookup<T extends RRType>(name: string, type: T, o?: LookupOptions): Promise<Lookup<RecordOf<T>>> {
      const a = await inner.lookup(name, type, o);
      // Negative answers carry the SOA-derived TTL when the resolver got one (RFC 2308 §5); otherwise 0.
      const negative = (a as { ttl?: unknown }).ttl;
      let t = typeof negative === 'number' ? negative : 0;
      if (a.status === 'ok') t = a.ttl;
      ttl.seconds = Math.min(ttl.seconds, t);
      return a;
    },
  };
}

/**
 * Loaded on first use (`verify` without a client IP never evaluates SPF), once: an `import()` per call, even of a
 * module already loaded, costs a module-map lookup and several promises — ~3 KB and microseconds per message.
 */
let spfModules:
  Promise<typeof import('../auth/spf/evaluate.js') & typeof import('../auth/spf/identity.js')> | undefined;
function loadSpf() {
  spfModules ??= Promise.all([import('../auth/spf/evaluate.js'), import('../auth/spf/identity.js')]).then(
    ([evaluate, identity]) => ({ ...evaluate, ...identity }),
  );
  return spfModules;
}

async function evaluateSpf(
  ip: string,
  sender: string,
  identity: 'mailfrom' | 'helo',
  helo: string | undefined,
  resolver: Resolver,
  mta: string,
): Promise<SpfVerdict> {
  const { checkHost, normalizeSender } = await loadSpf();
  const checked = normalizeSender(sender, helo);
  const e = await checkHost(resolver, { ip, sender, helo, receiver: mta });
  const record = e.steps.find((s) => s.depth === 0 && s.outcome === 'record')?.term;
  const verdict: SpfVerdict = {
    result: e.result,
    domain: addressDomain(checked) || checked.slice(checked.lastIndexOf('@') + 1),
    identity,
    sender: checked,
    ip,
  };
  // Shown without the brackets of an address literal, as the HELO argument is usually written in reports.
  if (helo) verdict.helo = helo.replace(/^\[(.*)\]$/, '$1');
  if (record !== undefined) verdict.record = record;
  if (e.result !== 'pass') verdict.reason = e.reason;
  if (e.explanation !== undefined) verdict.explanation = e.explanation;
  return verdict;
}
