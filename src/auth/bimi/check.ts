// `checkBimi`: the default._bimi record of the domain, else of its organizational domain (BIMI draft §4.4); with
// `fetch`, the logo and the mark certificate over HTTPS. DNS only through ctx.resolver.
import type { Context } from '../../core/context.js';
import type { Step } from '../../core/result.js';
import { traceResolver } from '../../dns/trace.js';
import { isTemporary, recordsOf, txtJoin, type LookupStatus, type Resolver } from '../../dns/types.js';
import { httpsGet } from '../../https/get.js';
import { organizationalDomain } from '../shared/org-domain.js';
import { bimiFindings } from './lint.js';
import { isBimiTxt, parseBimiRecord } from './record.js';
import { inspectSvg } from './svg.js';
import type { BimiAsset, BimiResult } from './types.js';
import { inspectVmc } from './vmc.js';

export interface CheckBimiOptions {
  selector?: string;
  /** Fetch the logo and the certificate (off by default: a posture check should not download assets). */
  fetch?: boolean;
  ca?: string[];
  now?: () => Date;
  /** Fetch from a loopback, private or reserved address too (see src/https/get.ts). */
  allowPrivate?: boolean;
}

export async function checkBimi(
  domain: string,
  ctx: Pick<Context, 'resolver' | 'timeoutMs' | 'now'>,
  opts: CheckBimiOptions = {},
): Promise<BimiResult> {
  const trace = traceResolver(ctx.resolver);
  const selector = opts.selector ?? 'default';
  const orgDomain = organizationalDomain(domain);
  let at = await fetchRecords(`${selector}._bimi.${domain}`, trace);
  let recordDomain = domain;
  if (!isTemporary({ status: at.status }) && !at.records.length && orgDomain !== domain) {
    at = await fetchRecords(`${selector}._bimi.${orgDomain}`, trace);
    recordDomain = orgDomain;
  }
  const parsed = at.records.length === 1 ? parseBimiRecord(at.records[0]!) : null;
  const base: Omit<BimiResult, 'findings' | 'steps'> = {
    kind: 'bimi',
    domain,
    selector,
    orgDomain,
    recordDomain: at.records.length ? recordDomain : null,
    recordName: at.records.length ? at.name : null,
    lookup: at.status,
    record: at.records[0] ?? null,
    records: at.records,
    discarded: at.discarded,
    location: parsed?.location ?? null,
    authority: parsed?.authority ?? null,
    declined: parsed?.declined ?? false,
    parsed,
    logo: null,
    vmc: null,
  };
  const steps: Step[] = [];
  if (opts.fetch && parsed && !parsed.errors.length) {
    const get = (url: string, maxBytes: number) =>
      fetchAsset(
        url,
        trace,
        { timeoutMs: ctx.timeoutMs, maxBytes, ca: opts.ca, allowPrivate: opts.allowPrivate },
        steps,
      );
    const [logo, vmc] = await Promise.all([
      parsed.location && /^https:/i.test(parsed.location) ? get(parsed.location, 2 * 32_768) : null,
      parsed.authority && /^https:/i.test(parsed.authority) ? get(parsed.authority, 256 * 1024) : null,
    ]);
    if (logo) {
      base.logo = { ...logo.asset };
      if (logo.body && logo.asset.status === 200) base.logo.svg = inspectSvg(logo.body);
    }
    if (vmc) {
      base.vmc = { ...vmc.asset };
      if (vmc.body && vmc.asset.status === 200)
        base.vmc.vmc = inspectVmc(vmc.body.toString('utf8'), { domain, orgDomain, now: (opts.now ?? ctx.now)() });
    }
  }
  return { ...base, findings: bimiFindings(base), steps: [...trace.steps, ...steps] };
}

async function fetchRecords(
  name: string,
  resolver: Resolver,
): Promise<{ name: string; status: LookupStatus; records: string[]; discarded: string[] }> {
  const answer = await resolver.lookup(name, 'TXT');
  const texts = recordsOf(answer).map(txtJoin);
  return {
    name,
    status: answer.status,
    records: texts.filter(isBimiTxt),
    discarded: texts.filter((t) => !isBimiTxt(t)),
  };
}

async function fetchAsset(
  url: string,
  resolver: Resolver,
  o: { timeoutMs: number; maxBytes: number; ca?: string[]; allowPrivate?: boolean },
  steps: Step[],
): Promise<{ asset: BimiAsset; body?: Buffer }> {
  const got = await httpsGet(url, { resolver, ...o });
  if (!got.ok) {
    steps.push({ kind: 'tls', summary: `GET ${url} → ${got.stage} failed: ${got.message}`, ms: got.ms, ok: false });
    return {
      asset: {
        url,
        status: 0,
        contentType: null,
        bytes: 0,
        truncated: false,
        ms: got.ms,
        error: { stage: got.stage, message: got.message, temporary: got.temporary },
      },
    };
  }
  steps.push({
    kind: 'tls',
    summary: `GET ${url} → HTTP ${got.status}, ${got.body.length} bytes`,
    ms: got.ms,
    ok: got.status === 200,
  });
  return {
    asset: {
      url,
      status: got.status,
      contentType: got.contentType,
      bytes: got.body.length,
      truncated: got.truncated,
      ms: got.ms,
    },
    body: got.body,
  };
}
