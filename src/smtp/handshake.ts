// The one SMTP client handshake (RFC 5321 §3.1, §4.1.1.1; RFC 3207; RFC 8314 §3.3): connect → (implicit TLS)
// → greeting → EHLO (HELO fallback) → STARTTLS → TLS → EHLO again. probe, send and DANE's served chain all open
// their connections here; each step is timed, and where it stops short is data, never a throw.
import type { Context } from '../core/context.js';
import { addressLiteral, offers, parseEhlo, type Ehlo } from './extensions.js';
import { isPositive, type Reply } from './reply.js';
import { SmtpSession, type ConnectFailure, type Endpoint, type TlsOutcome, type TlsParams } from './session.js';

/** How TLS is started: STARTTLS when offered, TLS before the greeting (port 465), or not at all. */
export type HandshakeTls = 'starttls' | 'implicit' | 'none';

/** Where a handshake stopped short. */
export type HandshakeStage = 'connect' | 'tls' | 'greeting' | 'ehlo' | 'starttls' | 'ehlo-tls';

export interface HandshakeOptions {
  tls: HandshakeTls;
  /** EHLO argument; default our address as a literal, "[192.0.2.1]" (RFC 5321 §4.1.3). */
  helo?: string;
  /** Wait this long for the greeting (default 6 × the step timeout: RFC 5321 §4.5.3.2.1 allows minutes,
   *  and greylisting-style delays are measured rather than taken for a dead host). */
  greetingTimeoutMs?: number;
  /** SNI, trust anchors and caller-supplied tls.connect options (a TLS audit's min = max version, one suite). */
  tlsParams?: Omit<TlsParams, 'timeoutMs'>;
  /** 'tls' ends right after the TLS handshake: no second EHLO (a TLS audit, a served certificate chain). */
  stopAfter?: 'tls' | 'ehlo-tls';
  /** Runs after the first EHLO and before STARTTLS, on the open session (probe's AUTH-in-the-clear test). */
  beforeStartTls?: (s: SmtpSession, ehlo: Ehlo) => Promise<void>;
  /** Our side's address (the demo's forger connects from 127.0.0.2). */
  localAddress?: string;
  /** DATA lines kept in the transcript. */
  maxDataLines?: number;
}

export interface HandshakeTlsResult {
  /** STARTTLS was in the EHLO answer (true for implicit TLS). */
  offered: boolean;
  /** We sent STARTTLS, or started implicit TLS. */
  attempted: boolean;
  /** The server's answer to STARTTLS when it was not 220. */
  refusal?: Reply;
  outcome?: TlsOutcome;
}

export interface Handshake {
  /** The open session when the connection was made, even if a later step failed: continue on it, or quit. */
  session: SmtpSession | null;
  connectFailure?: ConnectFailure;
  /** The EHLO argument sent. */
  helo: string | null;
  greeting: Reply | null;
  /** The first EHLO answer (in plaintext, or under implicit TLS); HELO's name when only HELO was accepted. */
  ehlo: Ehlo | null;
  /** EHLO was accepted (false: only HELO worked, so no extensions and no STARTTLS). */
  esmtp: boolean;
  /** The answer to EHLO when it was refused and HELO was tried instead. */
  ehloRefusal?: Reply;
  tls: HandshakeTlsResult;
  /** The EHLO answer after STARTTLS. */
  ehloTls: Ehlo | null;
  timings: { connectMs: number; greetingMs: number | null; ehloMs: number | null; tlsMs: number | null };
  /** Where it stopped short, and the reply that stopped it (code 0: no reply, see `failure`). */
  failed?: { stage: Exclude<HandshakeStage, 'connect'>; reply: Reply };
}

const since = (t: number) => Math.round(performance.now() - t);

/**
 * Runs the handshake as far as `stopAfter` (default: EHLO after STARTTLS). The session is returned open (unless
 * the connection failed); the caller sends what it came for, then `quit()`s or `close()`s it.
 */
export async function smtpHandshake(
  endpoint: Endpoint,
  ctx: Pick<Context, 'timeoutMs' | 'onEvent'>,
  o: HandshakeOptions,
): Promise<Handshake> {
  const conn = await SmtpSession.connect(endpoint, {
    timeoutMs: ctx.timeoutMs,
    onLine: (dir, line) =>
      ctx.onEvent({
        type: 'smtp.line',
        dir,
        line,
        host: endpoint.host,
        address: endpoint.address,
        port: endpoint.port,
      }),
    localAddress: o.localAddress,
    maxDataLines: o.maxDataLines,
  });
  const h: Handshake = {
    session: null,
    helo: null,
    greeting: null,
    ehlo: null,
    esmtp: false,
    tls: { offered: o.tls === 'implicit', attempted: false },
    ehloTls: null,
    timings: { connectMs: conn.ms, greetingMs: null, ehloMs: null, tlsMs: null },
  };
  if (!conn.ok) {
    h.connectFailure = conn.failure;
    return h;
  }
  const s = conn.session;
  h.session = s;
  const stop = (stage: Exclude<HandshakeStage, 'connect'>, reply: Reply) => {
    h.failed = { stage, reply };
    return h;
  };
  const tlsFailed = (t: Extract<TlsOutcome, { ok: false }>) => stop('tls', { code: 0, lines: [], failure: t.failure });

  // Implicit TLS (port 465, RFC 8314 §3.3): the handshake comes before the greeting.
  if (o.tls === 'implicit') {
    h.tls.attempted = true;
    const t = await s.upgradeTls(o.tlsParams);
    h.tls.outcome = t;
    h.timings.tlsMs = t.ms;
    if (!t.ok) return tlsFailed(t);
  }

  // The greeting: only 220 opens a session (RFC 5321 §3.1, §4.3.1).
  const greetingStart = performance.now();
  const greeting = await s.read(o.greetingTimeoutMs ?? ctx.timeoutMs * 6);
  h.timings.greetingMs = since(greetingStart);
  h.greeting = greeting;
  if (greeting.code !== 220) return stop('greeting', greeting);

  // EHLO, or HELO from a server that does not speak ESMTP (RFC 5321 §4.1.1.1). A failure (code 0) is not a refusal.
  const helo = o.helo ?? addressLiteral(s.localAddress);
  h.helo = helo;
  const ehloStart = performance.now();
  const ehlo = await s.command(`EHLO ${helo}`);
  if (ehlo.code === 0) {
    h.timings.ehloMs = since(ehloStart);
    return stop('ehlo', ehlo);
  }
  if (isPositive(ehlo)) {
    h.esmtp = true;
    h.ehlo = parseEhlo(ehlo);
  } else {
    h.ehloRefusal = ehlo;
    const old = await s.command(`HELO ${helo}`);
    if (!isPositive(old)) {
      h.timings.ehloMs = since(ehloStart);
      return stop('ehlo', old);
    }
    h.ehlo = { hostname: parseEhlo(old).hostname, extensions: [] };
  }
  h.timings.ehloMs = since(ehloStart);
  if (o.tls === 'implicit') return h;

  if (o.beforeStartTls) await o.beforeStartTls(s, h.ehlo);

  // STARTTLS when offered, then EHLO again: the server forgets everything from before TLS (RFC 3207 §4.2).
  h.tls.offered = offers(h.ehlo, 'STARTTLS');
  if (o.tls === 'none' || !h.tls.offered || s.closed) return h;
  h.tls.attempted = true;
  const tlsStart = performance.now();
  const go = await s.command('STARTTLS');
  if (go.code !== 220) {
    h.timings.tlsMs = since(tlsStart);
    h.tls.refusal = go;
    return stop('starttls', go);
  }
  // Anything the server sent after its 220 came in plaintext and may be injected: upgradeTls discards it.
  const t = await s.upgradeTls(o.tlsParams);
  h.timings.tlsMs = since(tlsStart);
  h.tls.outcome = t;
  if (!t.ok) return tlsFailed(t);
  if (o.stopAfter === 'tls') return h;
  const again = await s.command(`EHLO ${helo}`);
  if (!isPositive(again)) return stop('ehlo-tls', again);
  h.ehloTls = parseEhlo(again);
  return h;
}
