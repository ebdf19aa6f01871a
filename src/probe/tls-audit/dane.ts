// DANE in the TLS audit (RFC 7672, RFC 7671 §8; internet.nl `dane()`): do usable TLSA records exist at
// _<port>._tcp.<host> in a DNSSEC-validated answer, does one match the chain the server sent, and is there a
// rollover scheme — at least two records that survive a key change (3 x x + 3 x x, or 3 x x + 2 x x). Records and
// matching are src/auth/dane's; this only asks the question for one host. DNS through ctx.resolver.
import { isIP } from 'node:net';
import type { Context } from '../../core/context.js';
import { recordsOf, type TlsaRecord } from '../../dns/types.js';
import { describeTlsa, tlsaMatches, tlsaProblem } from '../../auth/dane/record.js';
import type { AuditDane } from './types.js';

export async function auditDane(
  host: string,
  port: number,
  chain: readonly Buffer[],
  ctx: Pick<Context, 'resolver'>,
): Promise<AuditDane | null> {
  if (isIP(host.replace(/^\[|\]$/g, ''))) return null;
  const name = `_${port}._tcp.${host.replace(/\.$/, '')}`;
  const l = await ctx.resolver.lookup(name, 'TLSA');
  const records = recordsOf(l) as TlsaRecord[];
  // A zone file stands for the signed zone it will become; from a resolver only an AD answer counts.
  const secure = l.status === 'ok' && (l.ad || l.server.startsWith('zone:'));
  const usable = records.filter((r) => tlsaProblem(r) === null);
  const base: AuditDane = {
    name,
    exists: secure && usable.length > 0,
    valid: null,
    rollover: null,
    records: records.map(describeTlsa),
    lookup: l.status,
  };
  if (l.status !== 'ok' && l.status !== 'nodata' && l.status !== 'nxdomain')
    return { ...base, note: `the TLSA lookup failed (${l.status.toUpperCase()})` };
  if (!usable.length) return records.length ? { ...base, note: 'no TLSA record is usable for SMTP' } : base;
  if (!secure) return { ...base, insecure: true, note: 'the TLSA answer was not DNSSEC-validated (no AD)' };
  const hit = chain.length ? usable.find((r) => tlsaMatches(r, chain)) : undefined;
  const eeCount = usable.filter((r) => r.usage === 3).length;
  const taCount = usable.filter((r) => r.usage === 2).length;
  const out: AuditDane = {
    ...base,
    valid: chain.length ? Boolean(hit) : null,
    rollover: eeCount > 1 || (eeCount > 0 && taCount > 0),
  };
  if (hit) out.matched = describeTlsa(hit);
  return out;
}
