// DMARC evaluation (RFC 7489): policy discovery (§6.6.3, with the organizational domain from the Public
// Suffix List, §3.2), identifier alignment (§3.1) and the policy that applies (p, or sp for subdomains).
// Done here rather than with mailauth's dmarc(), which passes { strict } where a boolean is expected and
// so never applies strict alignment (adkim=s / aspf=s).
import type { Resolver } from '../dns/types.js';
import { isTemporary, txtJoin } from '../dns/types.js';
import type { DkimSignatureResult } from './dkim/verify.js';
import type { SpfVerdict } from './spf.js';

export type DmarcResultValue = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcVerdict {
  result: DmarcResultValue;
  /** The policy the domain asks for this message's From: domain (p=, or sp= for a subdomain); null without a record. */
  policy: DmarcPolicy | null;
  aligned: { spf: boolean; dkim: boolean };
  /** The RFC5322.From domain. */
  domain: string | null;
  recordDomain: string | null;
  record: string | null;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  pct: number;
  /** What a receiver applying the policy does with this message (RFC 7489 §6.7): none when it passes. */
  disposition: DmarcPolicy;
  reason?: string;
}

export interface DmarcInput {
  /** Addresses in the From: field(s): DMARC needs exactly one field with one address (§6.6.1). */
  fromAddresses: string[];
  fromFieldCount: number;
  fromDomain: string;
  spf: SpfVerdict | null;
  dkim: readonly DkimSignatureResult[];
}

// The Public Suffix List (tldts) takes ~60 ms to load: only when a question needs it, which the common
// case — From: domain = d= domain, record at _dmarc.<From domain> — does not.
let psl: Promise<typeof import('tldts')> | undefined;

/** §3.2: the organizational domain, from the Public Suffix List (private section included, as mailauth does). */
export async function organizationalDomain(domain: string): Promise<string> {
  psl ??= import('tldts');
  return (await psl).getDomain(domain, { allowPrivateDomains: true }) ?? domain;
}

/** §3.1.1/§3.1.2: strict needs the same FQDN, relaxed the same organizational domain. */
export async function isAligned(fromDomain: string, other: string, mode: 'r' | 's'): Promise<boolean> {
  const a = fromDomain.toLowerCase();
  const b = other.toLowerCase().replace(/\.$/, '');
  if (!a || !b) return false;
  if (a === b) return true;
  return mode === 'r' && (await organizationalDomain(a)) === (await organizationalDomain(b));
}

export async function evaluateDmarc(input: DmarcInput, resolver: Resolver): Promise<DmarcVerdict> {
  const domain = input.fromDomain || null;
  const empty: DmarcVerdict = {
    result: 'none',
    policy: null,
    aligned: { spf: false, dkim: false },
    domain,
    recordDomain: null,
    record: null,
    adkim: 'r',
    aspf: 'r',
    pct: 100,
    disposition: 'none',
  };
  // §6.6.1: no From:, or several authors, is not something DMARC can judge.
  if (input.fromFieldCount > 1)
    return { ...empty, result: 'permerror', reason: `the message has ${input.fromFieldCount} From: fields` };
  if (input.fromAddresses.length !== 1 || !domain) {
    return {
      ...empty,
      result: 'permerror',
      reason:
        input.fromAddresses.length > 1
          ? `From: has ${input.fromAddresses.length} addresses`
          : 'the message has no usable From: address',
    };
  }
  const found = await discoverRecord(domain, resolver);
  if ('temporary' in found) return { ...empty, result: 'temperror', reason: found.temporary };
  if (found.record === null)
    return {
      ...empty,
      ...(found.reason ? { reason: found.reason } : {}),
      aligned: await alignment(input, domain, 'r', 'r'),
    };

  const { tags, recordDomain, record } = found;
  const adkim = tags.get('adkim') === 's' ? 's' : 'r';
  const aspf = tags.get('aspf') === 's' ? 's' : 'r';
  const pctRaw = Number(tags.get('pct') ?? '100');
  const pct = Number.isInteger(pctRaw) && pctRaw >= 0 && pctRaw <= 100 ? pctRaw : 100;
  const p = asPolicy(tags.get('p')) ?? 'none';
  // §6.3 sp=: for subdomains of the domain whose record was found at the organizational level.
  const isSubdomain = recordDomain !== domain;
  const policy = isSubdomain ? (asPolicy(tags.get('sp')) ?? p) : p;
  const aligned = await alignment(input, domain, adkim, aspf);
  const pass = aligned.dkim || aligned.spf;
  return {
    ...empty,
    result: pass ? 'pass' : 'fail',
    policy,
    aligned,
    recordDomain,
    record,
    adkim,
    aspf,
    pct,
    disposition: pass ? 'none' : policy,
    ...(pass ? {} : { reason: failReason(input, domain) }),
  };
}

async function alignment(input: DmarcInput, domain: string, adkim: 'r' | 's', aspf: 'r' | 's') {
  let dkim = false;
  for (const d of input.dkim)
    if (d.result === 'pass' && d.domain && (await isAligned(domain, d.domain, adkim))) dkim = true;
  const spf = input.spf?.result === 'pass' && (await isAligned(domain, input.spf.domain, aspf));
  return { dkim, spf };
}

function failReason(input: DmarcInput, domain: string): string {
  const dkimPass = input.dkim.filter((d) => d.result === 'pass');
  const parts = [
    dkimPass.length
      ? `DKIM passed only for ${dkimPass.map((d) => d.domain).join(', ')}, not aligned with ${domain}`
      : 'no DKIM signature passed',
    input.spf === null
      ? 'SPF not checked (no client IP)'
      : input.spf.result === 'pass'
        ? `SPF passed for ${input.spf.domain}, not aligned with ${domain}`
        : `SPF ${input.spf.result}`,
  ];
  return parts.join('; ');
}

function asPolicy(v: string | undefined): DmarcPolicy | undefined {
  const s = v?.trim().toLowerCase();
  return s === 'none' || s === 'quarantine' || s === 'reject' ? s : undefined;
}

type Discovery =
  | { record: string; recordDomain: string; tags: Map<string, string> }
  | { record: null; reason?: string }
  | { temporary: string };

/** §6.6.3: _dmarc.<From domain>, else _dmarc.<organizational domain>; exactly one v=DMARC1 record counts. */
async function discoverRecord(domain: string, resolver: Resolver): Promise<Discovery> {
  let reason: string | undefined;
  for (let n = 0, d = domain; n < 2; n++) {
    if (n === 1) {
      // Only now, with no record at the From: domain itself, is the organizational domain needed.
      const org = await organizationalDomain(domain);
      if (org === domain) break;
      d = org;
    }
    const answer = await resolver.lookup(`_dmarc.${d}`, 'TXT');
    if (isTemporary(answer))
      return { temporary: `DMARC lookup for _dmarc.${d} failed: ${answer.status.toUpperCase()}` };
    if (answer.status !== 'ok') continue;
    const records = answer.records.map(txtJoin).filter((r) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(r));
    if (records.length > 1)
      return {
        record: null,
        reason: `_dmarc.${d} has ${records.length} DMARC records: none applies (RFC 7489 §6.6.3)`,
      };
    if (records.length === 0) continue;
    const tags = parseDmarcTags(records[0]!);
    // §6.6.3 step 6: no valid p= → treat as p=none when there is a rua=, else as no record.
    if (!asPolicy(tags.get('p')) && !tags.get('rua')) {
      reason = `_dmarc.${d} has no valid p= tag: ignored (RFC 7489 §6.6.3)`;
      continue;
    }
    return { record: records[0]!, recordDomain: d, tags };
  }
  return { record: null, ...(reason ? { reason } : {}) };
}

function parseDmarcTags(record: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const k = part.slice(0, eq).trim().toLowerCase();
    if (!tags.has(k)) tags.set(k, part.slice(eq + 1).trim());
  }
  return tags;
}
