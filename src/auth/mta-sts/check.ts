// `checkMtaSts`: the _mta-sts TXT record, the policy fetched over HTTPS from mta-sts.<domain> (RFC 8461 §3.3),
// and its mx patterns compared with the domain's real MX hosts (§4.1). DNS only through ctx.resolver.
import type { Context } from '../../core/context.js';
import { definedOnly } from '../../core/object.js';
import type { Step } from '../../core/result.js';
import { traceResolver } from '../../dns/trace.js';
import { recordsOf, txtJoin } from '../../dns/types.js';
import { httpsGet } from '../../https/get.js';
import { mtaStsFindings } from './lint.js';
import { matchingPattern, parseMtaStsPolicy } from './policy.js';
import { isMtaStsTxt, parseMtaStsRecord } from './record.js';
import type { MtaStsResult } from './types.js';

export interface CheckMtaStsOptions {
  /** Extra trust anchors (PEM) for the policy host's certificate. */
  ca?: string[];
  /** Connect to this port instead of 443 (tests). */
  port?: number;
  /** Largest policy read; RFC 8461 leaves the cap to senders, 64 KiB is what common ones use. */
  maxBytes?: number;
  /** Fetch from a loopback, private or reserved address too (see src/https/get.ts). */
  allowPrivate?: boolean;
}

export const POLICY_MAX_BYTES = 65_536;

export async function checkMtaSts(
  domain: string,
  ctx: Pick<Context, 'resolver' | 'timeoutMs'>,
  opts: CheckMtaStsOptions = {},
): Promise<MtaStsResult> {
  const trace = traceResolver(ctx.resolver);
  const maxBytes = opts.maxBytes ?? POLICY_MAX_BYTES;
  const [txt, mxAnswer] = await Promise.all([trace.lookup(`_mta-sts.${domain}`, 'TXT'), trace.lookup(domain, 'MX')]);
  const texts = recordsOf(txt).map(txtJoin);
  const records = texts.filter(isMtaStsTxt);
  const parsed = records.length === 1 ? parseMtaStsRecord(records[0]!) : null;
  const policyHost = `mta-sts.${domain}`;
  const policyUrl = `https://${policyHost}/.well-known/mta-sts.txt`;
  const base: Omit<MtaStsResult, 'findings' | 'steps'> = {
    kind: 'mta-sts',
    domain,
    lookup: txt.status,
    record: records[0] ?? null,
    records,
    discarded: texts.filter((t) => !isMtaStsTxt(t)),
    id: parsed?.id ?? null,
    recordErrors: parsed?.errors ?? [],
    policyHost,
    policyUrl,
    fetch: null,
    policyText: null,
    policy: null,
    mode: null,
    mxLookup: mxAnswer.status,
    mx: recordsOf(mxAnswer)
      .filter((m) => m.exchange !== '')
      .map((m) => ({ exchange: m.exchange, pattern: null })),
  };
  const extraSteps: Step[] = [];
  // Fetch whenever a v=STSv1 record exists, even a broken one: the report can then say what else is wrong.
  if (records.length) {
    const got = await httpsGet(
      policyUrl,
      definedOnly({
        resolver: trace,
        timeoutMs: ctx.timeoutMs,
        maxBytes,
        ca: opts.ca || undefined,
        port: opts.port || undefined,
        allowPrivate: opts.allowPrivate,
      }),
    );
    if (got.ok) {
      base.fetch = {
        url: policyUrl,
        status: got.status,
        contentType: got.contentType,
        location: got.location,
        address: got.address,
        bytes: got.body.length,
        truncated: got.truncated,
        maxBytes,
        ms: got.ms,
        certificate: got.certificate,
      };
      extraSteps.push({
        kind: 'tls',
        summary: `GET ${policyUrl} [${got.address}]:${got.port} → HTTP ${got.status}${got.contentType ? ` ${got.contentType}` : ''}, ${got.body.length} bytes`,
        ms: got.ms,
        ok: got.status === 200,
      });
      if (got.status === 200) {
        base.policyText = got.body.toString('utf8');
        base.policy = parseMtaStsPolicy(base.policyText);
        base.mode = base.policy.errors.length ? null : base.policy.mode;
        base.mx = base.mx.map((m) => ({ exchange: m.exchange, pattern: matchingPattern(base.policy!.mx, m.exchange) }));
      }
    } else {
      base.fetch = {
        url: policyUrl,
        status: 0,
        contentType: null,
        location: null,
        address: got.address ?? null,
        bytes: 0,
        truncated: false,
        maxBytes,
        ms: got.ms,
        certificate: null,
        error: { stage: got.stage, message: got.message, temporary: got.temporary },
      };
      if (got.alias) base.fetch.error!.alias = got.alias;
      extraSteps.push({
        kind: 'tls',
        summary: `GET ${policyUrl} → ${got.stage} failed: ${got.message}`,
        ms: got.ms,
        ok: false,
      });
    }
  }
  return { ...base, findings: mtaStsFindings(base), steps: [...trace.steps, ...extraSteps] };
}
