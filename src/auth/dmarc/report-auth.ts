// External report destinations (RFC 7489 §7.1): a rua/ruf address outside the policy domain's
// organizational domain only gets reports if <policy-domain>._report._dmarc.<host> says v=DMARC1.
import { definedOnly } from '../../core/object.js';
import { finding } from '../../core/result.js';
import { isTemporary, recordsOf, txtJoin, type LookupStatus, type Resolver } from '../../dns/types.js';
import type { DmarcFinding } from './lint.js';
import { organizationalDomain } from '../shared/org-domain.js';
import { isDmarcRecord, type DmarcRecord } from './record.js';

export interface DmarcReportDestination {
  tag: 'rua' | 'ruf';
  uri: string;
  address: string;
  domain: string;
  /** Outside the organizational domain of the record's domain: needs authorization. */
  external: boolean;
  /** The name asked: <record-domain>._report._dmarc.<domain> (external only). */
  authorizationName: string | null;
  /** true/false for external destinations; null when not external or the lookup failed. */
  authorized: boolean | null;
  lookup?: LookupStatus;
  /** The authorizing record, when found. */
  authorizationRecord?: string;
}

export async function checkReportDestinations(
  recordDomain: string,
  r: DmarcRecord,
  resolver: Resolver,
): Promise<{ destinations: DmarcReportDestination[]; findings: DmarcFinding[] }> {
  const org = organizationalDomain(recordDomain);
  const uris = [
    ...r.rua.map((u) => ({ tag: 'rua' as const, u })),
    ...r.ruf.map((u) => ({ tag: 'ruf' as const, u })),
  ].filter(({ u }) => !u.error && u.scheme === 'mailto' && u.domain);
  // One lookup per destination host, however many addresses point there.
  const answers = new Map<string, ReturnType<Resolver['lookup']>>();
  const destinations = await Promise.all(
    uris.map(async ({ tag, u }): Promise<DmarcReportDestination> => {
      const domain = u.domain!;
      const base = { tag, uri: u.raw, address: u.address!, domain };
      if (organizationalDomain(domain) === org)
        return { ...base, external: false, authorizationName: null, authorized: null };
      const name = `${recordDomain}._report._dmarc.${domain}`;
      if (!answers.has(name)) answers.set(name, resolver.lookup(name, 'TXT'));
      const answer = await answers.get(name)!;
      if (isTemporary(answer))
        return { ...base, external: true, authorizationName: name, authorized: null, lookup: answer.status };
      const record = recordsOf(answer)
        .map((x) => txtJoin(x as string[]))
        .find(isDmarcRecord);
      return definedOnly({
        ...base,
        external: true,
        authorizationName: name,
        authorized: Boolean(record),
        lookup: answer.status,
        authorizationRecord: record || undefined,
      });
    }),
  );

  const findings: DmarcFinding[] = [];
  const seen = new Set<string>();
  for (const d of destinations) {
    if (!d.external || seen.has(d.domain)) continue;
    seen.add(d.domain);
    const tags = [...new Set(destinations.filter((x) => x.domain === d.domain).map((x) => x.tag))].join('/');
    if (d.authorized === null) {
      findings.push(
        finding(
          'dmarc.report.temporary',
          'warn',
          `The authorization lookup ${d.authorizationName} failed (${d.lookup?.toUpperCase()}): unknown whether ${d.domain} accepts ${tags} reports for ${recordDomain}.`,
          { temporary: true, ref: 'RFC 7489 §7.1' },
        ),
      );
    } else if (d.authorized) {
      findings.push(
        finding(
          'dmarc.report.authorized',
          'ok',
          `External ${tags} destination ${d.domain} has authorized reports for ${recordDomain} (${d.authorizationName}).`,
          { ref: 'RFC 7489 §7.1' },
        ),
      );
    } else {
      findings.push(
        finding(
          'dmarc.report.unauthorized',
          'warn',
          `External ${tags} destination ${d.domain} has not authorized reports for ${recordDomain} (no v=DMARC1 record at ${d.authorizationName}): receivers will not send reports there.`,
          {
            ref: 'RFC 7489 §7.1',
            advice: `Have ${d.domain} publish ${d.authorizationName}. TXT "v=DMARC1", or send reports to an address under ${org}.`,
          },
        ),
      );
    }
  }
  return { destinations, findings };
}
