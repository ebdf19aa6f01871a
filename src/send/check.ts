// `mailcheck send`: compose (or take) a message, DKIM-sign it when a key is given, deliver it, and say per
// recipient what happened. Returns the JSON of shared/CONTRACT.md plus the sessions' transcripts.
import { organizationalDomain } from '../auth/dmarc/org-domain.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { finding, type Finding, type Step } from '../core/result.js';
import type { TranscriptLine } from '../smtp/session.js';
import type { Mailbox } from './address.js';
import { composeMessage, type HeaderField } from './compose.js';
import { deliver, type DeliverOptions, type DeliveredTo, type RejectedTo } from './deliver.js';
import { dkimSignMessage, type SigningKey } from './dkim-sign.js';
import { readEml } from './eml.js';
import type { AttemptOutcome, SendTlsMode } from './transaction.js';

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
  tls: { protocol: string | null; cipher: string | null } | null;
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
  tls: { mode: SendTlsMode; encrypted: boolean; protocol: string | null; cipher: string | null };
  dkim: {
    signed: boolean;
    domain: string | null;
    selector: string | null;
    algorithm?: string;
    keyBits?: number;
    signedHeaders?: string[];
  };
  size: number;
  /** Where each recipient domain's mail was to go (MX hosts, or the --server). */
  routes: {
    domain: string;
    recipients: string[];
    port: number;
    hosts: { exchange: string; preference: number | null; addresses: string[] }[];
    implicit: boolean;
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
    },
    dkim,
    size: message.length,
    routes: d.routes.map((r) => ({
      domain: r.domain,
      recipients: r.recipients,
      port: r.port,
      hosts: r.hosts,
      implicit: r.implicit,
      ...(r.problem ? { problem: r.problem.message } : {}),
    })),
    sessions: d.attempts.map((a) => ({
      exchange: a.exchange,
      address: a.address,
      port: a.port,
      outcome: a.outcome,
      reply: a.reply,
      tls: a.tls,
      ...(a.tlsFallback ? { tlsFallback: a.tlsFallback } : {}),
      transcript: a.transcript,
      ms: a.ms,
    })),
    findings: [
      ...findings,
      ...deliveryFindings(
        d.delivered,
        d.rejected,
        d.reachedAny,
        mode,
        d.attempts.filter((a) => a.tlsFallback).map((a) => `${a.exchange} (${a.tlsFallback})`),
        sent.filter((a) => !a.tls).map((a) => a.exchange),
      ),
    ],
    steps: d.steps,
  };
  return result;
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
        `${x.recipient}: delivered to ${x.exchange === x.address ? x.address : `${x.exchange} [${x.address}]`}:${x.port}${x.tls ? ` over ${x.tls.protocol}` : ''} — ${x.response}`,
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
