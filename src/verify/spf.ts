// SPF for the connecting client (RFC 7208 check_host) through mailauth, with our resolver (so --zone and
// --resolver apply). The MAIL FROM identity, or postmaster@HELO for a null sender (§2.4); the HELO identity (§2.3).
import { isIP } from 'node:net';
import { toMailauthResolver } from '../dns/adapters/mailauth.js';
import type { Lookup, LookupOptions, RRType, RecordOf, Resolver } from '../dns/types.js';
import { addressDomain } from './address.js';

export type SpfResultValue = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

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
}

export interface SpfInput {
  ip: string;
  sender?: string;
  helo?: string;
}

export async function checkSpf(input: SpfInput, resolver: Resolver, mta: string): Promise<SpfVerdict> {
  const helo = input.helo ? input.helo.replace(/^\[|\]$/g, '') : undefined;
  const sender = input.sender?.replace(/^<|>$/g, '') || '';
  const identity = sender ? 'mailfrom' : 'helo';
  const checked = sender || (helo ? `postmaster@${helo}` : '');
  if (!checked || (identity === 'helo' && isIP(helo!))) {
    // §2.3: with no sender and an address literal as HELO there is no identity to check.
    return {
      result: 'none',
      domain: '',
      identity,
      sender: checked,
      ip: input.ip,
      ...(helo ? { helo } : {}),
      reason: 'no domain to check (null sender and no HELO name)',
    };
  }
  return runSpf(input.ip, checked, identity, helo, resolver, mta);
}

/** §2.3: the HELO identity on its own (RFC 7208 RECOMMENDS checking it); none for address literals. */
export async function checkHeloSpf(ip: string, helo: string, resolver: Resolver, mta: string): Promise<SpfVerdict> {
  const name = helo.replace(/^\[|\]$/g, '');
  if (isIP(name) || !name.includes('.')) {
    return {
      result: 'none',
      domain: name,
      identity: 'helo',
      sender: `postmaster@${name}`,
      ip,
      helo: name,
      reason: 'HELO is not a domain name',
    };
  }
  return runSpf(ip, `postmaster@${name}`, 'helo', name, resolver, mta);
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
  const verdict = evaluateSpf(ip, sender, identity, helo, ttlTracking(resolver, ttl), mta);
  // Shared while in flight; afterwards kept for the smallest TTL read (at most 5 minutes), temperror never.
  const entry = { verdict, expires: Infinity };
  memo.set(key, entry);
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
      const t = a.status === 'ok' ? a.ttl : typeof negative === 'number' ? negative : 0;
      ttl.seconds = Math.min(ttl.seconds, t);
      return a;
    },
  };
}

async function evaluateSpf(
  ip: string,
  sender: string,
  identity: 'mailfrom' | 'helo',
  helo: string | undefined,
  resolver: Resolver,
  mta: string,
): Promise<SpfVerdict> {
  const { spf } = await import('mailauth/lib/spf/index.js');
  const r = await spf({
    ip,
    sender,
    mta,
    resolver: toMailauthResolver(resolver) as never,
    // mailauth writes an address-literal HELO in brackets, as authenticate() does
    ...(helo ? { helo: isIP(helo) ? `[${helo}]` : helo } : {}),
  });
  const status = r.status as { result: SpfResultValue; comment?: string };
  return {
    result: status.result,
    domain: r.domain || addressDomain(sender),
    identity,
    sender,
    ip,
    ...(helo ? { helo } : {}),
    ...(r.rr ? { record: r.rr } : {}),
    ...(status.result !== 'pass' && status.comment ? { reason: status.comment.replace(/^[^:]*: /, '') } : {}),
  };
}
