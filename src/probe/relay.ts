// The open-relay test (RFC 5321 §3.9, RFC 2505 §2.1): ask to send from and to domains the server has no
// business with. Accepting the recipient means anyone can send spam through it. MAIL, RCPT, then RSET — no DATA.
import { isPositive, isTransient, replyText } from '../smtp/reply.js';
import type { SmtpSession } from '../smtp/session.js';
import type { RelayTest } from './types.js';

/**
 * How `mailcheck receive` introduces itself (src/receive/server.ts): "220 <name> ESMTP mailcheck receive (a test
 * receiver: stores, never relays)". An accept-all sink takes any recipient, as an open relay does; what sets them
 * apart is whether the mail leaves, which a probe that sends no message cannot see. So the verdict rests on what
 * the server says it is — a claim, reported as one (see README.md, "Relay test").
 */
export const SINK_GREETING = /\bmailcheck receive\b.*\bnever relays\b/i;

/** RFC 2606 reserved names: never anyone's real mailbox, and never the probed server's own domain. */
export const RELAY_SENDER = 'mailcheck-relay-test@example.org';
export const RELAY_RECIPIENT = 'mailcheck-relay-test@example.net';

export async function relayTest(
  s: SmtpSession,
  o: { helo: string; recipient?: string; sender?: string },
): Promise<RelayTest> {
  const mailFrom = o.sender ?? RELAY_SENDER;
  const rcptTo = o.recipient ?? RELAY_RECIPIENT;
  const base = { mailFrom, rcptTo };
  const mail = await s.command(`MAIL FROM:<${mailFrom}>`);
  if (!isPositive(mail)) {
    return { ...base, accepted: null, code: mail.code, reply: `MAIL FROM refused: ${replyText(mail)}` };
  }
  const rcpt = await s.command(`RCPT TO:<${rcptTo}>`);
  // Whatever the answer, leave the server with no transaction open.
  if (!s.closed) await s.command('RSET');
  if (rcpt.code === 0) return { ...base, accepted: null, code: 0, reply: replyText(rcpt) };
  // 250/251 (and 252) mean "I will take it from here" — for a domain that is not its own.
  if (isPositive(rcpt)) return { ...base, accepted: true, code: rcpt.code, reply: replyText(rcpt) };
  // A 4xx may be greylisting or a busy server: no verdict either way.
  if (isTransient(rcpt)) return { ...base, accepted: null, code: rcpt.code, reply: replyText(rcpt) };
  return { ...base, accepted: false, code: rcpt.code, reply: replyText(rcpt) };
}
