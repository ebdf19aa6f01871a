// DNSSEC of the mail exchanges' zones, as internet.nl's mail test checks it ("dnssec mx-exists", "mx-valid"): a
// sender resolves the MX host's address in that zone, and DANE for it needs that zone signed. An MX host in the
// domain's own zone shares the domain's verdict (no second lookup, no second finding); any other zone (the MX host's
// organizational domain) is asked once per check. Findings under the DNSSEC check. DNS only through ctx.resolver.
import { organizationalDomain } from '../auth/shared/org-domain.js';
import { checkDnssec } from '../auth/dnssec/check.js';
import type { DnssecResult, MxZoneDnssec } from '../auth/dnssec/types.js';

export type { MxZoneDnssec } from '../auth/dnssec/types.js';
import type { Context } from '../core/context.js';
import { finding, type Finding, type Step } from '../core/result.js';
import type { MxResult } from '../mx/types.js';

export async function mxZonesDnssec(
  domain: string,
  mx: MxResult,
  own: DnssecResult,
  ctx: Pick<Context, 'resolver'>,
): Promise<{ zones: MxZoneDnssec[]; findings: Finding[]; steps: Step[] }> {
  const ownOrg = organizationalDomain(domain);
  const asked = new Map<string, Promise<DnssecResult>>();
  const exchanges = [...new Set(mx.mx.filter((h) => h.status !== 'ip-literal').map((h) => h.exchange))];
  const zones = await Promise.all(
    exchanges.map(async (exchange): Promise<MxZoneDnssec> => {
      const org = organizationalDomain(exchange);
      const sameZone = org === ownOrg || org === own.zone;
      let r = own;
      if (!sameZone) {
        if (!asked.has(org)) asked.set(org, checkDnssec(org, ctx));
        r = await asked.get(org)!;
      }
      const z: MxZoneDnssec = {
        exchange,
        zone: r.zone,
        sameZone,
        signed: r.signed,
        validated: r.validated,
        source: r.source,
      };
      const broken = r.findings.find((f) => f.severity === 'fail' && !f.temporary);
      if (broken) z.problem = broken.message;
      if (r.findings.some((f) => f.temporary)) z.temporary = true;
      return z;
    }),
  );
  const steps = (await Promise.all(asked.values())).flatMap((r) => r.steps);
  return { zones, findings: mxDnssecFindings(zones), steps };
}

/** One finding per kind of outcome over the MX hosts in other zones; the domain's own zone is said already. */
export function mxDnssecFindings(zones: readonly MxZoneDnssec[]): Finding[] {
  const other = zones.filter((z) => !z.sameZone);
  if (!other.length) return [];
  const ref = 'internet.nl mail test: DNSSEC of the mail servers';
  /** "The zone provider.test (MX mx1.provider.test, mx2.provider.test) is" / "The zones … are". */
  const list = (zs: MxZoneDnssec[]) => {
    const byZone = new Map<string, string[]>();
    for (const z of zs) byZone.set(z.zone, [...(byZone.get(z.zone) ?? []), z.exchange]);
    const text = [...byZone].map(([zone, hosts]) => `${zone} (MX ${hosts.join(', ')})`).join(', ');
    return byZone.size > 1 ? `The zones ${text} are` : `The zone ${text} is`;
  };
  const out: Finding[] = [];
  const temporary = other.filter((z) => z.temporary);
  const broken = other.filter((z) => !z.temporary && z.problem);
  const local = other.filter((z) => !z.temporary && !z.problem && z.source !== 'resolver');
  const rest = other.filter((z) => !z.temporary && !z.problem && z.source === 'resolver');
  const unsigned = rest.filter((z) => z.signed === false);
  const unvalidated = rest.filter((z) => z.signed === true && !z.validated);
  const good = rest.filter((z) => z.signed === true && z.validated);
  if (temporary.length)
    out.push(
      finding('dnssec.mx.temporary', 'warn', `${list(temporary)} without a DNSSEC verdict: the lookups failed.`, {
        temporary: true,
      }),
    );
  for (const z of broken)
    out.push(
      finding(
        'dnssec.mx.broken',
        'fail',
        `The zone of MX host ${z.exchange} is broken for validating resolvers: ${z.problem} Senders that validate cannot resolve the MX host.`,
        { ref },
      ),
    );
  if (unsigned.length)
    out.push(
      finding(
        'dnssec.mx.unsigned',
        'info',
        `${list(unsigned)} not DNSSEC-signed: the MX hosts' addresses can be forged, and DANE cannot protect mail to them.`,
        { ref, advice: 'Ask the mail host to sign its zone, or use MX hosts in a signed zone.' },
      ),
    );
  if (unvalidated.length)
    out.push(
      finding(
        'dnssec.mx.not-validated',
        'info',
        `${list(unvalidated)} signed (DS published), but the answers came without AD: the resolver does not validate.`,
        { ref, advice: 'Ask a validating resolver (--resolver) to confirm.' },
      ),
    );
  if (local.length)
    out.push(
      finding(
        'dnssec.mx.local',
        'info',
        `${list(local)} answered from a local zone file or not at all (offline): no DNSSEC verdict.`,
      ),
    );
  if (good.length && good.length === other.length)
    out.push(finding('dnssec.mx.validated', 'ok', `${list(good)} DNSSEC-signed and validated.`, { ref }));
  return out;
}
