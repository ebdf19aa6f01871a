// `checkPosture`: the whole mail posture of one domain. Only calls the other check* functions (concurrently, on one
// shared resolver so every name is asked once) and nests their results; then the cross-checks, the policy and the
// summary. A time budget turns whatever has not finished into "unknown".
import { checkBimi } from '../auth/bimi/check.js';
import { checkDane, hostsToMatch, withServedChains } from '../auth/dane/check.js';
import { fetchServedChain, type ServedChain } from '../auth/dane/served-chain.js';
import { checkDkim } from '../auth/dkim/check.js';
import { checkDmarc } from '../auth/dmarc/check.js';
import { checkDnssec } from '../auth/dnssec/check.js';
import { answerAuthentication, answerFindings, stepAnswers } from '../auth/dnssec/lint.js';
import { checkMtaSts } from '../auth/mta-sts/check.js';
import { checkSpf } from '../auth/spf/check.js';
import { checkTlsRpt } from '../auth/tls-rpt/check.js';
import type { Context } from '../core/context.js';
import { finding, type Finding, type Step } from '../core/result.js';
import { quietSteps, type AnswerNote } from '../dns/trace.js';
import { checkMx } from '../mx/check.js';
import type { MxResult } from '../mx/types.js';
import { probeTarget } from '../probe/check.js';
import type { ProbeOptions } from '../probe/types.js';
import { budgetResolver, expiry } from './budget.js';
import { crossFindings } from './cross.js';
import { mxZonesDnssec } from './mx-dnssec.js';
import { mxIpv6 } from './mx-ipv6.js';
import { checkDnsbl } from './dnsbl.js';
import { isIgnored, type Policy } from './policy.js';
import { policyFindings } from './policy-eval.js';
import { postureProfile, profileFindings, relaxForProfile, wildcardSpf, type PostureProfile } from './profile.js';
import { summarize } from './summary.js';
import { CHECK_NAMES, type CheckName, type PostureChecks, type PostureFinding, type PostureResult } from './types.js';

export interface PostureOptions {
  /** DKIM selectors to look up; none means the built-in discovery list. */
  selectors?: string[];
  /** Probe every MX host over SMTP (STARTTLS, certificate), and match DANE against what they serve. */
  smtp?: boolean;
  /** With smtp: audit each MX address's TLS test by test (src/probe/tls-audit), within the domain's budget. */
  tlsAudit?: boolean;
  smtpPort?: number;
  /** Fetch BIMI assets (the logo, the mark certificate). */
  fetch?: boolean;
  /** Extra trust anchors (PEM) for HTTPS and SMTP certificates. */
  ca?: string[];
  /** Port for the MTA-STS policy host instead of 443 (tests). */
  mtaStsPort?: number;
  /** Fetch MTA-STS and BIMI from loopback, private or reserved addresses too (DNS names them; a lab, a test). */
  allowPrivate?: boolean;
  /** DNS blocklist zones to look every MX address up in. */
  dnsbl?: string[];
  /** The whole domain must finish within this many milliseconds, else what is left is "unknown". */
  budgetMs?: number;
  policy?: Policy;
  strict?: boolean;
  /** Record each check's DNS steps (default true). A batch that streams results without them turns this off:
   *  lookups then build no step, and DNSSEC's count of authenticated answers comes from bare notes instead. */
  steps?: boolean;
}

/** After the budget runs out, checks get this long to wind down with their "timeout" answers. */
const GRACE_MS = 250;

export async function checkPosture(domain: string, ctx: Context, opts: PostureOptions = {}): Promise<PostureResult> {
  const start = performance.now();
  const budget = new AbortController();
  const timer = opts.budgetMs ? setTimeout(() => budget.abort(), opts.budgetMs) : undefined;
  const c: Context = opts.budgetMs
    ? Object.assign({}, ctx, { resolver: budgetResolver(ctx.resolver, budget.signal) })
    : ctx;
  // Without steps, each check gets its own answer notes, kept in check order as its steps would have been.
  const notes = opts.steps === false ? new Map<CheckName, AnswerNote[]>() : undefined;
  // A check asked twice (DNSSEC, then the MX hosts' zones) adds to its notes, as its steps are appended.
  const cx = (check: CheckName): Context => {
    if (!notes) return c;
    let log = notes.get(check);
    if (!log) notes.set(check, (log = []));
    return Object.assign({}, c, { resolver: quietSteps(c.resolver, log) });
  };
  const errors: PostureFinding[] = [];
  // Without a budget nothing ever expires; with one, every check races the same expiry.
  const expired = opts.budgetMs ? expiry(budget.signal, GRACE_MS) : undefined;
  // A bug in one check must not sink a batch of thousands: it becomes a finding on that check.
  const guard = <T>(check: CheckName, p: Promise<T>): Promise<T | null> =>
    (expired ? Promise.race([p, expired]) : p).catch((e: unknown) => {
      errors.push({
        ...finding(
          'posture.check.error',
          'fail',
          `The ${check} check failed with an internal error: ${(e as Error)?.message ?? String(e)}.`,
        ),
        check,
      });
      return null;
    });

  try {
    const mxP = guard('mx', checkMx(domain, cx('mx')));
    const dnssecP = guard('dnssec', checkDnssec(domain, cx('dnssec')));
    const [mx, spf, dkim, dmarc, mtaSts, tlsRpt, bimi, dnssec, dane, smtp, dnsbl, mxZones] = await Promise.all([
      mxP,
      guard('spf', checkSpf({ domain }, cx('spf'))),
      guard('dkim', checkDkim(domain, cx('dkim'), opts.selectors?.length ? { selectors: opts.selectors } : {})),
      guard('dmarc', checkDmarc(domain, cx('dmarc'))),
      guard(
        'mtaSts',
        checkMtaSts(domain, cx('mtaSts'), {
          ...(opts.ca ? { ca: opts.ca } : {}),
          ...(opts.mtaStsPort ? { port: opts.mtaStsPort } : {}),
          allowPrivate: opts.allowPrivate,
        }),
      ),
      guard('tlsRpt', checkTlsRpt(domain, cx('tlsRpt'))),
      guard(
        'bimi',
        checkBimi(domain, cx('bimi'), {
          fetch: Boolean(opts.fetch),
          ...(opts.ca ? { ca: opts.ca } : {}),
          allowPrivate: opts.allowPrivate,
        }),
      ),
      dnssecP,
      // TLSA names stay _25._tcp.<mx>, the port senders use, even when a test points --smtp-port elsewhere.
      guard(
        'dane',
        dnssecP.then((d) => checkDane(domain, cx('dane'), { signed: d?.signed === true })),
      ),
      opts.smtp ? guard('smtp', probeTarget(domain, cx('smtp'), smtpOptions(opts, start))) : undefined,
      opts.dnsbl?.length
        ? guard(
            'dnsbl',
            mxP.then((m) => checkDnsbl(mxAddresses(m), opts.dnsbl!, cx('dnsbl'))),
          )
        : undefined,
      // The MX hosts' own zones (internet.nl's "DNSSEC of the mail servers"), next to the domain's.
      guard(
        'dnssec',
        Promise.all([mxP, dnssecP]).then(([m, d]) => (m && d ? mxZonesDnssec(domain, m, d, cx('dnssec')) : null)),
      ),
    ]);
    const checks: PostureChecks = { mx, spf, dkim, dmarc, mtaSts, tlsRpt, bimi, dnssec, dane };
    if (smtp !== undefined) checks.smtp = smtp;
    if (dnsbl !== undefined) checks.dnsbl = dnsbl;

    // DANE against the certificates actually served: one handshake per MX host that has usable TLSA records.
    if (opts.smtp && dane && mx) {
      const chains = await guard('dane', servedChains(hostsToMatch(dane), mx, c, opts.smtpPort ?? 25));
      if (chains) checks.dane = withServedChains(dane, chains);
    }
    if (mx) {
      const v6 = mxIpv6(mx, smtp);
      if (v6.ipv6) checks.mx = { ...mx, ipv6: v6.ipv6, findings: [...mx.findings, ...v6.findings] };
    }
    if (dnssec && mxZones)
      checks.dnssec = {
        ...dnssec,
        mx: mxZones.zones,
        findings: [...dnssec.findings, ...mxZones.findings],
        steps: [...dnssec.steps, ...mxZones.steps],
      };
    if (checks.dnssec) {
      const dnssec = checks.dnssec;
      const a = answerAuthentication(notes ? allNotes(checks, notes) : allAnswers(checks), domain);
      checks.dnssec = {
        ...dnssec,
        answers: { total: a.total, authenticated: a.authenticated },
        findings: [...dnssec.findings, ...answerFindings(dnssec, a)],
      };
    }
    // A domain that sends no mail is judged by what it needs (profile.ts); a parked one gets one more query.
    const profile = postureProfile(checks);
    const wildcard = profile.name === 'parked' ? await guard('spf', wildcardSpf(domain, c.resolver)) : undefined;
    const extra = [
      ...errors,
      ...unfinished(checks, opts.budgetMs),
      ...profileFindings(profile, checks, domain, wildcard),
    ];
    return assemble(domain, checks, extra, { ...opts, profile }, start);
  } finally {
    clearTimeout(timer);
  }
}

/** Flattens the findings (each tagged with its check), adds cross-checks and policy, and summarizes. Pure. */
export function assemble(
  domain: string,
  checks: PostureChecks,
  extra: PostureFinding[],
  opts: Pick<PostureOptions, 'policy' | 'strict'> & { profile?: PostureProfile },
  start = performance.now(),
): PostureResult {
  const profile = opts.profile ?? postureProfile(checks);
  let findings: PostureFinding[] = [];
  for (const name of CHECK_NAMES) {
    const r = checks[name] as { findings: Finding[] } | null | undefined;
    // Object.assign, not { ...f, check }: V8 (Node 20) takes a slow path for a property added after a spread
    // (~1 µs against ~0.1, for each of a batch's ~25 findings per domain). Same keys, same order.
    if (r) for (const f of r.findings) findings.push(Object.assign({}, f, { check: name }));
  }
  findings.push(...crossFindings(checks), ...extra);
  findings = relaxForProfile(findings, profile);
  if (opts.policy) findings.push(...policyFindings(opts.policy, checks));
  const ignore = opts.policy?.ignore;
  if (ignore?.length) {
    findings = findings.map((f) =>
      !f.temporary && (f.severity === 'fail' || f.severity === 'warn') && isIgnored(f.id, ignore)
        ? { ...f, severity: 'info' as const, message: `(ignored by policy) ${f.message}`, ignored: true }
        : f,
    );
  }
  const strict = opts.strict ?? opts.policy?.strict ?? false;
  const ok = !findings.some((f) => f.temporary || f.severity === 'fail' || (strict && f.severity === 'warn'));
  return {
    kind: 'posture',
    domain,
    ok,
    checks,
    summary: summarize(checks, findings),
    findings,
    ms: Math.round(performance.now() - start),
    profile,
  };
}

/** A batch line that is not a domain name: reported in its place in the stream, so output stays aligned with input. */
export function invalidInput(input: string, message: string): PostureResult {
  const checks: PostureChecks = {
    mx: null,
    spf: null,
    dkim: null,
    dmarc: null,
    mtaSts: null,
    tlsRpt: null,
    bimi: null,
    dnssec: null,
    dane: null,
  };
  return {
    kind: 'posture',
    domain: input,
    ok: false,
    checks,
    summary: [],
    findings: [{ ...finding('posture.input.invalid', 'fail', message), check: 'posture' }],
    ms: 0,
  };
}

/** The same result without the DNS step logs: what a batch streams (steps are a large share of the bytes). */
export function withoutSteps(r: PostureResult): PostureResult {
  // Copied key by key: an object rest ({ steps, ...rest }) and a spread followed by a property take V8's slow
  // paths, and this runs for every line of a batch. Key order is kept.
  const checks: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.checks)) {
    if (v && typeof v === 'object' && 'steps' in v) {
      const rest: Record<string, unknown> = {};
      for (const key in v) if (key !== 'steps') rest[key] = (v as Record<string, unknown>)[key];
      checks[k] = rest;
    } else {
      checks[k] = v;
    }
  }
  return Object.assign({}, r, { checks: checks as unknown as PostureChecks });
}

function unfinished(checks: PostureChecks, budgetMs: number | undefined): PostureFinding[] {
  return CHECK_NAMES.filter((n) => checks[n] === null).map((check) => ({
    ...finding(
      'posture.budget.exceeded',
      'fail',
      `The ${check} check did not finish within the domain's time budget${budgetMs ? ` of ${budgetMs} ms` : ''}: no verdict.`,
      { temporary: true },
    ),
    check,
  }));
}

/** Every MX address; with tlsAudit, audited until a second before the domain's budget ends. */
function smtpOptions(opts: PostureOptions, start: number): ProbeOptions {
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

function allAnswers(checks: PostureChecks): AnswerNote[] {
  return CHECK_NAMES.flatMap((n) => stepAnswers((checks[n] as { steps?: Step[] } | null | undefined)?.steps ?? []));
}

/** The notes of the checks that finished, in check order: what allAnswers() reads from their steps. */
function allNotes(checks: PostureChecks, notes: Map<CheckName, AnswerNote[]>): AnswerNote[] {
  const out: AnswerNote[] = [];
  for (const n of CHECK_NAMES) if (checks[n]) for (const a of notes.get(n) ?? []) out.push(a);
  return out;
}
