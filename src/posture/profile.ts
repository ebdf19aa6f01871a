// Which profile a domain is judged by. SPF "v=spf1 -all" with DMARC p=reject says a domain sends no mail; with no
// MX (or a null MX, RFC 7505) it receives none either: it is parked. Such a domain needs no DKIM or BIMI (nothing is
// sent to sign or brand), and a parked one no MTA-STS, TLS-RPT or DANE (nothing is received) — it needs what the
// M3AAWG "Protecting Parked Domains" best practice asks: a null MX when it has an address, SPF -all, DMARC
// p=reject, and -all for made-up subdomains too (a wildcard SPF record). Pure but for `wildcardSpf` (one query).
import type { DmarcResult } from '../auth/dmarc/types.js';
import type { SpfTree } from '../auth/spf/types.js';
import { finding, type Finding } from '../core/result.js';
import { isTemporary, recordsOf, txtJoin, type Resolver } from '../dns/types.js';
import type { MxResult } from '../mx/types.js';
import type { PostureChecks, PostureFinding } from './types.js';

export type ProfileName = 'sending' | 'non-sending' | 'parked';

export interface PostureProfile {
  name: ProfileName;
  /** Why, in one sentence (empty for the default profile). */
  reason: string;
}

/** Findings that ask for what a domain of the profile does not need: shown as information, not demanded. */
const NOT_NEEDED: Record<Exclude<ProfileName, 'sending'>, ReadonlySet<string>> = {
  // Sends nothing: nothing to sign (not even under a selector named with --selector), no logo to show.
  'non-sending': new Set(['dkim.none', 'dkim.selector.missing', 'bimi.none']),
  // Sends and receives nothing: no TLS to ask of senders either; no MX is the point (mx.none, mx.implicit: the
  // null-MX finding below says what to publish instead), so what a mail host needs (reverse DNS, a second MX)
  // is not asked of the address that stands in for one.
  parked: new Set([
    'mx.address.no-ptr',
    'mx.address.no-fcrdns',
    'mx.redundancy.single',
    'dkim.none',
    'dkim.selector.missing',
    'bimi.none',
    'mta-sts.none',
    'tls-rpt.none',
    'dane.none',
    'dane.not-applicable',
    'mx.none',
    'mx.implicit',
  ]),
};

const NEEDED_NOT: Record<Exclude<ProfileName, 'sending'>, string> = {
  'non-sending': 'DKIM and BIMI are not needed',
  parked: 'DKIM, MTA-STS, TLS-RPT, BIMI and DANE are not needed',
};

/** SPF that authorizes no host at all: "v=spf1 -all" (modifiers aside, such as exp=), and no redirect. */
export function deniesAll(tree: SpfTree | null | undefined): boolean {
  if (!tree || tree.status !== 'ok') return false;
  const mechanisms = tree.terms.filter((t) => t.kind === 'mechanism');
  const redirect = tree.terms.some((t) => t.kind === 'modifier' && t.name === 'redirect');
  return !redirect && mechanisms.length === 1 && mechanisms[0]!.name === 'all' && mechanisms[0]!.qualifier === '-';
}

/** No mail can reach the domain through an MX: a null MX, or no MX record at all (the address, if any, aside). */
function noMx(mx: MxResult): boolean {
  if (mx.findings.some((f) => f.temporary)) return false;
  // An implicit MX is the domain's own address standing in for a missing MX record (RFC 5321 §5.1).
  return mx.implicit || mx.mx.length === 0;
}

export function postureProfile(c: Pick<PostureChecks, 'spf' | 'dmarc' | 'mx'>): PostureProfile {
  const dmarc: DmarcResult | null = c.dmarc;
  if (!deniesAll(c.spf?.tree) || dmarc?.appliedPolicy !== 'reject') return { name: 'sending', reason: '' };
  const d = c.spf!.domain;
  const sends = `SPF "v=spf1 -all" and DMARC p=reject say ${d} sends no mail`;
  if (c.mx && noMx(c.mx)) {
    let receives = 'with no MX record and no address it receives none';
    if (c.mx.nullMx) receives = 'with a null MX it receives none';
    else if (c.mx.implicit) receives = 'it has no MX record (only an address, which senders would try)';
    return { name: 'parked', reason: `${sends}, and ${receives}` };
  }
  return { name: 'non-sending', reason: `${sends}; it has MX hosts, so it receives mail` };
}

/** TXT at *.<domain>: the wildcard that gives made-up subdomains an SPF record too (asked for parked domains). */
export async function wildcardSpf(domain: string, resolver: Resolver): Promise<string[] | null> {
  const a = await resolver.lookup(`*.${domain}`, 'TXT');
  if (isTemporary(a)) return null;
  return recordsOf(a).map(txtJoin);
}

/** What the profile adds: which one was applied, and for a parked domain its own requirements. */
export function profileFindings(
  p: PostureProfile,
  c: Pick<PostureChecks, 'mx'>,
  domain: string,
  wildcard: string[] | null | undefined,
): PostureFinding[] {
  if (p.name === 'sending') return [];
  const out: PostureFinding[] = [
    {
      ...finding(
        `posture.profile.${p.name}`,
        'info',
        `Judged as ${p.name === 'parked' ? 'a parked domain' : 'a domain that sends no mail'}: ${p.reason}. ${NEEDED_NOT[p.name]}.`,
        { ref: 'M3AAWG Protecting Parked Domains BCP' },
      ),
      check: 'posture',
    },
  ];
  if (p.name !== 'parked') return out;
  const mx = c.mx!;
  if (mx.nullMx) {
    out.push({
      ...finding('mx.parked.null-mx', 'ok', `${domain} publishes a null MX: senders give up at once.`, {
        ref: 'RFC 7505',
      }),
      check: 'mx',
    });
  } else if (mx.implicit) {
    out.push({
      ...finding(
        'mx.parked.null-mx',
        'warn',
        `${domain} has an address but no MX record, so senders try to deliver mail to that address (implicit MX) and retry for days.`,
        { ref: 'RFC 7505 §4', advice: `Publish "${domain}. MX 0 ." to say it accepts no mail.` },
      ),
      check: 'mx',
    });
  }
  if (wildcard !== null && wildcard !== undefined) {
    const denied = wildcard.some((t) => /^v=spf1\s+-all\s*$/i.test(t.trim()));
    out.push({
      ...(denied
        ? finding('spf.parked.wildcard', 'ok', `*.${domain} has "v=spf1 -all": made-up subdomains send no mail either.`)
        : finding(
            'spf.parked.wildcard',
            'info',
            `Made-up subdomains of ${domain} have no SPF record: mail from them gets SPF none, not fail.`,
            {
              ref: 'M3AAWG Protecting Parked Domains BCP',
              advice: `Publish "*.${domain}. TXT "v=spf1 -all"" as well.`,
            },
          )),
      check: 'spf',
    });
  }
  return out;
}

/** The findings a domain of this profile does not need, kept as information. */
export function relaxForProfile<F extends Finding>(findings: F[], p: PostureProfile): F[] {
  if (p.name === 'sending') return findings;
  const notNeeded = NOT_NEEDED[p.name];
  const who = p.name === 'parked' ? 'a parked domain' : 'a domain that sends no mail';
  return findings.map((f) => {
    if (!notNeeded.has(f.id) || f.temporary) return f;
    // Kept as information, without the advice to publish what is not needed.
    const relaxed: F = { ...f, severity: 'info', message: `Not needed for ${who}: ${f.message}` };
    delete relaxed.advice;
    return relaxed;
  });
}
