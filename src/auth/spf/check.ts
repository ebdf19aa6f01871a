// `mailcheck spf`: fetch the record and its include/redirect tree, lint it, and with a client IP run
// check_host() (RFC 7208). I/O only through ctx.resolver (so --zone, --resolver, the cache and -v apply).
import type { Context } from '../../core/context.js';
import { definedOnly } from '../../core/object.js';
import { finding, type Finding } from '../../core/result.js';
import { traceResolver } from '../../dns/trace.js';
import { txtJoin } from '../../dns/types.js';
import { checkHost, initialDomainProblem } from './evaluate.js';
import { spfInputs } from './identity.js';
import { lintSpf } from './lint.js';
import { buildSpfTree } from './tree.js';
import type { SpfEvaluation, SpfResult } from './types.js';

export type { SpfResult, SpfResultCode, SpfTree, SpfEvaluation } from './types.js';

export interface CheckSpfOptions {
  /** Also ask for the obsolete SPF RR type (99), only to warn when it is published (`spf.rr-type.spf`). */
  spfRrType?: boolean;
}

export async function checkSpf(
  input: { domain?: string; ip?: string; sender?: string; helo?: string },
  ctx: Context,
  opts: CheckSpfOptions = {},
): Promise<SpfResult> {
  const { domain, sender, helo, ip } = spfInputs(input);
  const trace = traceResolver(ctx.resolver);
  // A HELO that is no domain (an address literal, one label, any text a client sent) names no record to fetch:
  // check_host() gives none at once (RFC 7208 §4.3), and there is no tree to walk.
  const badName = initialDomainProblem(domain);
  const tree = badName
    ? {
        domain,
        record: null,
        status: 'bad-name' as const,
        note: badName,
        errors: [],
        terms: [],
        lookups: 0,
        voidLookups: 0,
      }
    : await buildSpfTree(trace, domain, { sender, helo, ip });
  // SPF records are published only as TXT (RFC 7208 §3.1); type 99 is obsolete (§14.1) and no receiver reads it,
  // so by default it costs no query. Opt-in, for audits of old zones. Failures here mean nothing.
  let spfRrType: string[] | undefined;
  if (opts.spfRrType && tree.status !== 'temporary' && !badName) {
    const rr = await trace.lookup(domain, 'SPF');
    if (rr.status === 'ok' && rr.records.length) spfRrType = rr.records.map(txtJoin);
  }
  const evaluation = ip ? await checkHost(trace, { ip, sender, helo, domain, now: ctx.now }) : undefined;
  const findings = lintSpf(tree, { spfRrType });
  if (evaluation) findings.unshift(resultFinding(evaluation, ip!, domain));
  return definedOnly({
    kind: 'spf',
    domain,
    record: tree.record,
    lookups: tree.lookups,
    voidLookups: tree.voidLookups,
    tree,
    result: evaluation?.result,
    explanation: evaluation?.explanation,
    findings,
    steps: trace.steps,
    identity: definedOnly({ ip: ip || undefined, sender, helo: helo || undefined }),
    evaluation,
    spfRrType,
  });
}

/** The check_host() verdict as a finding: pass is ok, temperror is temporary, anything else fails. */
export function resultFinding(e: SpfEvaluation, ip: string, domain: string): Finding {
  const id = `spf.result.${e.result}`;
  const ref = 'RFC 7208 §2.6';
  switch (e.result) {
    case 'pass':
      return finding(id, 'ok', `${ip} may send mail for ${domain} (pass): ${e.reason}.`, { ref });
    case 'temperror':
      return finding(id, 'fail', `No verdict for ${ip} and ${domain} (temperror): ${e.reason}.`, {
        ref,
        temporary: true,
      });
    case 'fail':
      return finding(
        id,
        'fail',
        `${ip} is not allowed to send mail for ${domain} (fail): ${e.reason}.${e.explanation ? ` The domain explains: "${e.explanation}"` : ''}`,
        { ref },
      );
    case 'softfail':
      return finding(id, 'fail', `${ip} is probably not allowed to send mail for ${domain} (softfail): ${e.reason}.`, {
        ref,
      });
    case 'neutral':
      return finding(id, 'fail', `${domain} says nothing about ${ip} (neutral): ${e.reason}.`, { ref });
    case 'none':
      return finding(id, 'fail', `No SPF verdict for ${domain} (none): ${e.reason}.`, { ref });
    case 'permerror':
      return finding(id, 'fail', `The SPF policy of ${domain} cannot be evaluated (permerror): ${e.reason}.`, { ref });
  }
}
