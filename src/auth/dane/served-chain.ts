// The certificate chain an MX host serves after STARTTLS (RFC 3207), as DER, for matching against TLSA
// (RFC 7672 §3): the SMTP handshake up to the end of TLS (no EHLO after it), then QUIT. Never sends mail.
import type { Context } from '../../core/context.js';
import { smtpHandshake } from '../../smtp/handshake.js';

export type ServedChain = { ok: true; chain: Buffer[] } | { ok: false; temporary: boolean; message: string };

export async function fetchServedChain(
  host: { exchange: string; address: string; port: number },
  ctx: Pick<Context, 'timeoutMs' | 'onEvent'>,
  o: { helo?: string } = {},
): Promise<ServedChain> {
  const hs = await smtpHandshake({ host: host.exchange, address: host.address, port: host.port }, ctx, {
    tls: 'starttls',
    helo: o.helo,
    // No trust anchors on purpose: under DANE the TLSA records, not the public CAs, decide (RFC 7672 §3.1).
    tlsParams: { servername: host.exchange },
    stopAfter: 'tls',
  });
  if (!hs.session)
    return {
      ok: false,
      temporary: true,
      message: `no connection to ${host.exchange} [${host.address}]: ${hs.connectFailure!.message}`,
    };
  const s = hs.session;
  try {
    const { stage, reply } = hs.failed ?? {};
    const transient = (code: number) => code === 0 || (code >= 400 && code < 500);
    if (stage === 'greeting')
      return {
        ok: false,
        temporary: transient(reply!.code),
        message: `greeting: ${reply!.code || reply!.failure?.message}`,
      };
    if (stage === 'ehlo' || !hs.esmtp) {
      // Only an EHLO answer can offer STARTTLS: a server that takes HELO alone refused EHLO first.
      const code = (hs.ehloRefusal ?? reply)?.code ?? 0;
      return { ok: false, temporary: code === 0, message: `EHLO refused (${code})` };
    }
    if (!hs.tls.offered) return { ok: false, temporary: false, message: 'STARTTLS is not offered' };
    if (stage === 'starttls')
      return { ok: false, temporary: transient(reply!.code), message: `STARTTLS refused (${reply!.code})` };
    const t = hs.tls.outcome;
    if (!t?.ok) {
      const failure = t?.failure ?? reply?.failure;
      return { ok: false, temporary: failure?.kind === 'timeout', message: failure?.message ?? 'no TLS' };
    }
    return { ok: true, chain: t.chain.map((c) => c.raw) };
  } finally {
    await s.quit();
  }
}
