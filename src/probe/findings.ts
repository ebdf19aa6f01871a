// The verdicts on one probed SMTP server (RFC 5321, RFC 3207 STARTTLS, RFC 8996/8314 TLS, RFC 4954 AUTH,
// RFC 5280/6125 certificates). Pure: the host data in, findings out.
import { definedOnly } from '../core/object.js';
import { finding, type Finding } from '../core/result.js';
import { DATE_ERRORS } from '../smtp/certificate.js';
import type { ProbeHost, TlsMode } from './types.js';
import { endpointLabel } from '../smtp/peer.js';

export const EXPIRY_WARNING_DAYS = 14;

const PORT_25_ADVICE = 'Many networks block outgoing port 25; try from another network, or --port 587/465.';

/** The end of the hostname-mismatch sentence: what the greeting's name fails to match (`ptr`: '' when none). */
function bannerNameNotMatching(h: ProbeHost, ptr: string): string {
  if (h.exchange !== h.address)
    return `which matches neither the MX name ${h.exchange}${ptr ? ` nor ${ptr}` : ' (and the address has no PTR name)'}`;
  return ptr ? `which is not ${ptr}` : 'and its address has no PTR name to match it';
}

export function hostFindings(
  h: ProbeHost,
  o: { mode: TlsMode; slowBannerMs: number; relayTested: boolean },
): Finding[] {
  const out: Finding[] = [];
  const who = endpointLabel(h.exchange, h.address, h.port);
  const add = (...f: Finding[]) => out.push(...f);

  // Connection: no verdict about the server, only that we could not reach it (exit 3).
  if (!h.connected) {
    const e = h.error!;
    const ids: Record<string, string> = {
      refused: 'probe.connect.refused',
      timeout: 'probe.connect.timeout',
      unreachable: 'probe.connect.unreachable',
    };
    add(
      finding(
        ids[e.kind] ?? 'probe.connect.failed',
        'fail',
        `No connection to ${who}: ${e.message}.`,
        definedOnly({ temporary: true, advice: e.kind === 'timeout' && h.port === 25 ? PORT_25_ADVICE : undefined }),
      ),
    );
    return out;
  }

  // The greeting (RFC 5321 §3.1, §4.3.1).
  if (h.error?.stage === 'tls' || (h.tls?.attempted && !h.tls.ok && o.mode === 'implicit')) {
    add(tlsFailure(h, who));
    return out;
  }
  if (h.error?.stage === 'banner') {
    if (h.error.kind === 'timeout') {
      add(
        finding(
          'probe.banner.timeout',
          'fail',
          `${who} accepted the connection but sent no greeting within ${Math.round((h.timings.bannerMs ?? 0) / 1000)} s.`,
          { temporary: true, ref: 'RFC 5321 §4.5.3.2.1' },
        ),
      );
    } else {
      add(protocolFailure(h, who, 'greeting'));
    }
    return out;
  }
  if (h.timings.bannerMs !== null && h.timings.bannerMs > o.slowBannerMs && h.bannerCode !== null) {
    add(
      finding(
        'probe.banner.slow',
        'warn',
        `${who} took ${(h.timings.bannerMs / 1000).toFixed(1)} s to greet: a deliberate delay (greylisting, tarpitting) or an overloaded server; impatient senders give up.`,
        { ref: 'RFC 5321 §4.5.3.2.1' },
      ),
    );
  }
  if (h.bannerCode !== null && h.bannerCode !== 220) {
    if (h.bannerCode >= 400 && h.bannerCode < 500) {
      add(
        finding(
          'probe.banner.temporary',
          'fail',
          `${who} greeted with ${h.banner}: busy or deferring connections for now (try again later).`,
          { temporary: true, ref: 'RFC 5321 §3.1' },
        ),
      );
    } else {
      add(
        finding('probe.banner.rejected', 'fail', `${who} greeted with ${h.banner}: it refuses SMTP service to us.`, {
          ref: 'RFC 5321 §3.1',
        }),
      );
    }
    return out;
  }
  const named = h.bannerHostname?.toLowerCase().replace(/\.$/, '') ?? '';
  const names = [h.exchange, ...h.ptr].map((n) => n.toLowerCase().replace(/\.$/, ''));
  if (h.bannerCode === 220 && !names.includes(named)) {
    const ptr = h.ptr.length ? `the PTR name (${h.ptr.join(', ')})` : '';
    const against = bannerNameNotMatching(h, ptr);
    add(
      finding(
        'probe.banner.hostname-mismatch',
        'warn',
        `${who} calls itself "${h.bannerHostname ?? ''}" in its greeting, ${against}.`,
        {
          ref: 'RFC 5321 §4.3.1',
          advice: 'Make the greeting name, the PTR record and the MX name agree: receivers compare them.',
        },
      ),
    );
  }

  // EHLO (RFC 5321 §4.1.1.1).
  if (h.error?.stage === 'ehlo') {
    add(
      h.error.kind === 'rejected'
        ? finding('probe.ehlo.rejected', 'fail', `${who} refused both EHLO and HELO: ${h.error.message}.`, {
            ref: 'RFC 5321 §4.1.1.1',
          })
        : protocolFailure(h, who, 'EHLO'),
    );
    return out;
  }
  if (!h.esmtp) {
    add(
      finding(
        'probe.esmtp.none',
        'warn',
        `${who} does not speak ESMTP (EHLO refused, HELO accepted): no STARTTLS, SIZE or 8BITMIME.`,
        { ref: 'RFC 5321 §2.2' },
      ),
    );
  }

  // AUTH before TLS: passwords in the clear (RFC 4954 §4, RFC 8314 §3).
  const a = h.auth;
  if (a) {
    const ref = {
      ref: 'RFC 4954 §4, RFC 8314 §3',
      advice: 'Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes), or only on port 465/587.',
    };
    if (a.accepted === true) {
      add(
        finding(
          'probe.auth.plaintext',
          'fail',
          `${who} takes AUTH ${a.tried} before TLS (it answered ${a.reply} to a made-up user): passwords cross the network in the clear.`,
          ref,
        ),
      );
    } else if (a.accepted === false) {
      add(
        finding(
          'probe.auth.offered-plaintext',
          'info',
          `${who} lists AUTH ${a.offered.join(' ')} before TLS but demands STARTTLS first (${a.reply}).`,
          { ref: 'RFC 4954 §4' },
        ),
      );
    } else {
      add(
        finding(
          'probe.auth.offered-plaintext',
          'warn',
          `${who} offers AUTH ${a.offered.join(' ')} before TLS; ${a.tried ? `AUTH ${a.tried} gave no verdict (${a.reply})` : a.reply}.`,
          ref,
        ),
      );
    }
  }

  // TLS.
  if (o.mode === 'none') {
    add(
      finding(
        'probe.tls.skipped',
        'info',
        `TLS not tried (--tls none)${h.tls?.offered ? `; ${who} offers STARTTLS` : ''}.`,
      ),
    );
  } else if (o.mode === 'starttls' && h.esmtp && h.tls && !h.tls.offered) {
    add(
      finding(
        'probe.starttls.missing',
        'fail',
        `${who} does not offer STARTTLS: mail to it crosses the network unencrypted.`,
        {
          ref: 'RFC 3207',
          advice: 'Enable STARTTLS with a certificate for the MX name (Postfix: smtpd_tls_security_level = may).',
        },
      ),
    );
  } else if (h.tls?.attempted && !h.tls.ok) {
    add(h.error?.stage === 'starttls' ? protocolFailure(h, who, 'STARTTLS') : tlsFailure(h, who));
  } else if (h.tls?.ok) {
    add(...tlsFindings(h, who));
  }
  if (h.error?.stage === 'ehlo-tls') {
    add(
      h.error.kind === 'rejected'
        ? finding('probe.ehlo.rejected', 'fail', `${who} refused EHLO after STARTTLS: ${h.error.message}.`, {
            ref: 'RFC 3207 §4.2',
          })
        : protocolFailure(h, who, 'EHLO after STARTTLS'),
    );
  }

  // The relay test.
  if (o.relayTested && h.relay) {
    const r = h.relay;
    if (r.accepted === true && r.sink) {
      add(
        finding(
          'probe.relay.sink',
          'info',
          `${who} accepted mail from ${r.mailFrom} to ${r.rcptTo} (${r.reply}), and its greeting says what it is: an accept-all sink (mailcheck receive) that stores every message and never relays. Taking any recipient is what a sink does; by its own account it is not an open relay (the probe sends no message, so it cannot see whether mail leaves).`,
          {
            ref: 'RFC 5321 §3.9',
            advice: 'Keep an accept-all sink off the internet: it takes every message anyone sends it.',
          },
        ),
      );
    } else if (r.accepted === true) {
      add(
        finding(
          'probe.relay.open',
          'fail',
          `${who} accepted mail from ${r.mailFrom} to ${r.rcptTo} (${r.reply}): an open relay that anyone can send spam through.`,
          {
            ref: 'RFC 5321 §3.9, RFC 2505',
            advice:
              'Relay only for your own domains and authenticated users (Postfix: smtpd_relay_restrictions = … reject_unauth_destination).',
          },
        ),
      );
    } else if (r.accepted === false) {
      add(finding('probe.relay.closed', 'ok', `${who} refused to relay to ${r.rcptTo} (${r.reply}).`));
    } else {
      add(finding('probe.relay.inconclusive', 'info', `Relay test on ${who} gave no verdict: ${r.reply}.`));
    }
  }

  if (!out.some((f) => f.severity === 'fail' || f.severity === 'warn')) {
    const tls = h.tls?.ok ? `, ${h.tls.protocol}` : '';
    add(
      finding(
        'probe.host.ok',
        'ok',
        `${who} greets as ${h.bannerHostname ?? '?'} in ${h.timings.bannerMs} ms, speaks ${h.esmtp ? 'ESMTP' : 'SMTP'}${tls}.`,
      ),
    );
  }
  return out;
}

function tlsFailure(h: ProbeHost, who: string): Finding {
  const err = h.tls?.error ?? h.error?.message ?? 'unknown error';
  if (/within \d+ ms/.test(err)) {
    return finding('probe.tls.timeout', 'fail', `${who}: the TLS handshake stalled (${err}).`, { temporary: true });
  }
  if (/^STARTTLS refused/.test(err)) {
    return finding(
      'probe.starttls.rejected',
      'fail',
      `${who} offers STARTTLS but refuses it: ${err.replace(/^STARTTLS refused: /, '')}.`,
      { ref: 'RFC 3207 §4' },
    );
  }
  return finding('probe.tls.failed', 'fail', `${who}: ${err}.`, { ref: 'RFC 8446' });
}

function protocolFailure(h: ProbeHost, who: string, step: string): Finding {
  const e = h.error!;
  switch (e.kind) {
    case 'malformed':
      return finding(
        'probe.protocol.malformed',
        'fail',
        `${who} answered ${step} with something that is not an SMTP reply (${e.message}).`,
        { ref: 'RFC 5321 §4.2' },
      );
    case 'too-long':
      return finding(
        'probe.protocol.too-long',
        'fail',
        `${who} answered ${step} with ${e.message}; we stopped reading.`,
        { ref: 'RFC 5321 §4.5.3.1.5' },
      );
    case 'timeout':
      return finding('probe.protocol.timeout', 'fail', `${who} did not answer ${step}: ${e.message}.`, {
        temporary: true,
      });
    case 'closed':
      return finding('probe.protocol.closed', 'fail', `${who} dropped the connection during ${step}: ${e.message}.`, {
        temporary: true,
      });
    default:
      return finding('probe.protocol.error', 'fail', `${who} failed during ${step}: ${e.message}.`, {
        temporary: true,
      });
  }
}

function tlsFindings(h: ProbeHost, who: string): Finding[] {
  const t = h.tls!;
  const out: Finding[] = [];
  if (t.protocol && /^(SSLv3|TLSv1|TLSv1\.1)$/.test(t.protocol)) {
    out.push(
      finding(
        'probe.tls.protocol-old',
        'fail',
        `${who} negotiated ${t.protocol}; TLS 1.0 and 1.1 are deprecated and broken.`,
        { ref: 'RFC 8996', advice: 'Allow TLS 1.2 and 1.3 only (Postfix: smtpd_tls_protocols = >=TLSv1.2).' },
      ),
    );
  }
  if (t.discardedPlaintext) {
    out.push(
      finding(
        'probe.tls.injection',
        'warn',
        `${who} sent data after its 220 to STARTTLS and before the handshake; it was discarded, as it could be injected by an attacker.`,
        { ref: 'RFC 3207 §4.2' },
      ),
    );
  }
  const c = t.certificate;
  if (!c) {
    out.push(finding('probe.cert.missing', 'fail', `${who} presented no certificate.`));
    return out;
  }
  if (c.expired) {
    out.push(
      finding(
        'probe.cert.expired',
        'fail',
        `The certificate of ${who} expired on ${c.validTo.slice(0, 10)} (${-c.daysLeft} days ago).`,
        { ref: 'RFC 5280 §4.1.2.5', advice: 'Renew the certificate and reload the mail server.' },
      ),
    );
  } else if (c.notYetValid) {
    out.push(
      finding(
        'probe.cert.not-yet-valid',
        'fail',
        `The certificate of ${who} is not valid before ${c.validFrom} (is a clock wrong?).`,
        { ref: 'RFC 5280 §4.1.2.5' },
      ),
    );
  } else if (c.daysLeft < EXPIRY_WARNING_DAYS) {
    out.push(
      finding(
        'probe.cert.expiring',
        'warn',
        `The certificate of ${who} expires on ${c.validTo.slice(0, 10)}, in ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'}.`,
        { advice: 'Renew it now; check that automatic renewal reloads the mail server.' },
      ),
    );
  }
  if (c.hostnameMatch === false) {
    out.push(
      finding(
        'probe.cert.hostname-mismatch',
        'warn',
        `The certificate of ${who} is for ${c.altNames.length ? c.altNames.join(', ') : c.subject}, not ${c.checkedName}: senders that verify (MTA-STS, DANE) will refuse it.`,
        {
          ref: 'RFC 6125 §6, RFC 8461 §4.2',
          advice: `Get a certificate that names ${c.checkedName}.`,
        },
      ),
    );
  }
  if (c.selfSigned) {
    out.push(
      finding(
        'probe.cert.self-signed',
        'warn',
        `The certificate of ${who} is self-signed: fine for opportunistic TLS, refused by MTA-STS senders.`,
        { ref: 'RFC 8461 §4.2' },
      ),
    );
  } else if (!c.trusted && !DATE_ERRORS.has(c.trustError ?? '')) {
    out.push(
      finding(
        'probe.cert.untrusted',
        'warn',
        `The certificate chain of ${who} does not verify against the trusted CAs (${c.trustError ?? 'unknown reason'}).`,
        {
          ref: 'RFC 5280 §6',
          advice: 'Serve the full chain (leaf and intermediates); pass --ca <pem> to trust a private CA.',
        },
      ),
    );
  }
  if (!out.some((f) => f.severity !== 'ok')) {
    out.push(
      finding(
        'probe.tls.ok',
        'ok',
        `${who}: ${t.protocol} (${t.cipher}), certificate for ${c.checkedName} valid until ${c.validTo.slice(0, 10)}, trusted.`,
      ),
    );
  }
  return out;
}
