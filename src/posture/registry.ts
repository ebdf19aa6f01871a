// The posture checks of `mailcheck check`, one entry each (registry-types.ts says what an entry holds). Order is
// the order of `checks` in the JSON, of the summary, of JUnit's test cases and of the policy's findings. Adding a
// check: its folder, an entry here, and if it has facts to show, a renderer in src/report/text/check-details.ts
// (CONTRIBUTING.md, "Adding a posture check").
import { checkBimi } from '../auth/bimi/check.js';
import { checkDane, hostsToMatch, withServedChains } from '../auth/dane/check.js';
import { fetchServedChain, type ServedChain } from '../auth/dane/served-chain.js';
import { checkDkim } from '../auth/dkim/check.js';
import { checkDmarc } from '../auth/dmarc/check.js';
import { checkDnssec } from '../auth/dnssec/check.js';
import { answerAuthentication, answerFindings } from '../auth/dnssec/lint.js';
import type { DnssecResult } from '../auth/dnssec/types.js';
import { checkMtaSts } from '../auth/mta-sts/check.js';
import { checkSpf } from '../auth/spf/check.js';
import { checkTlsRpt } from '../auth/tls-rpt/check.js';
import type { Context } from '../core/context.js';
import type { Finding } from '../core/result.js';
import { definedOnly } from '../core/object.js';
import { checkMx } from '../mx/check.js';
import type { MxResult } from '../mx/types.js';
import { probeTarget } from '../probe/check.js';
import type { ProbeOptions, ProbeResult } from '../probe/types.js';
import { checkDnsbl } from './dnsbl.js';
import { mxZonesDnssec } from './mx-dnssec.js';
import { mxIpv6 } from './mx-ipv6.js';
import {
  BIMI_POLICY,
  DANE_POLICY,
  DKIM_POLICY,
  DMARC_POLICY,
  DNSSEC_POLICY,
  MTA_STS_POLICY,
  MX_POLICY,
  SMTP_POLICY,
  SPF_POLICY,
  TLS_RPT_POLICY,
} from './policy-sections.js';
import {
  defineCheck,
  type AnyCheckEntry,
  type CheckEntry,
  type CheckOptions,
  type RunInput,
} from './registry-types.js';

/** Where most checks keep their findings. */
const own = (r: { findings: Finding[] }) => r.findings;

const BUILTIN = [
  defineCheck({
    key: 'mx',
    label: 'MX',
    policyId: 'mx',
    run: (x) => checkMx(x.domain, x.ctx),
    // IPv6 of the MX hosts (internet.nl): every host has AAAA, and with --smtp answers on it.
    finish: {
      needs: ['smtp'],
      run: (mx, _x, d) => {
        const v6 = mxIpv6(mx, d.smtp as ProbeResult | null | undefined);
        return v6.ipv6 ? { ...mx, ipv6: v6.ipv6, findings: [...mx.findings, ...v6.findings] } : mx;
      },
    },
    findings: own,
    policy: MX_POLICY,
  }),
  defineCheck({
    key: 'spf',
    label: 'SPF',
    policyId: 'spf',
    run: (x) => checkSpf({ domain: x.domain }, x.ctx),
    findings: own,
    policy: SPF_POLICY,
  }),
  defineCheck({
    key: 'dkim',
    label: 'DKIM',
    policyId: 'dkim',
    run: (x) => checkDkim(x.domain, x.ctx, x.opts.selectors?.length ? { selectors: x.opts.selectors } : {}),
    findings: own,
    policy: DKIM_POLICY,
  }),
  defineCheck({
    key: 'dmarc',
    label: 'DMARC',
    policyId: 'dmarc',
    run: (x) => checkDmarc(x.domain, x.ctx),
    findings: own,
    policy: DMARC_POLICY,
  }),
  defineCheck({
    key: 'mtaSts',
    label: 'MTA-STS',
    policyId: 'mta-sts',
    run: (x) =>
      checkMtaSts(
        x.domain,
        x.ctx,
        definedOnly({ ca: x.opts.ca, port: x.opts.mtaStsPort || undefined, allowPrivate: x.opts.allowPrivate }),
      ),
    findings: own,
    policy: MTA_STS_POLICY,
  }),
  defineCheck({
    key: 'tlsRpt',
    label: 'TLS-RPT',
    policyId: 'tls-rpt',
    run: (x) => checkTlsRpt(x.domain, x.ctx),
    findings: own,
    policy: TLS_RPT_POLICY,
  }),
  defineCheck({
    key: 'bimi',
    label: 'BIMI',
    policyId: 'bimi',
    run: (x) =>
      checkBimi(
        x.domain,
        x.ctx,
        definedOnly({ fetch: Boolean(x.opts.fetch), ca: x.opts.ca, allowPrivate: x.opts.allowPrivate }),
      ),
    findings: own,
    policy: BIMI_POLICY,
  }),
  defineCheck({
    key: 'dnssec',
    label: 'DNSSEC',
    policyId: 'dnssec',
    run: (x) => checkDnssec(x.domain, x.ctx),
    // The MX hosts' own zones (internet.nl's "DNSSEC of the mail servers"), next to the domain's.
    alongside: {
      needs: ['mx', 'dnssec'],
      run: (x, d) => {
        const mx = d.mx as MxResult | null;
        const dnssec = d.dnssec as DnssecResult | null;
        return mx && dnssec ? mxZonesDnssec(x.domain, mx, dnssec, x.ctx) : Promise.resolve(null);
      },
    },
    finish: {
      needs: [],
      run: (dnssec, _x, _d, zones) =>
        zones
          ? {
              ...dnssec,
              mx: zones.zones,
              findings: [...dnssec.findings, ...zones.findings],
              steps: [...dnssec.steps, ...zones.steps],
            }
          : dnssec,
    },
    // How many of every check's answers were authenticated (AD): read once all have finished.
    settle: (dnssec, x) => {
      const a = answerAuthentication(x.answers(), x.domain);
      return {
        ...dnssec,
        answers: { total: a.total, authenticated: a.authenticated },
        findings: [...dnssec.findings, ...answerFindings(dnssec, a)],
      };
    },
    findings: own,
    policy: DNSSEC_POLICY,
  }),
  defineCheck({
    key: 'dane',
    label: 'DANE',
    policyId: 'dane',
    // TLSA names stay _25._tcp.<mx>, the port senders use, even when a test points --smtp-port elsewhere.
    needs: ['dnssec'],
    run: (x, d) => checkDane(x.domain, x.ctx, { signed: (d.dnssec as DnssecResult | null)?.signed === true }),
    // With --smtp, DANE against the certificates actually served: one handshake per MX host with usable TLSA.
    finish: {
      needs: ['mx'],
      run: (dane, x, d) => {
        const mx = d.mx as MxResult | null;
        if (!x.opts.smtp || !mx) return dane;
        return servedChains(hostsToMatch(dane), mx, x.shared, x.opts.smtpPort ?? 25).then((chains) =>
          withServedChains(dane, chains),
        );
      },
    },
    findings: own,
    policy: DANE_POLICY,
  }),
  defineCheck({
    key: 'smtp',
    label: 'SMTP',
    policyId: 'smtp',
    applies: (o) => Boolean(o.smtp),
    run: (x) => probeTarget(x.domain, x.ctx, smtpOptions(x.opts, x.start)),
    findings: own,
    policy: SMTP_POLICY,
  }),
  defineCheck({
    key: 'dnsbl',
    label: 'DNSBL',
    policyId: 'dnsbl',
    applies: (o) => Boolean(o.dnsbl?.length),
    needs: ['mx'],
    run: (x, d) => checkDnsbl(mxAddresses(d.mx as MxResult | null), x.opts.dnsbl!, x.ctx),
    findings: own,
  }),
] as const;

type Builtin = (typeof BUILTIN)[number];

/** The keys of the built-in checks (a check added at run time, as in a test, is a string beyond these). */
export type CheckName = Builtin['key'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ResultOf<E> = E extends CheckEntry<string, infer R, any, any> ? R : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PolicyOf<E> = E extends CheckEntry<string, any, infer P, any> ? P : never;
type Optional<E> = E extends Pick<Required<CheckEntry>, 'applies'> ? true : false;

/** `checks` of a posture: every check's own result, null when it did not finish; optional ones only when run. */
export type PostureChecks = {
  [E in Builtin as Optional<E> extends true ? never : E['key']]: ResultOf<E> | null;
} & {
  [E in Builtin as Optional<E> extends true ? E['key'] : never]?: ResultOf<E> | null;
};

/** Each check's section of the policy file, typed by its judge. */
// NB: checks without a section (dnsbl) have P = never and are left out.
export type PolicySections = {
  [E in Builtin as [PolicyOf<E>] extends [never] ? never : E['key']]?: PolicyOf<E>;
};

const entries: AnyCheckEntry[] = [...BUILTIN];
let byKey = new Map(entries.map((e) => [e.key, e]));

/** The checks, in order. */
export function checkEntries(): readonly AnyCheckEntry[] {
  return entries;
}

export function checkEntry(key: string): AnyCheckEntry | undefined {
  return byKey.get(key);
}

/** The check's name in tables and JUnit ("MTA-STS"). */
export function checkLabel(key: string): string {
  return byKey.get(key)?.label ?? key;
}

/**
 * Adds a check after the built-in ones (or before the entry named `before`); returns how to take it out again.
 * For tests and experiments: the built-in checks are the list above.
 */
export function registerCheck(e: AnyCheckEntry, o: { before?: string } = {}): () => void {
  if (byKey.has(e.key)) throw new Error(`a posture check '${e.key}' is already registered`);
  const at = o.before ? entries.findIndex((x) => x.key === o.before) : -1;
  entries.splice(at < 0 ? entries.length : at, 0, e);
  byKey = new Map(entries.map((x) => [x.key, x]));
  return () => {
    const i = entries.indexOf(e);
    if (i >= 0) entries.splice(i, 1);
    byKey = new Map(entries.map((x) => [x.key, x]));
  };
}

/** Every MX address; with tlsAudit, audited until a second before the domain's budget ends. */
function smtpOptions(opts: CheckOptions, start: number): ProbeOptions {
  const o: ProbeOptions = { all: true };
  if (opts.smtpPort) o.port = opts.smtpPort;
  if (opts.ca) o.ca = opts.ca;
  // TLSA names stay _25._tcp.<mx>, as for the DANE check, whatever port a test points --smtp-port at.
  if (opts.tlsAudit) {
    o.tlsAudit = { danePort: 25 };
    if (opts.budgetMs) {
      o.tlsAudit.budgetMs = opts.budgetMs;
      o.tlsAudit.deadline = start + opts.budgetMs - 1000;
    }
  }
  return o;
}

function mxAddresses(mx: MxResult | null): { exchange: string; address: string }[] {
  return mx ? mx.mx.flatMap((h) => h.addresses.map((a) => ({ exchange: h.exchange, address: a.address }))) : [];
}

async function servedChains(
  exchanges: string[],
  mx: MxResult,
  ctx: Context,
  port: number,
): Promise<Map<string, ServedChain>> {
  const out = new Map<string, ServedChain>();
  await Promise.all(
    exchanges.map(async (exchange) => {
      const address = mx.mx.find((h) => h.exchange === exchange)?.addresses[0]?.address;
      out.set(
        exchange,
        address
          ? await fetchServedChain({ exchange, address, port }, ctx)
          : { ok: false, temporary: false, message: `${exchange} has no address` },
      );
    }),
  );
  return out;
}

export type { RunInput };
