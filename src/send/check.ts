// `mailcheck send`: compose (or take) a message, DKIM-sign it when a key is given, deliver it, and say per
// recipient what happened. Returns the JSON of shared/CONTRACT.md plus the sessions' transcripts.
import { organizationalDomain } from '../auth/dmarc/org-domain.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { finding, type Finding, type Step } from '../core/result.js';
import type { CertificateInfo } from '../smtp/certificate.js';
import type { TranscriptLine } from '../smtp/session.js';
import type { Mailbox } from './address.js';
import { composeMessage, type HeaderField } from './compose.js';
import { deliver, type DeliverOptions, type DeliveredTo, type Delivery, type RejectedTo } from './deliver.js';
import { dkimSignMessage, type SigningKey } from './dkim-sign.js';
import { readEml } from './eml.js';
import { describeRefused, type RefusedAddress } from './route.js';
import type { Attempt, AttemptAuth, AttemptOutcome, SendTls, SendTlsMode } from './transaction.js';

export interface SendInput {
  from: Mailbox;
  to: Mailbox[];
  subject?: string;
  body?: string;
  headers?: HeaderField[];
  /** Send these bytes as the message instead of composing one (--eml). */
  eml?: Buffer;
  dkim?: { key: SigningKey; selector: string; domain?: string };
}

export interface SendOptions extends DeliverOptions {
  /** Randomness for the Message-ID (tests pin it). */
  random?: () => string;
}

export interface SendSession {
  exchange: string;
  address: string;
  port: number;
  outcome: AttemptOutcome;
  reply: string;
  tls: SendTls | null;
  /** The certificate the server presented, judged against its name (as `probe` reports it). */
  certificate?: CertificateInfo;
  /** Why that certificate does not authenticate the server. */
  certificateProblems?: string[];
  /** The login (--auth-user): mechanism, answer; never the password. */
  auth?: AttemptAuth;
  tlsFallback?: string;
  transcript: TranscriptLine[];
  ms: number;
}

export interface SendResult {
  kind: 'send';
  messageId: string | null;
  from: string;
  to: string[];
  delivered: DeliveredTo[];
  rejected: RejectedTo[];
  tls: {
    mode: SendTlsMode;
    encrypted: boolean;
    protocol: string | null;
    cipher: string | null;
    /** Every server that took the message presented a certificate that authenticates it; null: none took it. */
    verified: boolean | null;
  };
  dkim: {
    signed: boolean;
    domain: string | null;
    selector: string | null;
    algorithm?: string;
    keyBits?: number;
    signedHeaders?: string[];
  };
  /** SMTP AUTH (--auth-user); null when no login was asked for. Never holds the password. */
  auth: { user: string; mechanism: string | null; authenticated: boolean } | null;
  size: number;
  /** Where each recipient domain's mail was to go (MX hosts, or the --server). */
  routes: {
    domain: string;
    recipients: string[];
    port: number;
    hosts: { exchange: string; preference: number | null; addresses: string[] }[];
    implicit: boolean;
    /** MX addresses not tried: loopback, link-local, private or reserved (without --allow-private). */
    refused?: RefusedAddress[];
    problem?: string;
  }[];
  sessions: SendSession[];
  findings: Finding[];
  steps: Step[];
}

export async function sendMessage(input: SendInput, ctx: Context, opts: SendOptions = {}): Promise<SendResult> {
  const random = opts.random ?? (() => Math.random().toString(36).slice(2, 12));
  let message: Buffer;
  let messageId: string | null;
  let fromDomain: string | null;
  if (input.eml) {
    const eml = readEml(input.eml);
    message = eml.message;
    messageId = eml.messageId;
    fromDomain = eml.fromDomain;
  } else {
    const composed = composeMessage(
      { from: input.from, to: input.to, ...pick(input, ['subject', 'body', 'headers']) },
      { now: ctx.now(), random },
    );
    message = composed.message;
    messageId = composed.messageId;
    fromDomain = input.from.domain;
  }

  const findings: Finding[] = [];
  const dkim: SendResult['dkim'] = { signed: false, domain: null, selector: null };
  if (input.dkim) {
    const domain = input.dkim.domain ?? fromDomain;
    if (!domain)
      throw new UsageError('cannot tell the DKIM signing domain: the message has no From: address; give --dkim-domain');
    const signed = await dkimSignMessage(message, {
      key: input.dkim.key,
      domain,
      selector: input.dkim.selector,
      now: ctx.now(),
    });
    message = signed.message;
    Object.assign(dkim, {
      signed: true,
      domain,
      selector: signed.selector,
      algorithm: signed.algorithm,
      keyBits: signed.keyBits,
      signedHeaders: signed.signedHeaders,
    });
    findings.push(
      finding(
        'send.dkim.signed',
        'ok',
        `Signed with DKIM: d=${domain} s=${signed.selector} a=${signed.algorithm}, relaxed/relaxed, covering ${signed.signedHeaders.join(', ')}.`,
        { ref: 'RFC 6376' },
      ),
    );
    if (fromDomain && !aligned(domain, fromDomain)) {
      findings.push(
        finding(
          'send.dkim.unaligned',
          'warn',
          `The signing domain ${domain} is not aligned with the From: domain ${fromDomain}: this signature cannot make DMARC pass.`,
          { ref: 'RFC 7489 §3.1.1' },
        ),
      );
    }
    if (signed.algorithm === 'rsa-sha256' && signed.keyBits < 2048) {
      findings.push(
        finding(
          'send.dkim.short-key',
          'warn',
          `The RSA key has ${signed.keyBits} bits; RFC 8301 asks for at least 2048.`,
          { ref: 'RFC 8301 §3.2' },
        ),
      );
    }
  }

  const envelope = { from: input.from.address, to: input.to.map((m) => m.address) };
  const d = await deliver(message, envelope, ctx, opts);
  const mode = opts.tls ?? 'starttls';
  const sent = d.attempts.filter((a) => a.outcome === 'data');
  const first = d.delivered[0]?.tls ?? sent[0]?.tls ?? null;
  const result: SendResult = {
    kind: 'send',
    messageId,
    from: envelope.from,
    to: envelope.to,
    delivered: d.delivered,
    rejected: d.rejected,
    tls: {
      mode,
      encrypted: sent.length > 0 && sent.every((a) => a.tls !== null),
      protocol: first?.protocol ?? null,
      cipher: first?.cipher ?? null,
      verified: sent.length ? sent.every((a) => a.tls?.verified === true) : null,
    },
    dkim,
    auth: opts.auth ? authSummary(opts.auth.user, d.attempts) : null,
    size: message.length,
    routes: d.routes.map(routeOf),
    sessions: d.attempts.map(sessionOf),
    findings: [
      ...findings,
      ...routeFindings(d.routes),
      ...deliveryFindings(
        d.delivered,
        d.rejected,
        d.reachedAny,
        mode,
        d.attempts.filter((a) => a.tlsFallback).map((a) => `${a.exchange} (${a.tlsFallback})`),
        sent.filter((a) => !a.tls).map((a) => a.exchange),
      ),
      ...certificateFindings(sent, mode),
      ...authFindings(d.attempts),
    ],
    steps: d.steps,
  };
  return result;
}

function routeOf(r: Delivery['routes'][number]): SendResult['routes'][number] {
  const out: SendResult['routes'][number] = {
    domain: r.domain,
    recipients: r.recipients,
    port: r.port,
    hosts: r.hosts,
    implicit: r.implicit,
  };
  if (r.refused) out.refused = r.refused;
  if (r.problem) out.problem = r.problem.message;
  return out;
}

function sessionOf(a: Attempt): SendSession {
  const out: SendSession = {
    exchange: a.exchange,
    address: a.address,
    port: a.port,
    outcome: a.outcome,
    reply: a.reply,
    tls: a.tls,
    transcript: a.transcript,
    ms: a.ms,
  };
  if (a.certificate) out.certificate = a.certificate;
  if (a.certificateProblems) out.certificateProblems = a.certificateProblems;
  if (a.auth) out.auth = a.auth;
  if (a.tlsFallback) out.tlsFallback = a.tlsFallback;
  return out;
}

function authSummary(user: string, attempts: Attempt[]): NonNullable<SendResult['auth']> {
  const used = attempts.find((a) => a.auth?.authenticated) ?? attempts.find((a) => a.auth?.mechanism);
  return { user, mechanism: used?.auth?.mechanism ?? null, authenticated: Boolean(used?.auth?.authenticated) };
}

/** A login that worked, and where a password went without the protection it needs (RFC 4954 §4, RFC 8314 §3). */
function authFindings(attempts: Attempt[]): Finding[] {
  const out: Finding[] = [];
  for (const a of attempts) {
    const x = a.auth;
    if (!x?.sent) continue;
    const at = a.exchange === a.address ? `${a.address}:${a.port}` : `${a.exchange} [${a.address}]:${a.port}`;
    if (x.authenticated)
      out.push(
        finding(
          'send.auth.ok',
          'ok',
          `Logged in to ${at} as ${x.user} with AUTH ${x.mechanism}${a.tls ? ` over ${a.tls.protocol}` : ''} (${x.reply}).`,
          { ref: 'RFC 4954' },
        ),
      );
    if (!x.encrypted)
      out.push(
        finding(
          'send.auth.insecure',
          'warn',
          `The password for ${x.user} crossed the network to ${at} in clear (--auth-insecure): anyone on the path can read it.`,
          { ref: 'RFC 4954 §4, RFC 8314 §3', advice: 'Use --tls require or verify (port 587 with STARTTLS, or 465).' },
        ),
      );
    else if (a.tls && !a.tls.verified)
      out.push(
        finding(
          'send.auth.unverified',
          'warn',
          `The password for ${x.user} went to ${at} over TLS, but its certificate does not authenticate the server (${(a.certificateProblems ?? []).join('; ')}): an attacker in the path could have taken it.`,
          {
            ref: 'RFC 8314 §3, RFC 6125 §6',
            advice: '--tls verify (with --ca for a private CA) sends it only to a verified server.',
          },
        ),
      );
  }
  return out;
}

/** Addresses skipped while others were tried; a route with nothing left fails per recipient (send.route.private). */
function routeFindings(routes: Delivery['routes']): Finding[] {
  const out: Finding[] = [];
  for (const r of routes) {
    if (!r.refused?.length || r.problem) continue;
    out.push(
      finding(
        'send.route.private-skipped',
        'warn',
        `Not tried for ${r.domain}: ${describeRefused(r.refused)}. DNS named a loopback, link-local, private or reserved address; mail is not sent there without --allow-private.`,
        { ref: 'RFC 6890' },
      ),
    );
  }
  return out;
}

/** With TLS required but not verified (require, implicit): say when the certificate did not authenticate the server. */
function certificateFindings(sent: Attempt[], mode: SendTlsMode): Finding[] {
  if (mode !== 'require' && mode !== 'implicit') return [];
  const out: Finding[] = [];
  for (const a of sent) {
    if (!a.tls || a.tls.verified) continue;
    const at = a.exchange === a.address ? `${a.address}:${a.port}` : `${a.exchange} [${a.address}]:${a.port}`;
    out.push(
      finding(
        'send.tls.unverified',
        'warn',
        `Sent encrypted to ${at}, but its certificate does not authenticate it: ${(a.certificateProblems ?? []).join('; ')}. Encryption without authentication stops eavesdroppers, not an attacker in the path.`,
        {
          ref: 'RFC 7435 §1.3, RFC 6125 §6',
          advice:
            '--tls verify sends only to a server whose certificate chains to a trusted CA (or --ca) and names it.',
        },
      ),
    );
  }
  return out;
}

function deliveryFindings(
  delivered: DeliveredTo[],
  rejected: RejectedTo[],
  reachedAny: boolean,
  mode: SendTlsMode,
  fallbacks: string[],
  plaintext: string[],
): Finding[] {
  const out: Finding[] = [];
  for (const x of delivered) {
    out.push(
      finding(
        'send.delivered',
        'ok',
        `${x.recipient}: delivered to ${x.exchange === x.address ? x.address : `${x.exchange} [${x.address}]`}:${x.port}${x.tls ? ` over ${x.tls.protocol}` : ''}${mode === 'verify' && x.tls?.verified ? ' (certificate verified)' : ''} — ${x.response}`,
      ),
    );
  }
  for (const x of rejected) {
    // No server ever answered: that is a network problem (exit 3), not a verdict on the recipient.
    const unreached = x.temporary && !reachedAny && (x.reason === 'unreachable' || x.reason === 'no-route');
    const via = x.exchange ? ` by ${x.exchange === x.address ? x.address : `${x.exchange} [${x.address}]`}` : '';
    switch (x.reason) {
      case 'rejected':
        out.push(
          finding('send.rejected', 'fail', `${x.recipient}: rejected${via} — ${x.response}`, {
            ref: 'RFC 5321 §4.2.1',
          }),
        );
        break;
      case 'deferred':
        out.push(
          finding(
            'send.deferred',
            'fail',
            `${x.recipient}: not delivered, temporarily refused${via} (try again later) — ${x.response}`,
            { ref: 'RFC 5321 §4.2.1' },
          ),
        );
        break;
      case 'no-route':
        out.push(
          finding(
            `send.route.${x.temporary ? 'temporary' : 'none'}`,
            'fail',
            `${x.recipient}: nowhere to deliver — ${x.response}.`,
            unreached ? { temporary: true } : {},
          ),
        );
        break;
      case 'tls-required':
        out.push(
          finding('send.tls.required', 'fail', `${x.recipient}: not sent — ${x.response}.`, { ref: 'RFC 3207' }),
        );
        break;
      case 'tls-unverified':
        out.push(
          finding('send.tls.verify-failed', 'fail', `${x.recipient}: not sent — ${x.response}.`, {
            ref: 'RFC 6125 §6, RFC 5280 §6',
            advice: 'Give --ca <pem> for a private CA; the certificate must name the MX host.',
          }),
        );
        break;
      case 'auth-failed':
        out.push(
          finding('send.auth.failed', 'fail', `${x.recipient}: not sent — the login was refused: ${x.response}.`, {
            ref: 'RFC 4954 §6',
          }),
        );
        break;
      case 'auth-unavailable':
        out.push(
          finding('send.auth.unavailable', 'fail', `${x.recipient}: not sent — ${x.response}.`, { ref: 'RFC 4954' }),
        );
        break;
      case 'private':
        out.push(
          finding('send.route.private', 'fail', `${x.recipient}: not sent — ${x.response}.`, {
            ref: 'RFC 6890',
            advice: 'Give --allow-private if this is a test network, or --server to name the target explicitly.',
          }),
        );
        break;
      case 'unsuitable':
        out.push(finding('send.unsuitable', 'fail', `${x.recipient}: not sent — ${x.response}.`));
        break;
      case 'lost':
        out.push(
          finding(
            'send.lost',
            'fail',
            `${x.recipient}: the connection${via} broke during the transaction; not delivered — ${x.response}.`,
          ),
        );
        break;
      default:
        out.push(
          finding(
            'send.unreachable',
            'fail',
            `${x.recipient}: no server could be reached — ${x.response}.`,
            unreached ? { temporary: true } : {},
          ),
        );
    }
  }
  for (const f of fallbacks) {
    out.push(
      finding(
        'send.tls.fallback',
        'warn',
        `STARTTLS failed at ${f}; the message went in plaintext on a new connection (opportunistic TLS).`,
        { ref: 'RFC 7435 §3' },
      ),
    );
  }
  if (plaintext.length && mode !== 'none') {
    out.push(
      finding(
        'send.tls.plaintext',
        'warn',
        `Sent without encryption to ${[...new Set(plaintext)].join(', ')}: ${fallbacks.length ? 'TLS failed' : 'no STARTTLS offered'}. Use --tls require to refuse that.`,
        { ref: 'RFC 3207' },
      ),
    );
  }
  return out;
}

/** Relaxed alignment (RFC 7489 §3.1.1): the same organizational domain. */
function aligned(d: string, from: string): boolean {
  return organizationalDomain(d.toLowerCase()) === organizationalDomain(from.toLowerCase());
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
