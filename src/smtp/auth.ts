// SMTP AUTH as a client (RFC 4954) with SASL PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login): the
// exchange, and a transcript that never holds a secret (the PLAIN token and the LOGIN password are masked).
import { authMechanisms, type Ehlo } from './extensions.js';
import { replyText, type Reply } from './reply.js';
import type { SmtpSession } from './session.js';

export type AuthMechanism = 'PLAIN' | 'LOGIN';

export interface Credentials {
  user: string;
  password: string;
}

export type AuthResult =
  | { ok: true; mechanism: AuthMechanism; code: number; reply: string }
  /** `offered`: the server's mechanisms; none of ours among them (or AUTH not offered at all). */
  | { ok: false; reason: 'not-offered'; offered: string[]; code: 0; reply: string }
  /** The server refused the credentials or the exchange (535, 534, 454, …), or the session broke (code 0). */
  | { ok: false; reason: 'refused'; mechanism: AuthMechanism; code: number; reply: string };

/** What a transcript shows in place of a secret. */
export const MASK = '****';

/** RFC 4616 §2: [authzid] NUL authcid NUL passwd, base64 for the wire (RFC 4954 §4). */
export function plainToken(user: string, password: string, authzid = ''): string {
  return Buffer.from(`${authzid}\0${user}\0${password}`, 'utf8').toString('base64');
}

/** The mechanism to use: `prefer` when offered, else PLAIN, else LOGIN (both need TLS; the caller sees to it). */
export function chooseMechanism(ehlo: Pick<Ehlo, 'extensions'>, prefer?: AuthMechanism): AuthMechanism | undefined {
  const offered = authMechanisms(ehlo);
  if (prefer) return offered.includes(prefer) ? prefer : undefined;
  if (offered.includes('PLAIN')) return 'PLAIN';
  if (offered.includes('LOGIN')) return 'LOGIN';
  return undefined;
}

export async function authenticate(
  s: SmtpSession,
  ehlo: Pick<Ehlo, 'extensions'>,
  creds: Credentials,
  o: { mechanism?: AuthMechanism } = {},
): Promise<AuthResult> {
  const mechanism = chooseMechanism(ehlo, o.mechanism);
  if (!mechanism) {
    const offered = authMechanisms(ehlo);
    const want = o.mechanism ?? 'PLAIN or LOGIN';
    return {
      ok: false,
      reason: 'not-offered',
      offered,
      code: 0,
      reply: offered.length
        ? `the server offers AUTH ${offered.join(' ')}, not ${want}`
        : 'the server does not offer AUTH (RFC 4954)',
    };
  }
  const done = (r: Reply): AuthResult =>
    r.code >= 200 && r.code < 300
      ? { ok: true, mechanism, code: r.code, reply: replyText(r) }
      : { ok: false, reason: 'refused', mechanism, code: r.code, reply: replyText(r) };

  if (mechanism === 'PLAIN') {
    // The initial response rides on the command (RFC 4954 §4); a server that wants it separately says 334.
    const token = plainToken(creds.user, creds.password);
    let r = await s.command(`AUTH PLAIN ${token}`, { logAs: `AUTH PLAIN ${MASK}` });
    if (r.code === 334) r = await s.command(token, { logAs: MASK });
    return done(await settle(s, r));
  }
  // LOGIN: the server asks for the user name, then the password, each base64 (334 VXNlcm5hbWU6, UGFzc3dvcmQ6).
  let r = await s.command('AUTH LOGIN');
  if (r.code !== 334) return done(r);
  r = await s.command(Buffer.from(creds.user, 'utf8').toString('base64'));
  if (r.code !== 334) return done(r);
  r = await s.command(Buffer.from(creds.password, 'utf8').toString('base64'), { logAs: MASK });
  return done(await settle(s, r));
}

/** A server still asking (334) after all we had to give: cancel the exchange (RFC 4954 §4) and keep its refusal. */
async function settle(s: SmtpSession, r: Reply): Promise<Reply> {
  if (r.code !== 334) return r;
  const cancel = await s.command('*');
  return cancel.code === 0 ? cancel : { ...cancel, code: cancel.code >= 400 ? cancel.code : 535 };
}
