// send --auth-user (issue #19 item 8): SMTP AUTH PLAIN and LOGIN (RFC 4954, 4616) against the scripted peer:
// only over TLS unless --auth-insecure, the password never in the transcript or the result.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Context } from '../../../src/core/context.js';
import { offlineResolver } from '../../../src/dns/layered.js';
import { parseMailbox } from '../../../src/send/address.js';
import { sendMessage, type SendOptions } from '../../../src/send/check.js';
import type { SendAuth } from '../../../src/send/transaction.js';
import { plainToken } from '../../../src/smtp/auth.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../helpers/smtp-peer.js';

const USER = 'alice@example.test';
const PASSWORD = 'correct horse battery staple';
const ca = generateCertificate({ cn: 'mailcheck auth CA', isCa: true });
const cert = generateCertificate({ cn: 'submit', altNames: ['127.0.0.1'], ca, days: 60 });
afterAll(() => [ca, cert].forEach((c) => c.cleanup()));

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
async function peer(o: SmtpPeerOptions = {}) {
  const p = await startSmtpPeer({ hostname: 'submit.example.test', ...o });
  peers.push(p);
  return p;
}
const ctx: Context = { resolver: offlineResolver(), timeoutMs: 2000, now: () => new Date(), onEvent: () => {} };

async function send(p: SmtpPeer, auth: SendAuth, o: SendOptions = {}, c = ctx) {
  const r = await sendMessage(
    { from: parseMailbox(USER, '--from'), to: [parseMailbox('bob@example.net', '--to')], subject: 's', body: 'b' },
    c,
    { server: { host: p.host, port: p.port }, random: () => 'fixed', auth, ...o },
  );
  const json = JSON.stringify(r);
  // The secret in any form: as typed, as LOGIN sends it, inside the PLAIN token.
  for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), plainToken(USER, PASSWORD)])
    expect(json).not.toContain(secret);
  return { r, ids: r.findings.map((f) => f.id), code: exitCode([r]) };
}
const wire = (p: SmtpPeer) => p.sessions.flat();
const secure = { user: USER, password: PASSWORD, tlsOnly: true };

describe('send --auth-user', () => {
  it('AUTH PLAIN after STARTTLS: logged in, delivered; the transcript masks the token', async () => {
    const p = await peer({ tls: cert, auth: secure });
    const { r, ids, code } = await send(p, { user: USER, password: PASSWORD }, { tls: 'verify', ca: [ca.cert] });
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered', 'send.auth.ok']);
    expect(r.auth).toEqual({ user: USER, mechanism: 'PLAIN', authenticated: true });
    expect(r.sessions[0]!.auth).toMatchObject({ mechanism: 'PLAIN', authenticated: true, sent: true, code: 235 });
    expect(p.messages[0]).toMatchObject({ authUser: USER, tls: true });
    const c = r.sessions[0]!.transcript.filter((l) => l.dir === 'C').map((l) => l.line);
    expect(c).toContain('AUTH PLAIN ****');
    // AUTH comes after the EHLO that follows STARTTLS, before MAIL.
    expect(c.slice(c.indexOf('STARTTLS'), c.indexOf('STARTTLS') + 3)).toEqual([
      'STARTTLS',
      expect.stringMatching(/^EHLO /),
      'AUTH PLAIN ****',
    ]);
    expect(wire(p)).toContain(`AUTH PLAIN ${plainToken(USER, PASSWORD)}`);
  });

  it('AUTH LOGIN when that is what the server offers: user name as sent, password masked', async () => {
    const p = await peer({ tls: cert, auth: { ...secure, mechanisms: ['LOGIN'] } });
    const { r, ids } = await send(p, { user: USER, password: PASSWORD }, { tls: 'require' });
    expect(ids).toContain('send.auth.ok');
    expect(r.auth?.mechanism).toBe('LOGIN');
    const t = r.sessions[0]!.transcript.map((l) => `${l.dir} ${l.line}`);
    const at = t.indexOf('C AUTH LOGIN');
    expect(t.slice(at, at + 6)).toEqual([
      'C AUTH LOGIN',
      'S 334 VXNlcm5hbWU6',
      `C ${Buffer.from(USER).toString('base64')}`,
      'S 334 UGFzc3dvcmQ6',
      'C ****',
      'S 235 2.7.0 Authentication successful',
    ]);
  });

  it('--auth-mech LOGIN is used even where PLAIN is offered; a mechanism not offered is no login', async () => {
    const both = await peer({ tls: cert, auth: secure });
    expect((await send(both, { user: USER, password: PASSWORD, mechanism: 'LOGIN' })).r.auth?.mechanism).toBe('LOGIN');
    const plainOnly = await peer({ tls: cert, auth: { ...secure, mechanisms: ['PLAIN'] } });
    const { r, ids, code } = await send(plainOnly, { user: USER, password: PASSWORD, mechanism: 'LOGIN' });
    expect(ids).toEqual(['send.auth.unavailable']);
    expect(r.rejected[0]!.response).toMatch(/offers AUTH PLAIN, not LOGIN/);
    expect(code).toBe(1);
  });

  it('a wrong password: 535, not sent, exit 1 — no MAIL FROM on the wire', async () => {
    const p = await peer({ tls: cert, auth: secure });
    const { r, ids, code } = await send(p, { user: USER, password: 'wrong' });
    // (The password went to a server whose certificate does not authenticate it: said too.)
    expect(ids).toEqual(['send.auth.failed', 'send.auth.unverified']);
    expect(r.rejected[0]).toMatchObject({ reason: 'auth-failed', code: 535, temporary: false });
    expect(r.auth).toEqual({ user: USER, mechanism: 'PLAIN', authenticated: false });
    expect(code).toBe(1);
    expect(wire(p).some((l) => l.startsWith('MAIL'))).toBe(false);
  });

  it('no TLS: the password is not sent (no AUTH on the wire), unless --auth-insecure', async () => {
    const p = await peer({ auth: { user: USER, password: PASSWORD } });
    const refused = await send(p, { user: USER, password: PASSWORD });
    expect(refused.ids).toEqual(['send.auth.unavailable']);
    expect(refused.r.rejected[0]!.response).toMatch(
      /not sending the password to 127\.0\.0\.1 in clear.*--auth-insecure/,
    );
    expect(refused.code).toBe(1);
    expect(wire(p).some((l) => /^AUTH/i.test(l))).toBe(false);
    const insecure = await send(p, { user: USER, password: PASSWORD, insecure: true });
    expect(insecure.code).toBe(0);
    expect(insecure.ids).toEqual(['send.delivered', 'send.tls.plaintext', 'send.auth.ok', 'send.auth.insecure']);
  });

  it('opportunistic STARTTLS that fails falls back to plaintext, where the login is refused', async () => {
    const p = await peer({ tls: cert, mode: 'stall-tls', auth: { user: USER, password: PASSWORD } });
    const { ids } = await send(p, { user: USER, password: PASSWORD }, {}, { ...ctx, timeoutMs: 300 });
    expect(ids).toEqual(['send.auth.unavailable', 'send.tls.fallback']);
    expect(wire(p).some((l) => /^AUTH/i.test(l))).toBe(false);
  });

  it('TLS whose certificate does not authenticate the server: logged in, with a warning', async () => {
    const p = await peer({ tls: cert, auth: secure });
    const { ids, code } = await send(p, { user: USER, password: PASSWORD });
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered', 'send.auth.ok', 'send.auth.unverified']);
  });

  it('a server that offers no AUTH, and a 454 (temporary) from one that does', async () => {
    const none = await peer({ tls: cert });
    const a = await send(none, { user: USER, password: PASSWORD });
    expect(a.ids).toEqual(['send.auth.unavailable']);
    expect(a.r.rejected[0]!.response).toMatch(/does not offer AUTH/);
    const busy = await peer({
      tls: cert,
      script: [
        { reply: '220 submit.example.test ESMTP' },
        { expect: 'EHLO', reply: ['250-submit.example.test', '250 STARTTLS'] },
        { expect: 'STARTTLS', reply: '220 go ahead', startTls: true },
        { expect: 'EHLO', reply: ['250-submit.example.test', '250 AUTH PLAIN'] },
        { expect: 'AUTH PLAIN ', reply: '454 4.7.0 Temporary authentication failure' },
        { expect: 'QUIT', reply: '221 bye' },
      ],
    });
    const b = await send(busy, { user: USER, password: PASSWORD });
    expect(b.ids).toEqual(['send.auth.failed', 'send.auth.unverified']);
    expect(b.r.rejected[0]).toMatchObject({ code: 454, temporary: true });
    expect(busy.mismatches).toEqual([]);
  });

  it('a server that keeps asking (334) after the password: the exchange is cancelled with "*"', async () => {
    const p = await peer({
      tls: cert,
      script: [
        { reply: '220 submit.example.test ESMTP' },
        { expect: 'EHLO', reply: ['250-submit.example.test', '250 STARTTLS'] },
        { expect: 'STARTTLS', reply: '220 go ahead', startTls: true },
        { expect: 'EHLO', reply: ['250-submit.example.test', '250 AUTH LOGIN'] },
        { expect: 'AUTH LOGIN', reply: '334 VXNlcm5hbWU6' },
        { expect: /^[A-Za-z0-9+/=]+$/, reply: '334 UGFzc3dvcmQ6' },
        { expect: /^[A-Za-z0-9+/=]+$/, reply: '334 TW9yZTo=' },
        { expect: '*', reply: '501 5.7.0 Authentication cancelled' },
        { expect: 'QUIT', reply: '221 bye' },
      ],
    });
    const { r, ids } = await send(p, { user: USER, password: PASSWORD });
    expect(ids).toEqual(['send.auth.failed', 'send.auth.unverified']);
    expect(r.rejected[0]).toMatchObject({ code: 501 });
    expect(p.mismatches).toEqual([]);
  });
});
