// The certificate chain an MX host serves after STARTTLS (RFC 3207), as DER, for matching against TLSA
// (RFC 7672 §3): connect → greeting → EHLO → STARTTLS → handshake → QUIT. Never sends mail.
import type { Context } from '../../core/context.js';
import { SmtpSession } from '../../smtp/session.js';

export type ServedChain = { ok: true; chain: Buffer[] } | { ok: false; temporary: boolean; message: string };

export async function fetchServedChain(
  host: { exchange: string; address: string; port: number },
  ctx: Pick<Context, 'timeoutMs' | 'onEvent'>,
  o: { helo?: string } = {},
): Promise<ServedChain> {
  const conn = await SmtpSession.connect(
    { host: host.exchange, address: host.address, port: host.port },
    {
      timeoutMs: ctx.timeoutMs,
      onLine: (dir, line) =>
        ctx.onEvent({ type: 'smtp.line', dir, line, host: host.exchange, address: host.address, port: host.port }),
    },
  );
  if (!conn.ok)
    return {
      ok: false,
      temporary: true,
      message: `no connection to ${host.exchange} [${host.address}]: ${conn.failure.message}`,
    };
  const s = conn.session;
  try {
    const greeting = await s.read();
    if (greeting.code !== 220)
      return {
        ok: false,
        temporary: greeting.code === 0 || (greeting.code >= 400 && greeting.code < 500),
        message: `greeting: ${greeting.code || greeting.failure?.message}`,
      };
    const ehlo = await s.command(`EHLO ${o.helo ?? literal(s.localAddress)}`);
    if (ehlo.code !== 250) return { ok: false, temporary: ehlo.code === 0, message: `EHLO refused (${ehlo.code})` };
    if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l)))
      return { ok: false, temporary: false, message: 'STARTTLS is not offered' };
    const go = await s.command('STARTTLS');
    if (go.code !== 220)
      return {
        ok: false,
        temporary: go.code === 0 || (go.code >= 400 && go.code < 500),
        message: `STARTTLS refused (${go.code})`,
      };
    // No trust anchors on purpose: under DANE the TLSA records, not the public CAs, decide (RFC 7672 §3.1).
    const t = await s.upgradeTls({ servername: host.exchange });
    if (!t.ok) return { ok: false, temporary: t.failure.kind === 'timeout', message: t.failure.message };
    return { ok: true, chain: t.chain.map((c) => c.raw) };
  } finally {
    await s.quit();
  }
}

function literal(address: string | undefined): string {
  if (!address) return '[127.0.0.1]';
  const a = address.replace(/^::ffff:(?=\d+\.)/, '');
  return a.includes(':') ? `[IPv6:${a}]` : `[${a}]`;
}
