// The verdicts of one send (RFC 5321 §4.2 replies, RFC 3207/7435 TLS, RFC 6125 certificates, RFC 4954 logins,
// RFC 6890 address ranges): per recipient, per route and per session. Pure: delivery data in, findings out.
import { finding, type Finding } from '../core/result.js';
import type { DeliveredTo, Delivery, RejectedTo } from './deliver.js';
import { describeRefused } from './route.js';
import type { Attempt, SendTlsMode } from './transaction.js';
import { endpointLabel } from '../smtp/peer.js';

/** A login that worked, and where a password went without the protection it needs (RFC 4954 §4, RFC 8314 §3). */
export function authFindings(attempts: Attempt[]): Finding[] {
  const out: Finding[] = [];
  for (const a of attempts) {
    const x = a.auth;
    if (!x?.sent) continue;
    const at = endpointLabel(a.exchange, a.address, a.port);
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
export function routeFindings(routes: Delivery['routes']): Finding[] {
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
export function certificateFindings(sent: Attempt[], mode: SendTlsMode): Finding[] {
  if (mode !== 'require' && mode !== 'implicit') return [];
  const out: Finding[] = [];
  for (const a of sent) {
    if (!a.tls || a.tls.verified) continue;
    const at = endpointLabel(a.exchange, a.address, a.port);
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

export function deliveryFindings(
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
