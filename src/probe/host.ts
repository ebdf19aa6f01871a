// Probing one SMTP server, top to bottom: connect → (implicit TLS) → banner → EHLO (HELO fallback) →
// STARTTLS if offered (RFC 3207) → EHLO again → (relay test) → QUIT. Each step timed; never sends DATA.
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import { inspectCertificate } from '../smtp/certificate.js';
import { addressLiteral, bannerHostname, parseEhlo } from '../smtp/extensions.js';
import { isPositive, replyText, type Reply } from '../smtp/reply.js';
import { SmtpSession, type TlsOutcome } from '../smtp/session.js';
import { trustAnchors } from '../smtp/trust.js';
import { authPlaintextTest } from './auth-test.js';
import { hostFindings } from './findings.js';
import { relayTest } from './relay.js';
import type { ProbeEndpoint, ProbeHost, ProbeOptions, ProbeStage, ProbeTls, TlsMode } from './types.js';

export const SLOW_BANNER_MS = 5000;

export function tlsModeFor(port: number, mode?: TlsMode): TlsMode {
  return mode ?? (port === 465 ? 'implicit' : 'starttls');
}

export async function probeHost(target: ProbeEndpoint, ctx: Context, opts: ProbeOptions = {}): Promise<ProbeHost> {
  const mode = tlsModeFor(target.port, opts.tls);
  const host: ProbeHost = {
    exchange: target.exchange,
    address: target.address,
    port: target.port,
    ...(target.preference !== undefined ? { preference: target.preference } : {}),
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
  };
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

  // 1. TCP
  const conn = await SmtpSession.connect(
    { host: target.exchange, address: target.address, port: target.port },
    {
      timeoutMs: ctx.timeoutMs,
      onLine: (dir, line) =>
        ctx.onEvent({
          type: 'smtp.line',
          dir,
          line,
          host: target.exchange,
          address: target.address,
          port: target.port,
        }),
    },
  );
  host.timings.connectMs = conn.ms;
  if (!conn.ok) {
    host.error = { stage: 'connect', kind: conn.failure.kind, message: conn.failure.message };
    return finish();
  }
  const s = conn.session;
  host.connected = true;
  const ca = trustAnchors(opts.ca ?? []);
  try {
    // 2. Implicit TLS (port 465, RFC 8314 §3.3): the handshake comes before the greeting.
    if (mode === 'implicit') {
      const t = await s.upgradeTls({ servername: certificateName(target), ca });
      host.timings.tlsMs = t.ms;
      host.tls = tlsInfo(t, { offered: true, name: certificateName(target), ctx });
      if (!t.ok) return finish();
    }

    // 3. The greeting; a slow one is measured, not mistaken for a dead host.
    const bannerStart = performance.now();
    const greeting = await s.read(opts.bannerTimeoutMs ?? ctx.timeoutMs * 6);
    host.timings.bannerMs = Math.round(performance.now() - bannerStart);
    if (greeting.code === 0) {
      fail('banner', greeting);
      return finish();
    }
    host.bannerCode = greeting.code;
    host.banner = `${greeting.code} ${greeting.lines.join('\n')}`.trim();
    host.bannerHostname = bannerHostname(greeting.lines);
    if (greeting.code !== 220) return finish();

    // 4. EHLO, or HELO from a server that does not speak ESMTP.
    const helo = opts.helo ?? addressLiteral(s.localAddress);
    const ehloStart = performance.now();
    let ehlo = await s.command(`EHLO ${helo}`);
    if (ehlo.code === 0) {
      host.timings.ehloMs = Math.round(performance.now() - ehloStart);
      fail('ehlo', ehlo);
      return finish();
    }
    if (isPositive(ehlo)) {
      host.esmtp = true;
      host.ehlo = parseEhlo(ehlo);
    } else {
      // RFC 5321 §4.1.1.1: a server that rejects EHLO may still take HELO.
      ehlo = await s.command(`HELO ${helo}`);
      if (!isPositive(ehlo)) {
        host.timings.ehloMs = Math.round(performance.now() - ehloStart);
        fail('ehlo', ehlo);
        return finish();
      }
      host.ehlo = { hostname: parseEhlo(ehlo).hostname, extensions: [] };
    }
    host.timings.ehloMs = Math.round(performance.now() - ehloStart);

    // 5. AUTH before TLS: offered is one thing, checking a cleartext password is another (RFC 4954 §4).
    if (mode !== 'implicit' && opts.authTest !== false) {
      const auth = await authPlaintextTest(s, host.ehlo);
      if (auth) host.auth = auth;
      if (s.closed) {
        fail('ehlo', {
          code: 0,
          lines: [],
          failure: { kind: 'closed', message: 'the connection closed after the AUTH test' },
        });
        return finish();
      }
    }

    // 6. STARTTLS when offered, then EHLO again: the server forgets everything from before TLS (RFC 3207 §4.2).
    if (mode === 'starttls' || mode === 'none') {
      const offered = host.ehlo.extensions.some((e) => /^STARTTLS\b/i.test(e));
      host.tls = { offered, ok: false, protocol: null, cipher: null, certificate: null, attempted: false };
      if (offered && mode === 'starttls') {
        const tlsStart = performance.now();
        const go = await s.command('STARTTLS');
        if (go.code !== 220) {
          host.timings.tlsMs = Math.round(performance.now() - tlsStart);
          host.tls = { ...host.tls, attempted: true, error: `STARTTLS refused: ${replyText(go)}` };
          if (go.code === 0) fail('starttls', go);
          return finish();
        }
        const t = await s.upgradeTls({ servername: certificateName(target), ca });
        host.timings.tlsMs = Math.round(performance.now() - tlsStart);
        host.tls = tlsInfo(t, { offered: true, name: certificateName(target), ctx });
        if (!t.ok) return finish();
        const again = await s.command(`EHLO ${helo}`);
        if (!isPositive(again)) {
          fail('ehlo-tls', again);
          return finish();
        }
        host.ehloTls = parseEhlo(again);
      }
    }

    // 7. Opt-in: would it relay for a stranger? MAIL/RCPT then RSET, never DATA.
    if (opts.relayTest) host.relay = await relayTest(s, { helo, recipient: opts.relayRecipient });
  } finally {
    await s.quit();
    host.transcript = s.transcript;
  }
  return finish();
}

/** The name a certificate must cover: the MX/host name; for an IP target its PTR name, else none to check. */
function certificateName(target: ProbeEndpoint): string | undefined {
  return isIP(target.exchange) ? target.ptr?.[0] : target.exchange;
}

function tlsInfo(t: TlsOutcome, o: { offered: boolean; name: string | undefined; ctx: Context }): ProbeTls {
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
    certificate: t.certificate
      ? inspectCertificate(t.certificate, {
          ...(o.name ? { hostname: o.name } : {}),
          now: o.ctx.now(),
          authorized: t.authorized,
          chainLength: t.chain.length,
          ...(t.authorizationError ? { authorizationError: t.authorizationError } : {}),
        })
      : null,
    discardedPlaintext: t.discardedPlaintext,
    chain: t.chain.map((c) => ({ subject: c.subject.split('\n').join(', '), issuer: c.issuer.split('\n').join(', ') })),
  };
}
