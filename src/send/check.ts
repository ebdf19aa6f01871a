// `mailcheck send`: compose (or take) a message, DKIM-sign it when a key is given, deliver it, and say per
// recipient what happened. Returns the JSON of shared/CONTRACT.md plus the sessions' transcripts.
import { organizationalDomain } from '../auth/shared/org-domain.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { finding, type Finding } from '../core/result.js';
import type { Mailbox } from './address.js';
import { composeMessage, type HeaderField } from './compose.js';
import { deliver, type DeliverOptions, type Delivery } from './deliver.js';
import { dkimSignMessage, type SigningKey } from './dkim-sign.js';
import { readEml } from './eml.js';
import { authFindings, certificateFindings, deliveryFindings, routeFindings } from './findings.js';
import type { Attempt } from './transaction.js';
import type { SendResult, SendSession } from './types.js';

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

/** Relaxed alignment (RFC 7489 §3.1.1): the same organizational domain. */
function aligned(d: string, from: string): boolean {
  return organizationalDomain(d.toLowerCase()) === organizationalDomain(from.toLowerCase());
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
