// One short audit connection: the unified SMTP handshake (src/smtp/handshake.ts) up to the end of TLS with the
// settings under test (min = max version, the suites, the groups), what the server chose, then close. A refusal
// (an alert, a hang-up after our ClientHello) is told apart from no answer at all (no connection, a greeting or
// STARTTLS refused, a timeout), which says nothing about TLS, and from what our own OpenSSL would not send.
import { constants } from 'node:crypto';
import type { X509Certificate } from 'node:crypto';
import type { ConnectionOptions, EphemeralKeyInfo, SecureVersion, TLSSocket } from 'node:tls';
import type { Context } from '../../core/context.js';
import { definedOnly } from '../../core/object.js';
import { smtpHandshake } from '../../smtp/handshake.js';
import type { Endpoint } from '../../smtp/session.js';

export interface AttemptSpec {
  version: SecureVersion;
  /** OpenSSL cipher string (TLS 1.3 names go to the TLS 1.3 list). */
  ciphers: string;
  /** ecdhCurve: the groups offered, ':'-separated. */
  groups: string;
  /** Connect to servers without RFC 5746 anyway (default true): only the version tests leave it off, to see it. */
  legacyServerConnect?: boolean;
  /** Runs on the established TLS socket before it is closed (the renegotiation test). */
  onSecure?: (sock: TLSSocket) => Promise<void>;
}

export type AttemptStatus = 'accepted' | 'refused' | 'no-answer' | 'local';

export interface Attempt {
  status: AttemptStatus;
  /** Did a TLS handshake start (so that it counts as one)? */
  handshake: boolean;
  /** Did a TCP connection open? */
  connected: boolean;
  protocol?: string;
  /** IANA name of the suite chosen. */
  cipher?: string;
  ephemeral?: EphemeralKeyInfo;
  chain?: X509Certificate[];
  /** The server answered without the renegotiation_info extension (RFC 5746), so OpenSSL 3 hung up. */
  insecureRenegotiation?: boolean;
  /** OpenSSL's or Node's code, or what stopped it before TLS. */
  reason?: string;
  ms: number;
}

export interface AttemptContext {
  endpoint: Endpoint;
  servername?: string;
  helo?: string;
  tls: 'starttls' | 'implicit';
  ctx: Pick<Context, 'timeoutMs' | 'onEvent'>;
}

/** Errors OpenSSL raises before anything is sent: our side cannot build that ClientHello. */
const LOCAL_CODES = new Set([
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_NO_SUITABLE_GROUPS',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
]);

/**
 * What a failed TLS handshake says. OpenSSL's own refusals to build the ClientHello are ours ('local'); a timeout
 * says nothing; RFC 5746 missing means the server did answer our version; anything else after the ClientHello
 * went out (an alert, a ServerHello we cannot take, a hang-up) is the server not accepting what we offered.
 */
export function failureStatus(
  code: string | undefined,
  kind: string,
): 'refused' | 'no-answer' | 'local' | 'insecure-renegotiation' {
  if (code === 'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED') return 'insecure-renegotiation';
  if (code && LOCAL_CODES.has(code)) return 'local';
  if (kind === 'timeout') return 'no-answer';
  return 'refused';
}

export async function attempt(a: AttemptContext, spec: AttemptSpec): Promise<Attempt> {
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  const options: ConnectionOptions = {
    minVersion: spec.version,
    maxVersion: spec.version,
    ciphers: spec.ciphers,
    ecdhCurve: spec.groups,
  };
  if (spec.legacyServerConnect !== false) options.secureOptions = constants.SSL_OP_LEGACY_SERVER_CONNECT;
  const hs = await smtpHandshake(a.endpoint, a.ctx, {
    tls: a.tls,
    helo: a.helo,
    stopAfter: 'tls',
    tlsParams: { servername: a.servername, options },
  });
  if (!hs.session)
    return { status: 'no-answer', handshake: false, connected: false, reason: hs.connectFailure?.message, ms: ms() };
  const s = hs.session;
  try {
    const t = hs.tls.outcome;
    if (!hs.tls.attempted || !t) {
      const why = hs.failed
        ? `${hs.failed.stage}: ${hs.failed.reply.failure?.message ?? hs.failed.reply.code}`
        : 'STARTTLS not offered';
      return { status: 'no-answer', handshake: false, connected: true, reason: why, ms: ms() };
    }
    if (!t.ok) {
      const status = failureStatus(t.code, t.failure.kind);
      const reason = t.code || t.failure.message;
      if (status === 'insecure-renegotiation')
        // The ServerHello came, for the one version we offered, without RFC 5746's extension.
        return {
          status: 'accepted',
          handshake: true,
          connected: true,
          protocol: spec.version,
          insecureRenegotiation: true,
          reason,
          ms: ms(),
        };
      return {
        status,
        handshake: true,
        connected: true,
        reason: status === 'no-answer' ? t.failure.message : reason,
        ms: ms(),
      };
    }
    if (spec.onSecure) await spec.onSecure(t.socket);
    return definedOnly({
      status: 'accepted',
      handshake: true,
      connected: true,
      protocol: t.protocol ?? undefined,
      cipher: t.cipher ?? undefined,
      ephemeral: t.ephemeralKey ?? undefined,
      chain: t.chain,
      ms: ms(),
    });
  } finally {
    s.close();
  }
}
