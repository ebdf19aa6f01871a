// One mail transaction with one server (RFC 5321 §3.3): greeting, EHLO (HELO fallback), STARTTLS by policy,
// MAIL with SIZE/BODY/SMTPUTF8 parameters as offered (RFC 1870, 6152, 6531), RCPTs, DATA — pipelined when
// the server offers PIPELINING (RFC 2920) — then QUIT. Every outcome is data.
import { DEFAULT_CIPHERS } from 'node:tls';
import type { Context } from '../core/context.js';
import { definedOnly } from '../core/object.js';
import { authenticate, type AuthMechanism, type Credentials } from '../smtp/auth.js';
import { inspectCertificate, verificationProblems, type CertificateInfo } from '../smtp/certificate.js';
import { offers, sizeLimit, type Ehlo } from '../smtp/extensions.js';
import { smtpHandshake, type HandshakeTls } from '../smtp/handshake.js';
import { isPositive, isTransient, replyText, type Reply } from '../smtp/reply.js';
import type { SmtpSession, TlsOutcome, TlsParams, TranscriptLine } from '../smtp/session.js';
import { trustAnchors } from '../smtp/trust.js';

/**
 * starttls: when offered, falling back to plaintext (RFC 7435 opportunistic); require: TLS or nothing, any
 * certificate (Postfix's `encrypt`); verify: TLS with a certificate that chains to a trusted CA (or --ca) and
 * names the host (Postfix's `secure`, RFC 6125); implicit: TLS before the greeting; none: never TLS.
 */
export type SendTlsMode = 'starttls' | 'implicit' | 'none' | 'require' | 'verify';

/** The TLS of one session: what was negotiated and whether the certificate authenticated the server. */
export interface SendTls {
  protocol: string | null;
  cipher: string | null;
  /** A chain to a trusted CA (or --ca), the host name (IP SANs for an address), dates that hold. */
  verified: boolean;
}

/** Credentials for SMTP AUTH, and how to use them. */
export interface SendAuth extends Credentials {
  mechanism?: AuthMechanism;
  /** Allow AUTH on a session that is not encrypted (--auth-insecure). */
  insecure?: boolean;
}

export interface AttemptAuth {
  user: string;
  /** The mechanism used; null when none could be (not offered, or not encrypted). */
  mechanism: AuthMechanism | null;
  authenticated: boolean;
  /** The password went on the wire (whatever the answer). */
  sent: boolean;
  /** ...over an encrypted session. */
  encrypted: boolean;
  code: number;
  reply: string;
}

export interface Envelope {
  from: string;
  to: string[];
}

/** What the message demands of the server. */
export interface MessageNeeds {
  size: number;
  eightBit: boolean;
  smtputf8: boolean;
}

export interface RecipientReply {
  recipient: string;
  code: number;
  reply: string;
  accepted: boolean;
}

export type AttemptOutcome =
  /** DATA was answered (see `final`). */
  | 'data'
  /** Every recipient was refused at RCPT. */
  | 'no-recipients'
  /** No TCP connection, or it died before the transaction began. */
  | 'unreachable'
  /** The greeting, EHLO or MAIL was refused. */
  | 'refused'
  /** --tls require or verify, and this server could not give us TLS: nothing was sent. */
  | 'tls-required'
  /** --tls verify, and the certificate does not authenticate the server: nothing was sent. */
  | 'tls-unverified'
  /** --auth-user, and the server refused the login (535, 454, …): nothing was sent. */
  | 'auth-failed'
  /** --auth-user, and no way to log in: AUTH (PLAIN/LOGIN) not offered, or the session is not encrypted. */
  | 'auth-unavailable'
  /** We did not send: the server cannot take this message (SIZE, 8BITMIME, SMTPUTF8). */
  | 'unsuitable'
  /** The connection broke during the transaction: delivery unknown, so not counted as delivered. */
  | 'lost';

export interface Attempt {
  exchange: string;
  address: string;
  port: number;
  connected: boolean;
  outcome: AttemptOutcome;
  /** A failure another server (or a later try) might not have: 4xx, timeouts, drops. */
  temporary: boolean;
  /** The reply (or local reason) that decided the outcome. */
  code: number;
  reply: string;
  tls: SendTls | null;
  /** The server's certificate, judged against the exchange name (or the --server address). */
  certificate?: CertificateInfo;
  /** Why the certificate does not authenticate the server (empty or absent: it does). */
  certificateProblems?: string[];
  /** The login, when --auth-user asked for one. */
  auth?: AttemptAuth;
  /** STARTTLS failed and the message went over a new plaintext connection (RFC 7435 opportunistic TLS). */
  tlsFallback?: string;
  recipients: RecipientReply[];
  final?: { code: number; enhanced?: string; reply: string; queueId: string | null };
  ehlo?: Ehlo;
  transcript: TranscriptLine[];
  ms: number;
}

export interface TransactOptions {
  tls: SendTlsMode;
  helo?: string;
  ca?: string[];
  needs: MessageNeeds;
  /** Connect from this local address. */
  localAddress?: string;
  /** SMTP AUTH before MAIL (submission). */
  auth?: SendAuth;
  /** The port speaks TLS from the first byte (465, RFC 8314 §3.3): require and verify start TLS before the
   *  greeting there instead of STARTTLS. */
  implicitTls?: boolean;
}

/** --tls verify: TLS 1.2 or later, and OpenSSL's security level 2 (Debian's default, what Postfix gets there). */
const VERIFY_TLS = { minVersion: 'TLSv1.2', ciphers: `${DEFAULT_CIPHERS}:@SECLEVEL=2` } as const;

export async function transact(
  endpoint: { exchange: string; address: string; port: number },
  message: Buffer,
  envelope: Envelope,
  ctx: Context,
  opts: TransactOptions,
): Promise<Attempt> {
  const start = performance.now();
  const a: Attempt = {
    ...endpoint,
    connected: false,
    outcome: 'unreachable',
    temporary: true,
    code: 0,
    reply: '',
    tls: null,
    recipients: [],
    transcript: [],
    ms: 0,
  };
  const done = (outcome: AttemptOutcome, r: Reply | { code: number; text: string }, temporary?: boolean) => {
    a.outcome = outcome;
    a.code = r.code;
    a.reply = 'text' in r ? r.text : replyText(r);
    a.temporary = temporary ?? (r.code === 0 || isTransient({ code: r.code, lines: [] }));
    a.ms = Math.round(performance.now() - start);
    return a;
  };

  // Connect, greeting, EHLO (HELO fallback), STARTTLS by policy, EHLO again: the one handshake.
  const strict = opts.tls === 'require' || opts.tls === 'verify';
  // On a port that speaks TLS from the first byte (465), "TLS or nothing" is implicit TLS.
  const implicit = opts.tls === 'implicit' || (strict && opts.implicitTls === true);
  const starttls = !implicit && (opts.tls === 'starttls' || strict);
  let handshakeMode: HandshakeTls = 'none';
  if (implicit) handshakeMode = 'implicit';
  else if (starttls) handshakeMode = 'starttls';
  const tlsParams: TlsParams = { servername: endpoint.exchange, ca: trustAnchors(opts.ca ?? []) };
  // The session's own TLS settings accept anything (security level 0) so that probe can report weak servers; a
  // certificate that only verifies there (1024-bit RSA, SHA-1 or MD5 signatures) authenticates nobody.
  if (opts.tls === 'verify') tlsParams.options = VERIFY_TLS;
  const hs = await smtpHandshake({ host: endpoint.exchange, address: endpoint.address, port: endpoint.port }, ctx, {
    tls: handshakeMode,
    helo: opts.helo,
    tlsParams,
    localAddress: opts.localAddress,
  });
  if (!hs.session) return done('unreachable', { code: 0, text: hs.connectFailure!.message }, true);
  const s = hs.session;
  a.connected = true;
  a.transcript = s.transcript;
  /** Records the TLS of this session; under --tls verify, the reason not to send when the certificate fails. */
  const secured = (t: Extract<TlsOutcome, { ok: true }>): string | undefined => {
    const certificate = t.certificate
      ? inspectCertificate(t.certificate, {
          hostname: endpoint.exchange,
          now: ctx.now(),
          authorized: t.authorized,
          authorizationError: t.authorizationError,
          chainLength: t.chain.length,
        })
      : undefined;
    const problems = certificate ? verificationProblems(certificate) : ['it sent no certificate'];
    a.tls = { protocol: t.protocol, cipher: t.cipher, verified: problems.length === 0 };
    if (certificate) a.certificate = certificate;
    if (problems.length) a.certificateProblems = problems;
    if (opts.tls !== 'verify' || !problems.length) return undefined;
    return `the certificate of ${endpoint.exchange} does not authenticate it: ${problems.join('; ')}; not sending (--tls verify)`;
  };
  try {
    const stage = hs.failed?.stage;
    const t = hs.tls.outcome;
    if (implicit) {
      if (t && !t.ok) return done('unreachable', { code: 0, text: t.failure.message }, true);
      const refused = t?.ok ? secured(t) : undefined;
      if (refused) return done('tls-unverified', { code: 0, text: refused }, false);
    }
    const greeting = hs.greeting!;
    if (greeting.code === 0) return done('unreachable', greeting);
    if (greeting.code !== 220) return done('refused', greeting);
    if (stage === 'ehlo') {
      const r = hs.failed!.reply;
      return done(r.code === 0 ? 'lost' : 'refused', r);
    }
    let ehlo: Ehlo = hs.esmtp ? hs.ehlo! : { hostname: null, extensions: [] };

    // STARTTLS by policy: require/verify → must succeed; starttls → when offered, with plaintext fallback.
    if (starttls) {
      if (!hs.tls.offered) {
        if (strict)
          return done(
            'tls-required',
            {
              code: 0,
              text: `${endpoint.exchange} does not offer STARTTLS; not sending in clear (--tls ${opts.tls})`,
            },
            false,
          );
      } else {
        if (stage === 'starttls' || stage === 'tls') {
          const go = hs.tls.refusal;
          const why = t && !t.ok ? t.failure.message : `STARTTLS refused: ${replyText(go!)}`;
          if (strict)
            return done(
              'tls-required',
              { code: go ? go.code : 0, text: `${why}; not sending in clear (--tls ${opts.tls})` },
              false,
            );
          // RFC 7435 §3: opportunistic TLS falls back to cleartext rather than not delivering.
          s.close();
          const again = await transact(endpoint, message, envelope, ctx, { ...opts, tls: 'none' });
          again.transcript = [...s.transcript, ...again.transcript];
          again.tlsFallback = why;
          again.ms = Math.round(performance.now() - start);
          return again;
        }
        const refused = t?.ok ? secured(t) : undefined;
        if (refused) return done('tls-unverified', { code: 0, text: refused }, false);
        if (stage === 'ehlo-tls') {
          const after = hs.failed!.reply;
          return done(after.code === 0 ? 'lost' : 'refused', after);
        }
        ehlo = hs.ehloTls!;
      }
    }
    a.ehlo = ehlo;

    // Submission (RFC 4954, RFC 6409): log in before MAIL, after TLS — a password never crosses in clear
    // unless the user said --auth-insecure.
    if (opts.auth) {
      const refusal = await login(s, ehlo, opts.auth, a, endpoint.exchange);
      if (refusal) return done(refusal.outcome, refusal.reply, refusal.temporary);
    }

    // What the message needs from the server, checked before we say MAIL.
    const limit = sizeLimit(ehlo);
    if (limit !== undefined && opts.needs.size > limit) {
      return done(
        'unsuitable',
        {
          code: 552,
          text: `the message (${opts.needs.size} bytes) is larger than ${endpoint.exchange}'s SIZE ${limit} (RFC 1870)`,
        },
        false,
      );
    }
    if (opts.needs.smtputf8 && !offers(ehlo, 'SMTPUTF8')) {
      return done(
        'unsuitable',
        {
          code: 553,
          text: `the message has UTF-8 addresses or headers and ${endpoint.exchange} does not offer SMTPUTF8 (RFC 6531 §3.4)`,
        },
        false,
      );
    }
    if (opts.needs.eightBit && !opts.needs.smtputf8 && !offers(ehlo, '8BITMIME')) {
      return done(
        'unsuitable',
        {
          code: 554,
          text: `the message has 8-bit content and ${endpoint.exchange} does not offer 8BITMIME (RFC 6152 §3)`,
        },
        false,
      );
    }
    const params: string[] = [];
    if (offers(ehlo, 'SIZE')) params.push(`SIZE=${opts.needs.size}`);
    if (opts.needs.eightBit && offers(ehlo, '8BITMIME')) params.push('BODY=8BITMIME');
    if (opts.needs.smtputf8) params.push('SMTPUTF8');
    const mailCmd = `MAIL FROM:<${envelope.from}>${params.length ? ` ${params.join(' ')}` : ''}`;
    const rcptCmds = envelope.to.map((r) => `RCPT TO:<${r}>`);

    let mail: Reply;
    let rcpts: Reply[];
    let data: Reply | undefined;
    if (offers(ehlo, 'PIPELINING')) {
      const replies = await s.pipeline([mailCmd, ...rcptCmds, 'DATA']);
      mail = replies[0]!;
      rcpts = replies.slice(1, -1);
      data = replies.at(-1);
    } else {
      mail = await s.command(mailCmd);
      rcpts = [];
      if (isPositive(mail)) for (const c of rcptCmds) rcpts.push(await s.command(c));
    }
    if (!isPositive(mail)) return done(mail.code === 0 ? 'lost' : 'refused', mail);
    a.recipients = envelope.to.map((recipient, i) => {
      const r = rcpts[i] ?? { code: 0, lines: [] };
      return { recipient, code: r.code, reply: replyText(r), accepted: isPositive(r) };
    });
    if (rcpts.some((r) => r.code === 0))
      return done(
        'lost',
        rcpts.find((r) => r.code === 0)!,
      );
    if (!a.recipients.some((r) => r.accepted)) {
      // RFC 2920 §3.1: a pipelined DATA that was accepted anyway must be ended; nothing is delivered.
      if (data?.code === 354) await s.data(Buffer.alloc(0));
      else if (!s.closed) await s.command('RSET');
      const worst = a.recipients.every((r) => isTransient({ code: r.code, lines: [] }));
      return done('no-recipients', { code: a.recipients[0]!.code, text: a.recipients[0]!.reply }, worst);
    }
    if (!data) data = await s.command('DATA');
    if (data.code !== 354) return done(data.code === 0 ? 'lost' : 'refused', data);
    const final = await s.data(message);
    if (final.code === 0) return done('lost', final);
    a.final = definedOnly({
      code: final.code,
      enhanced: final.enhanced || undefined,
      reply: replyText(final),
      queueId: isPositive(final) ? queueIdOf(final) : null,
    });
    return done('data', final, isTransient(final));
  } finally {
    await s.quit();
  }
}

/** Logs in on an established session; the reason not to go on, or undefined when authenticated. */
async function login(
  s: SmtpSession,
  ehlo: Ehlo,
  auth: SendAuth,
  a: Attempt,
  exchange: string,
): Promise<{ outcome: AttemptOutcome; reply: Reply | { code: number; text: string }; temporary: boolean } | undefined> {
  const base = { user: auth.user, encrypted: a.tls !== null };
  if (!a.tls && !auth.insecure) {
    const text = `not sending the password to ${exchange} in clear: the session is not encrypted (--auth-insecure allows it)`;
    a.auth = { ...base, mechanism: null, authenticated: false, sent: false, code: 0, reply: text };
    return { outcome: 'auth-unavailable', reply: { code: 0, text }, temporary: false };
  }
  const r = await authenticate(s, ehlo, auth, { mechanism: auth.mechanism });
  if (r.ok) {
    a.auth = { ...base, mechanism: r.mechanism, authenticated: true, sent: true, code: r.code, reply: r.reply };
    return undefined;
  }
  if (r.reason === 'not-offered') {
    a.auth = { ...base, mechanism: null, authenticated: false, sent: false, code: 0, reply: r.reply };
    return { outcome: 'auth-unavailable', reply: { code: 0, text: r.reply }, temporary: false };
  }
  a.auth = { ...base, mechanism: r.mechanism, authenticated: false, sent: true, code: r.code, reply: r.reply };
  if (r.code === 0) return { outcome: 'lost', reply: { code: 0, text: r.reply }, temporary: true };
  return { outcome: 'auth-failed', reply: { code: r.code, text: r.reply }, temporary: r.code < 500 };
}

/** The queue id servers put in their 250 to DATA: Postfix "queued as 4ABC", Exim "id=1abc-…", others "OK <id>". */
export function queueIdOf(r: Reply): string | null {
  const text = r.lines.join(' ');
  const m =
    /queued as ([A-Za-z0-9._-]+)/i.exec(text) ??
    /\bid=([A-Za-z0-9._-]+)/i.exec(text) ??
    /\b(?:ok|accepted|queued)\b:?\s+(?:<)?([A-Za-z0-9][A-Za-z0-9._@-]{5,})(?:>)?/i.exec(
      text.replace(/^\d\.\d+\.\d+\s+/, ''),
    );
  return m ? m[1]! : null;
}
