// Does the server take a password before TLS? (RFC 4954 §4, RFC 8314 §3) Advertising AUTH in the clear is
// not enough to say: we try AUTH PLAIN (or LOGIN) with a made-up user, masked in the transcript, and read
// the answer — "authentication failed" means the password was checked, so it was accepted in the clear.
import { MASK, plainToken } from '../smtp/auth.js';
import { authMechanisms, type Ehlo } from '../smtp/extensions.js';
import { replyText } from '../smtp/reply.js';
import type { SmtpSession } from '../smtp/session.js';

export interface AuthTest {
  /** Mechanisms offered before TLS. */
  offered: string[];
  /** The mechanism we tried, or null when none of the cleartext ones was offered. */
  tried: 'PLAIN' | 'LOGIN' | null;
  /** true: it went on to check a password sent in the clear; false: it demanded TLS first; null: no verdict. */
  accepted: boolean | null;
  code: number;
  reply: string;
}

/** A user that does not exist, so that nothing can ever log in. */
const USER = 'mailcheck-probe';
const PASS = 'not-a-password';

export async function authPlaintextTest(s: SmtpSession, ehlo: Ehlo): Promise<AuthTest | undefined> {
  const offered = authMechanisms(ehlo);
  if (!offered.length) return undefined;
  const tried = cleartextMechanism(offered);
  if (!tried)
    return { offered, tried, accepted: null, code: 0, reply: 'no cleartext mechanism (PLAIN, LOGIN) offered' };
  let r;
  if (tried === 'PLAIN') {
    r = await s.command(`AUTH PLAIN ${plainToken(USER, PASS)}`, { logAs: `AUTH PLAIN ${MASK}` });
  } else {
    r = await s.command('AUTH LOGIN');
    if (r.code === 334) {
      // It asks for the user name in the clear: that is the answer. Cancel the exchange (RFC 4954 §4).
      const cancel = await s.command('*');
      return { offered, tried, accepted: true, code: r.code, reply: `${replyText(r)} (then ${replyText(cancel)})` };
    }
  }
  // 535 credentials invalid, 235 success, 334 a challenge: it handled a password without TLS.
  // 538/530/523 or a reply naming encryption: it refuses until STARTTLS. Anything else: no verdict.
  const accepted = passwordAccepted(r.code, r.lines.join(' '));
  if (r.code === 334) await s.command('*');
  return { offered, tried, accepted, code: r.code, reply: replyText(r) };
}

/** PLAIN first (one round trip), else LOGIN; null when neither is offered. */
function cleartextMechanism(offered: readonly string[]): AuthTest['tried'] {
  if (offered.includes('PLAIN')) return 'PLAIN';
  if (offered.includes('LOGIN')) return 'LOGIN';
  return null;
}

/** The reply to our made-up credentials, read as AuthTest['accepted']. */
function passwordAccepted(code: number, text: string): boolean | null {
  const wantsTls = [538, 530, 523].includes(code) || /encrypt|starttls|tls (is )?required/i.test(text);
  if (wantsTls) return false;
  if ([235, 334, 535].includes(code)) return true;
  return null;
}
