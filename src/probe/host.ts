// Probing one SMTP server, top to bottom: connect → (implicit TLS) → banner → EHLO (HELO fallback) →
// STARTTLS if offered (RFC 3207) → EHLO again → (relay test) → QUIT. Each step timed; never sends DATA.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import { definedOnly } from '../core/object.js';
import { inspectCertificate, type CertificateInfo } from '../smtp/certificate.js';
import { finding } from '../core/result.js';
import { bannerHostname } from '../smtp/extensions.js';
import { smtpHandshake, type HandshakeOptions } from '../smtp/handshake.js';
import { replyText, type Reply } from '../smtp/reply.js';
import type { TlsOutcome } from '../smtp/session.js';
import { trustAnchors } from '../smtp/trust.js';
import { authPlaintextTest } from './auth-test.js';
import { hostFindings } from './findings.js';
import { relayTest, SINK_GREETING } from './relay.js';
import type { AuditOptions } from './tls-audit/audit.js';
import type { ProbeEndpoint, ProbeHost, ProbeOptions, ProbeStage, ProbeTls, TlsMode } from './types.js';
import { endpointLabel } from '../smtp/peer.js';

export const SLOW_BANNER_MS = 5000;

export function tlsModeFor(port: number, mode?: TlsMode): TlsMode {
  return mode ?? (port === 465 ? 'implicit' : 'starttls');
}

/** What the probe's own TLS handshake saw, handed to the audit as evidence. */
interface Seen {
  outcome?: Extract<TlsOutcome, { ok: true }>;
}

export async function probeHost(target: ProbeEndpoint, ctx: Context, opts: ProbeOptions = {}): Promise<ProbeHost> {
  const seen: Seen = {};
  const host = await probeOnce(target, ctx, opts, seen);
  if (opts.tlsAudit) await withTlsAudit(host, target, ctx, opts, seen);
  return host;
}

async function probeOnce(target: ProbeEndpoint, ctx: Context, opts: ProbeOptions, seen: Seen): Promise<ProbeHost> {
  const mode = tlsModeFor(target.port, opts.tls);
  const host: ProbeHost = definedOnly({
    exchange: target.exchange,
    address: target.address,
    port: target.port,
    preference: target.preference,
    connected: false,
    banner: null,
    bannerCode: null,
    bannerHostname: null,
    ptr: target.ptr ?? [],
    ehlo: { hostname: null, extensions: [] },
    esmtp: false,
    ehloTls: null,
    tls: null,
    timings: { connectMs: null, bannerMs: null, ehloMs: null, tlsMs: null },
    transcript: [],
    findings: [],
  });
  const finish = () => {
    host.findings = hostFindings(host, {
      mode,
      slowBannerMs: opts.slowBannerMs ?? SLOW_BANNER_MS,
      relayTested: Boolean(opts.relayTest),
    });
    return host;
  };
  const fail = (stage: ProbeStage, r: Reply) => {
    host.error = { stage, kind: r.failure?.kind ?? 'rejected', message: r.failure?.message ?? replyText(r) };
  };

  // 1–6. TCP, (implicit TLS), greeting, EHLO (HELO fallback), the AUTH test, STARTTLS, EHLO again: one handshake.
  const names = certificateNames(target);
  // SNI: the host name (an IP address is never sent as SNI, RFC 6066 §3; the PTR name stands in for it).
  const name = names.find((n) => !isIP(n));
  let authClosed = false;
  const handshake: HandshakeOptions = {
    tls: mode,
    helo: opts.helo,
    greetingTimeoutMs: opts.bannerTimeoutMs ?? ctx.timeoutMs * 6,
    tlsParams: { servername: name, ca: trustAnchors(opts.ca ?? []) },
  };
  // AUTH before TLS: offered is one thing, checking a cleartext password is another (RFC 4954 §4).
  if (opts.authTest !== false)
    handshake.beforeStartTls = async (s, ehlo) => {
      const auth = await authPlaintextTest(s, ehlo);
      if (auth) host.auth = auth;
      authClosed = s.closed;
    };
  const hs = await smtpHandshake({ host: target.exchange, address: target.address, port: target.port }, ctx, handshake);
  host.timings.connectMs = hs.timings.connectMs;
  if (hs.tls.outcome?.ok) seen.outcome = hs.tls.outcome;
  if (!hs.session) {
    const f = hs.connectFailure!;
    host.error = { stage: 'connect', kind: f.kind, message: f.message };
    return finish();
  }
  const s = hs.session;
  host.connected = true;
  try {
    host.timings.bannerMs = hs.timings.greetingMs;
    host.timings.ehloMs = hs.timings.ehloMs;
    host.timings.tlsMs = hs.timings.tlsMs;
    if (hs.tls.outcome && mode === 'implicit') host.tls = tlsInfo(hs.tls.outcome, { offered: true, names, ctx });
    const stage = hs.failed?.stage;
    if (stage === 'tls' && mode === 'implicit') return finish();

    // The greeting; a slow one is measured, not mistaken for a dead host.
    const greeting = hs.greeting!;
    if (greeting.code === 0) {
      fail('banner', greeting);
      return finish();
    }
    host.bannerCode = greeting.code;
    host.banner = `${greeting.code} ${greeting.lines.join('\n')}`.trim();
    host.bannerHostname = bannerHostname(greeting.lines);
    if (stage === 'greeting') return finish();

    if (stage === 'ehlo') {
      fail('ehlo', hs.failed!.reply);
      return finish();
    }
    host.esmtp = hs.esmtp;
    host.ehlo = hs.ehlo!;
    if (authClosed) {
      fail('ehlo', {
        code: 0,
        lines: [],
        failure: { kind: 'closed', message: 'the connection closed after the AUTH test' },
      });
      return finish();
    }

    if (mode === 'starttls' || mode === 'none') {
      host.tls = {
        offered: hs.tls.offered,
        ok: false,
        protocol: null,
        cipher: null,
        certificate: null,
        attempted: false,
      };
      if (hs.tls.refusal) {
        const go = hs.tls.refusal;
        host.tls = { ...host.tls, attempted: true, error: `STARTTLS refused: ${replyText(go)}` };
        if (go.code === 0) fail('starttls', go);
        return finish();
      }
      if (hs.tls.outcome) {
        host.tls = tlsInfo(hs.tls.outcome, { offered: true, names, ctx });
        if (stage === 'tls') return finish();
      }
      if (stage === 'ehlo-tls') {
        fail('ehlo-tls', hs.failed!.reply);
        return finish();
      }
      host.ehloTls = hs.ehloTls;
    }

    // 7. Opt-in: would it relay for a stranger? MAIL/RCPT then RSET, never DATA.
    if (opts.relayTest) {
      host.relay = await relayTest(s, { helo: hs.helo!, recipient: opts.relayRecipient });
      if (host.relay.accepted && host.banner && SINK_GREETING.test(host.banner))
        host.relay.sink = { declaredBy: 'greeting', text: host.banner };
    }
  } finally {
    await s.quit();
    host.transcript = s.transcript;
  }
  return finish();
}

/**
 * The names a certificate may cover, in order: the MX/host name; for an IP target the address itself (IP SANs,
 * RFC 6125 §3.1.3.2 via checkServerIdentity), then its PTR name.
 */
function certificateNames(target: ProbeEndpoint): string[] {
  if (!isIP(target.exchange)) return [target.exchange];
  if (!target.ptr?.length) return [target.exchange];
  return [target.exchange, target.ptr[0]!];
}

function tlsInfo(t: TlsOutcome, o: { offered: boolean; names: string[]; ctx: Context }): ProbeTls {
  if (!t.ok)
    return {
      offered: o.offered,
      ok: false,
      protocol: null,
      cipher: null,
      certificate: null,
      attempted: true,
      error: t.failure.message,
    };
  return {
    offered: o.offered,
    ok: true,
    protocol: t.protocol,
    cipher: t.cipher,
    attempted: true,
    certificate: t.certificate ? inspectNames(t, t.certificate, o.names, o.ctx) : null,
    discardedPlaintext: t.discardedPlaintext,
    chain: t.chain.map((c) => ({ subject: c.subject.split('\n').join(', '), issuer: c.issuer.split('\n').join(', ') })),
  };
}

/** The certificate judged against the first name it covers (the first name when it covers none). */
function inspectNames(
  t: Extract<TlsOutcome, { ok: true }>,
  cert: X509Certificate,
  names: string[],
  ctx: Context,
): CertificateInfo {
  const inspect = (hostname: string) =>
    inspectCertificate(cert, {
      hostname,
      now: ctx.now(),
      authorized: t.authorized,
      chainLength: t.chain.length,
      authorizationError: t.authorizationError,
    });
  const first = inspect(names[0]!);
  for (const n of names.slice(1)) {
    if (first.hostnameMatch) break;
    const other = inspect(n);
    if (other.hostnameMatch) return other;
  }
  return first;
}

/**
 * The TLS audit (src/probe/tls-audit), loaded only when asked for: after the probe, on new connections to the same
 * address. Where the probe found no TLS to audit (no STARTTLS, no connection), it says so instead.
 */
async function withTlsAudit(
  host: ProbeHost,
  target: ProbeEndpoint,
  ctx: Context,
  opts: ProbeOptions,
  seen: Seen,
): Promise<void> {
  const mode = tlsModeFor(target.port, opts.tls);
  const who = endpointLabel(host.exchange, host.address, host.port);
  const skip = (why: string) => {
    host.tlsAudit = null;
    host.findings.push(finding('tls.audit.skipped', 'info', `No TLS audit of ${who}: ${why}.`));
  };
  if (mode === 'none') return skip('--tls none');
  if (!host.connected || host.bannerCode !== 220) return skip('no SMTP session');
  if (mode === 'starttls' && !host.tls?.offered) return skip('STARTTLS is not offered');
  if (host.tls?.attempted && !host.tls.ok && host.tls.error?.startsWith('STARTTLS refused'))
    return skip('STARTTLS was refused');
  const o = opts.tlsAudit!;
  const budget = performance.now() + (o.budgetMs ?? 60_000);
  const { auditTls } = await import('./tls-audit/audit.js');
  const names = certificateNames(target);
  const t = seen.outcome;
  const auditOptions: AuditOptions = {
    endpoint: { host: target.exchange, address: target.address, port: target.port },
    servername: names.find((n) => !isIP(n)),
    helo: opts.helo,
    tls: mode,
    concurrency: o.concurrency,
    deadline: o.deadline === undefined ? budget : Math.min(budget, o.deadline),
    danePort: o.danePort,
    leaf: host.tls?.certificate ?? null,
    leafFindings: host.findings,
  };
  if (t) auditOptions.seed = { protocol: t.protocol, cipher: t.cipher, ephemeralKey: t.ephemeralKey, chain: t.chain };
  const { audit, findings } = await auditTls(ctx, auditOptions);
  host.tlsAudit = audit;
  host.findings.push(...findings);
}
