// Each source → aligned and passing / own infrastructure failing (in the domain's SPF, one of its MX addresses, or
// a reverse name under it) / a known forwarder (ARC, forwarding reasons, mailing-list shape) / unknown and failing
// (spoofing, or a service nobody authorised) — with the fix that would make an own source pass. DNS only through
// the injected resolver: SPF (our check_host), MX, PTR with forward confirmation.
import type { Context } from '../core/context.js';
import { definedOnly } from '../core/object.js';
import { organizationalDomain } from '../auth/shared/org-domain.js';
import { checkHost } from '../auth/spf/evaluate.js';
import type { SpfEvaluation } from '../auth/spf/types.js';
import { isTemporary, type Resolver } from '../dns/types.js';
import { lookupClientName, type ClientName } from '../receive/client-name.js';
import type { Fix, SourceRow } from './model.js';
import { isForwarderName, providerOf } from './providers.js';

export interface DomainPosture {
  domain: string;
  /** Its organizational domain (RFC 7489 §3.2), computed once. */
  org?: string;
  /** MX addresses → the exchange's name. */
  mxAddresses: Map<string, string>;
  /** DKIM selectors of the domain that pass from its aligned sources. */
  goodSelectors: Set<string>;
  temporary: boolean;
}

/** How many lookups run at once: PTR and SPF for thousands of sources, without flooding a resolver. */
const CONCURRENCY = 16;
const FORWARD_REASONS = new Set(['forwarded', 'mailing_list', 'trusted_forwarder']);

export async function lookupPosture(domain: string, rows: readonly SourceRow[], resolver: Resolver) {
  const posture: DomainPosture = {
    domain,
    org: organizationalDomain(domain),
    mxAddresses: new Map(),
    goodSelectors: new Set(),
    temporary: false,
  };
  const mx = await currentMxHosts(domain, resolver);
  posture.temporary = mx.temporary;
  for (const [exchange, addresses] of mx.hosts) for (const ip of addresses) posture.mxAddresses.set(ip, exchange);
  const org = posture.org!;
  const under = (d: string) => d === org || d.endsWith(`.${org}`);
  for (const row of rows) {
    if (row.dmarc.pass === 0) continue;
    for (const k of row.dkim)
      if (k.selector && k.domain && under(k.domain) && (k.results.pass ?? 0) > 0) posture.goodSelectors.add(k.selector);
  }
  return posture;
}

/** The domain's MX hosts as DNS names them now (at most 10; lower-case, no trailing dot), each with its A and AAAA. */
export async function currentMxHosts(
  domain: string,
  resolver: Resolver,
): Promise<{ hosts: Map<string, string[]>; temporary: boolean }> {
  const hosts = new Map<string, string[]>();
  const mx = await resolver.lookup(domain, 'MX');
  if (mx.status !== 'ok') return { hosts, temporary: isTemporary(mx) };
  for (const r of mx.records.slice(0, 10)) {
    const name = r.exchange?.toLowerCase().replace(/\.$/, '');
    if (!name || hosts.has(name)) continue;
    const addresses: string[] = [];
    for (const type of ['A', 'AAAA'] as const) {
      const a = await resolver.lookup(name, type);
      if (a.status === 'ok') addresses.push(...a.records);
    }
    hosts.set(name, addresses);
  }
  return { hosts, temporary: false };
}

/** Fills in name/ptr/fcrdns, group, why and fix of every row (in place), with bounded concurrency. */
export async function classifySources(
  rows: SourceRow[],
  posture: DomainPosture,
  ctx: Pick<Context, 'resolver'>,
  onDone?: () => void,
): Promise<{ temporary: number }> {
  let temporary = 0;
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const client = await lookupClientName(row.ip, ctx.resolver).catch((): ClientName => ({
        name: null,
        ptr: [],
        iprev: 'temperror',
      }));
      row.name = client.name;
      row.ptr = client.ptr.slice(0, 10);
      row.fcrdns = client.iprev === 'pass';
      const spf = row.dmarc.fail > 0 ? await evaluateSpf(row.ip, posture.domain, ctx.resolver) : undefined;
      if (spf?.result === 'temperror') temporary++;
      Object.assign(row, classifyRow(row, posture, spf));
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
  return { temporary };
}

async function evaluateSpf(ip: string, domain: string, resolver: Resolver): Promise<SpfEvaluation> {
  return checkHost(resolver, { ip, domain, sender: `postmaster@${domain}`, deadlineMs: 20_000 }).catch(
    (e: unknown): SpfEvaluation => ({
      result: 'temperror',
      matched: [],
      reason: (e as Error).message,
      lookups: 0,
      voidLookups: 0,
      steps: [],
    }),
  );
}

/** The group, the reason and the fix of one source (pure: the lookups are done). */
export function classifyRow(
  row: SourceRow,
  posture: DomainPosture,
  spf: Pick<SpfEvaluation, 'result' | 'matched'> | undefined,
): Pick<SourceRow, 'group' | 'why'> & { fix?: Fix } {
  const domain = posture.domain;
  const org = posture.org ?? organizationalDomain(domain);
  const underOrg = (d: string) => d === org || d.endsWith(`.${org}`);
  if (row.dmarc.fail === 0) {
    const how = [row.aligned.dkim ? 'DKIM' : '', row.aligned.spf ? 'SPF' : ''].filter(Boolean).join(' and ');
    return { group: 'aligned', why: how ? `aligned ${how} pass` : 'the reporters say DMARC passed' };
  }
  const ownDkim = row.dkim.filter((k) => k.domain && underOrg(k.domain));
  const brokenOwn = ownDkim.find((k) => k.selector && (k.results.pass ?? 0) < sum(k.results));
  const ownBy = ownInfrastructure(row, posture, spf, underOrg);
  if (ownBy) return { group: 'own', why: ownBy, ...ownFix(row, posture, spf, underOrg) };
  const reasons = Object.keys(row.reasons);
  if (reasons.some((r) => FORWARD_REASONS.has(r)))
    return { group: 'forwarder', why: `reporters gave the reason ${reasons.filter((r) => FORWARD_REASONS.has(r))[0]}` };
  if (row.comments.some((c) => /\barc\s*=\s*pass\b/i.test(c)))
    return { group: 'forwarder', why: 'an intact ARC chain (arc=pass in the reporters’ comments)' };
  if (isForwarderName(row.name)) return { group: 'forwarder', why: `a list or forwarding server (${row.name})` };
  // Mailing-list shape: our signature is there but broken (the list changed the subject or body), and the list
  // re-signed as itself or sends from its own bounce domain.
  const otherPass = row.dkim.some((k) => k.domain && !underOrg(k.domain) && (k.results.pass ?? 0) > 0);
  if (brokenOwn && (otherPass || row.envelopeFrom.some((d) => !underOrg(d))))
    return {
      group: 'forwarder',
      why: `mailing-list shape: the signature of ${brokenOwn.domain} (selector ${brokenOwn.selector}) broke in transit and the list signs or bounces as itself`,
    };
  if (brokenOwn && posture.goodSelectors.has(brokenOwn.selector!))
    return {
      group: 'forwarder',
      why: `forwarded: signed with the working selector ${brokenOwn.selector}, altered on the way`,
    };
  const provider = providerOf(row.name);
  if (provider)
    return {
      group: 'unknown',
      why: `sent through ${provider.name} (${row.name}), which ${domain}'s SPF does not authorise`,
      fix: {
        kind: 'spf-include',
        action: `if this ${provider.name} account is yours: add ${provider.spf} to ${domain}'s SPF and sign with d=${domain}`,
        spf: provider.spf,
      },
    };
  return {
    group: 'unknown',
    why:
      spf?.result === 'temperror' ? 'SPF could not be evaluated (DNS)' : 'not in SPF, no MX, no reverse name of yours',
  };
}

function ownInfrastructure(
  row: SourceRow,
  posture: DomainPosture,
  spf: Pick<SpfEvaluation, 'result' | 'matched'> | undefined,
  underOrg: (d: string) => boolean,
): string | undefined {
  if (spf?.result === 'pass') {
    const chain = spf.matched.map((m) => m.term).join(' → ');
    return `in ${posture.domain}'s SPF record${chain ? ` via ${chain}` : ''}`;
  }
  const mx = posture.mxAddresses.get(row.ip);
  if (mx) return `an address of ${posture.domain}'s MX ${mx}`;
  if (row.name && underOrg(row.name))
    return `its confirmed reverse name ${row.name} is under ${organizationalDomain(posture.domain)}`;
  return undefined;
}

function ownFix(
  row: SourceRow,
  posture: DomainPosture,
  spf: Pick<SpfEvaluation, 'result' | 'matched'> | undefined,
  underOrg: (d: string) => boolean,
): { fix?: Fix } {
  const domain = posture.domain;
  const broken = row.dkim.find((k) => k.domain && underOrg(k.domain) && k.selector && (k.results.pass ?? 0) === 0);
  if (broken)
    return {
      fix: {
        kind: 'dkim-key',
        action: `DKIM with selector ${broken.selector} fails: publish the signer's current public key at ${broken.selector}._domainkey.${broken.domain}`,
        selector: broken.selector!,
      },
    };
  if (spf?.result === 'pass') {
    // Authorised but not aligned: the MAIL FROM is another domain (a service's bounce domain).
    const foreign = row.dkim.find((k) => k.domain && !underOrg(k.domain) && (k.results.pass ?? 0) > 0);
    if (foreign)
      return {
        fix: definedOnly({
          kind: 'dkim-sign',
          action: `the service signs as ${foreign.domain}${foreign.selector ? ` (selector ${foreign.selector})` : ''}: have it sign with d=${domain} (publish its key under your _domainkey)`,
          selector: foreign.selector || undefined,
        }),
      };
    const envelope = row.envelopeFrom.find((d) => !underOrg(d)) ?? row.spfDomains.find((d) => !underOrg(d));
    return {
      fix: {
        kind: 'return-path',
        action: `SPF passes but is not aligned${envelope ? ` (MAIL FROM is ${envelope})` : ''}: use a bounce address under ${domain}, or DKIM-sign with d=${domain}`,
      },
    };
  }
  const provider = providerOf(row.name);
  const term = provider?.spf ?? `${row.ip.includes(':') ? 'ip6' : 'ip4'}:${row.ip}`;
  return {
    fix: {
      kind: provider ? 'spf-include' : 'spf-ip',
      action: `add ${term} to ${domain}'s SPF record${provider ? ` (${provider.name})` : ''}, or DKIM-sign this source's mail with d=${domain}`,
      spf: term,
    },
  };
}

function sum(r: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(r)) n += v;
  return n;
}
