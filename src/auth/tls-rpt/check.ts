// `checkTlsRpt`: the _smtp._tls TXT record of SMTP TLS Reporting (RFC 8460 §3). DNS only through ctx.resolver.
import type { Context } from '../../core/context.js';
import { traceResolver } from '../../dns/trace.js';
import { recordsOf, txtJoin } from '../../dns/types.js';
import { tlsRptFindings } from './lint.js';
import { isTlsRptTxt, parseTlsRptRecord } from './record.js';
import type { TlsRptResult } from './types.js';

export async function checkTlsRpt(domain: string, ctx: Pick<Context, 'resolver'>): Promise<TlsRptResult> {
  const trace = traceResolver(ctx.resolver);
  const answer = await trace.lookup(`_smtp._tls.${domain}`, 'TXT');
  const texts = recordsOf(answer).map(txtJoin);
  const records = texts.filter(isTlsRptTxt);
  const parsed = records.length === 1 ? parseTlsRptRecord(records[0]!) : null;
  const base: Omit<TlsRptResult, 'findings' | 'steps'> = {
    kind: 'tls-rpt',
    domain,
    lookup: answer.status,
    record: records[0] ?? null,
    records,
    discarded: texts.filter((t) => !isTlsRptTxt(t)),
    rua: parsed?.rua.map((u) => u.raw) ?? [],
    parsed,
  };
  return { ...base, findings: tlsRptFindings(base), steps: trace.steps };
}
