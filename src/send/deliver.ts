// Delivering one message to its recipients (RFC 5321 §4.5.4, §5.1): per recipient domain, try the mail
// hosts in preference order — every address — until each recipient is delivered or refused for good.
// Callable on its own (the demo uses it) with an injected resolver, a port and an explicit server.
import type { Context } from '../core/context.js';
import { definedOnly } from '../core/object.js';
import type { Step } from '../core/result.js';
import { hasEightBit } from '../smtp/data.js';
import { byDomain, mxRoute, serverRoute, type Route } from './route.js';
import {
  transact,
  type Attempt,
  type Envelope,
  type MessageNeeds,
  type SendAuth,
  type SendTls,
  type SendTlsMode,
} from './transaction.js';

export interface DeliverOptions {
  /** Bypass MX: every recipient goes to this server. */
  server?: { host: string; port: number };
  /** Port for MX delivery (25). */
  port?: number;
  tls?: SendTlsMode;
  helo?: string;
  /** Extra trust anchors (PEM). */
  ca?: string[];
  /** Addresses tried per domain before giving up (default 10). */
  maxAttempts?: number;
  /** Connect from this local address (the demo's forger uses 127.0.0.2). */
  localAddress?: string;
  /** Deliver to MX addresses that are loopback, link-local, private or reserved (the demo's sandbox). */
  allowPrivate?: boolean;
  /** The port speaks TLS from the first byte (465): --tls require/verify use implicit TLS, not STARTTLS. */
  implicitTls?: boolean;
  /** SMTP AUTH before MAIL (submission: --auth-user). */
  auth?: SendAuth;
}

export interface DeliveredTo {
  recipient: string;
  exchange: string;
  address: string;
  port: number;
  /** The server's final reply to DATA. */
  response: string;
  code: number;
  queueId: string | null;
  tls: SendTls | null;
}

export type NotDeliveredReason =
  | 'rejected'
  | 'deferred'
  | 'unreachable'
  | 'no-route'
  | 'private'
  | 'tls-required'
  | 'tls-unverified'
  | 'auth-failed'
  | 'auth-unavailable'
  | 'unsuitable'
  | 'lost';

export interface RejectedTo {
  recipient: string;
  /** The reply that settled it (or our reason, when no server said anything). */
  response: string;
  code: number;
  reason: NotDeliveredReason;
  /** A 4xx, timeout or DNS failure: a later try might succeed. */
  temporary: boolean;
  exchange?: string;
  address?: string;
  port?: number;
}

export interface Delivery {
  delivered: DeliveredTo[];
  rejected: RejectedTo[];
  attempts: Attempt[];
  routes: Route[];
  steps: Step[];
  /** Some server greeted us: the outcome is a verdict, not a network failure. */
  reachedAny: boolean;
}

export async function deliver(
  message: Buffer,
  envelope: Envelope,
  ctx: Context,
  opts: DeliverOptions = {},
): Promise<Delivery> {
  const needs = messageNeeds(message, envelope);
  const planned = opts.server
    ? [await serverRoute(opts.server, envelope.to, ctx)]
    : await Promise.all(
        [...byDomain(envelope.to)].map(([domain, rcpts]) =>
          mxRoute(domain, rcpts, opts.port ?? 25, ctx, { allowPrivate: opts.allowPrivate }),
        ),
      );
  const results = await Promise.all(
    planned.map(({ route }) => deliverRoute(route, message, envelope.from, needs, ctx, opts)),
  );
  const attempts = results.flatMap((r) => r.attempts);
  return {
    delivered: results.flatMap((r) => r.delivered),
    rejected: results.flatMap((r) => r.rejected),
    attempts,
    routes: planned.map((p) => p.route),
    steps: [...planned.flatMap((p) => p.steps), ...attempts.map(attemptStep)],
    reachedAny: attempts.some((a) => a.outcome !== 'unreachable'),
  };
}

async function deliverRoute(
  route: Route,
  message: Buffer,
  from: string,
  needs: MessageNeeds,
  ctx: Context,
  opts: DeliverOptions,
) {
  const delivered: DeliveredTo[] = [];
  const rejected: RejectedTo[] = [];
  const attempts: Attempt[] = [];
  if (route.problem) {
    const p = route.problem;
    const reason = p.id === 'private' ? 'private' : 'no-route';
    for (const recipient of route.recipients)
      rejected.push({ recipient, response: p.message, code: 0, reason, temporary: p.temporary });
    return { delivered, rejected, attempts };
  }
  let pending = [...route.recipients];
  const last = new Map<string, RejectedTo>();
  const refused = new Set(route.refused?.map((r) => `${r.exchange} ${r.address}`));
  const endpoints = route.hosts.flatMap((h) =>
    h.addresses
      .filter((address) => !refused.has(`${h.exchange} ${address}`))
      .map((address) => ({ exchange: h.exchange, address, port: route.port })),
  );
  for (const endpoint of endpoints.slice(0, opts.maxAttempts ?? 10)) {
    if (!pending.length) break;
    const a = await transact(
      endpoint,
      message,
      { from, to: pending },
      ctx,
      definedOnly({
        tls: opts.tls ?? 'starttls',
        needs,
        helo: opts.helo || undefined,
        ca: opts.ca || undefined,
        localAddress: opts.localAddress || undefined,
        implicitTls: opts.implicitTls,
        auth: opts.auth,
      }),
    );
    attempts.push(a);
    const where = { exchange: a.exchange, address: a.address, port: a.port };
    const settle = (recipient: string, r: Omit<RejectedTo, 'recipient'>) => {
      if (r.temporary) last.set(recipient, { recipient, ...r });
      else {
        rejected.push({ recipient, ...r });
        pending = pending.filter((p) => p !== recipient);
      }
    };
    if (a.outcome === 'data' || a.outcome === 'no-recipients') {
      for (const r of a.recipients) {
        if (!r.accepted) {
          settle(r.recipient, {
            response: r.reply,
            code: r.code,
            reason: r.code >= 500 ? 'rejected' : 'deferred',
            temporary: r.code < 500,
            ...where,
          });
        } else if (a.final && a.final.code >= 200 && a.final.code < 300) {
          delivered.push({
            recipient: r.recipient,
            ...where,
            response: a.final.reply,
            code: a.final.code,
            queueId: a.final.queueId,
            tls: a.tls,
          });
          pending = pending.filter((p) => p !== r.recipient);
        } else if (a.final) {
          settle(r.recipient, {
            response: a.final.reply,
            code: a.final.code,
            reason: a.final.code >= 500 ? 'rejected' : 'deferred',
            temporary: a.final.code < 500,
            ...where,
          });
        }
      }
    } else {
      // The server could not take the transaction at all: every pending recipient moves on to the next host.
      let reason: NotDeliveredReason = a.outcome === 'refused' ? 'rejected' : a.outcome;
      if (a.outcome === 'refused' && a.temporary) reason = 'deferred';
      for (const recipient of pending)
        last.set(recipient, { recipient, response: a.reply, code: a.code, reason, temporary: a.temporary, ...where });
    }
  }
  // Tried everything: what is left was not delivered, with the last word we got.
  for (const recipient of pending) {
    rejected.push(
      last.get(recipient) ?? {
        recipient,
        response: 'no server was tried',
        code: 0,
        reason: 'unreachable',
        temporary: true,
      },
    );
  }
  const order = (r: { recipient: string }) => route.recipients.indexOf(r.recipient);
  return {
    delivered: delivered.sort((a, b) => order(a) - order(b)),
    rejected: rejected.sort((a, b) => order(a) - order(b)),
    attempts,
  };
}

/** What the message asks of a server: its size, 8-bit data (RFC 6152), UTF-8 addresses or headers (RFC 6531). */
export function messageNeeds(message: Buffer, envelope: Envelope): MessageNeeds {
  const end = message.indexOf('\r\n\r\n');
  const head = end < 0 ? message : message.subarray(0, end);
  const utf8Envelope = [envelope.from, ...envelope.to].some((a) => /[^\x00-\x7f]/.test(a));
  return { size: message.length, eightBit: hasEightBit(message), smtputf8: utf8Envelope || hasEightBit(head) };
}

function attemptStep(a: Attempt): Step {
  const at = `${a.exchange === a.address ? a.address : `${a.exchange} [${a.address}]`}:${a.port}`;
  const what = a.outcome === 'data' ? `DATA → ${a.final?.reply ?? a.reply}` : `${a.outcome}: ${a.reply}`;
  return { kind: 'smtp', summary: `${at} ${what}`, ms: a.ms, ok: a.outcome === 'data' && (a.final?.code ?? 0) < 400 };
}
