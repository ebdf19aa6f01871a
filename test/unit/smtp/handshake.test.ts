import { createServer } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MailcheckEvent } from '../../../src/core/context.js';
import { smtpHandshake, type HandshakeOptions } from '../../../src/smtp/handshake.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../helpers/smtp-peer.js';

const cert = generateCertificate({ cn: 'peer.test' });
afterAll(() => cert.cleanup());

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function handshake(peer: SmtpPeerOptions, o: Partial<HandshakeOptions> = {}, timeoutMs = 1000) {
  const p = await startSmtpPeer({ hostname: 'peer.test', ...peer });
  peers.push(p);
  const events: MailcheckEvent[] = [];
  const h = await smtpHandshake(
    { host: 'peer.test', address: p.host, port: p.port },
    { timeoutMs, onEvent: (e) => events.push(e) },
    { tls: 'starttls', helo: 'client.test', tlsParams: { servername: 'peer.test' }, ...o },
  );
  return { h, p, events };
}

describe('smtpHandshake', () => {
  it('greeting → EHLO → STARTTLS → TLS → EHLO, each step timed; the session stays open for the caller', async () => {
    const { h, p, events } = await handshake({ tls: cert });
    expect(h.failed).toBeUndefined();
    expect(h).toMatchObject({
      helo: 'client.test',
      greeting: { code: 220 },
      esmtp: true,
      ehlo: { hostname: 'peer.test', extensions: expect.arrayContaining(['STARTTLS', 'PIPELINING']) },
      tls: { offered: true, attempted: true, outcome: { ok: true, protocol: 'TLSv1.3' } },
      ehloTls: { hostname: 'peer.test', extensions: expect.not.arrayContaining(['STARTTLS']) },
    });
    for (const k of ['connectMs', 'greetingMs', 'ehloMs', 'tlsMs'] as const) expect(h.timings[k]).toBeTypeOf('number');
    expect(h.session!.encrypted).toBe(true);
    expect(p.sessions[0]).toEqual(['EHLO client.test', 'STARTTLS', 'EHLO client.test']);
    // The caller carries on on the same session.
    expect((await h.session!.command('NOOP')).code).toBe(250);
    await h.session!.quit();
    // Every line reached the event sink, tagged with the endpoint.
    const lines = events.filter((e) => e.type === 'smtp.line');
    expect(lines.map((e) => `${e.dir}: ${e.line}`)).toEqual(h.session!.transcript.map((l) => `${l.dir}: ${l.line}`));
    expect(lines[0]).toMatchObject({ host: 'peer.test', address: '127.0.0.1', port: p.port });
  });

  it("stopAfter 'tls' ends right after the TLS handshake (no second EHLO) and hands back the TLS socket", async () => {
    const { h, p } = await handshake({ tls: cert }, { stopAfter: 'tls' });
    expect(h.failed).toBeUndefined();
    const t = h.tls.outcome!;
    if (!t.ok) throw new Error(t.failure.message);
    expect(t.socket).toBeInstanceOf(TLSSocket);
    expect(t.socket.getProtocol()).toBe('TLSv1.3');
    expect(t.ephemeralKey).toMatchObject({ type: 'ECDH' });
    expect(h.ehloTls).toBeNull();
    h.session!.close();
    await new Promise((ok) => setTimeout(ok, 50));
    expect(p.sessions[0]).toEqual(['EHLO client.test', 'STARTTLS']);
  });

  it('lays caller-supplied tls.connect options over the defaults: one version, one suite, one group', async () => {
    const opts = (options: Record<string, string>) => ({
      stopAfter: 'tls' as const,
      tlsParams: { servername: 'peer.test', options },
    });
    const suite = await handshake(
      { tls: cert },
      opts({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
    );
    const t = suite.h.tls.outcome!;
    if (!t.ok) throw new Error(t.failure.message);
    expect(t.protocol).toBe('TLSv1.2');
    expect(t.cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    suite.h.session!.close();
    // TLS 1.3 keeps the key-exchange group apart from the certificate's curve (in 1.2 a P-256 key needs P-256).
    const group = await handshake({ tls: cert }, opts({ minVersion: 'TLSv1.3', ecdhCurve: 'secp384r1' }));
    const g = group.h.tls.outcome!;
    if (!g.ok) throw new Error(g.failure.message);
    expect(g.ephemeralKey).toMatchObject({ type: 'ECDH', name: 'secp384r1', size: 384 });
    group.h.session!.close();
  });

  it('a version the server does not speak is a TLS failure with its OpenSSL code, not a network fault', async () => {
    const { h } = await handshake(
      { tls: { ...cert, maxVersion: 'TLSv1.2' } },
      { tlsParams: { options: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } } },
    );
    expect(h.failed).toMatchObject({ stage: 'tls', reply: { code: 0, failure: { kind: 'error' } } });
    const t = h.tls.outcome!;
    expect(t.ok).toBe(false);
    if (t.ok) return;
    expect(t.code).toMatch(/^ERR_SSL_/);
    expect(h.session!.closed).toBe(true);
  });

  it('discards plaintext sent after the 220 to STARTTLS (RFC 3207 §4.2, the injection defence)', async () => {
    const { h, p } = await handshake({
      tls: cert,
      script: [
        { reply: '220 peer.test ESMTP' },
        { expect: 'EHLO', reply: ['250-peer.test', '250 STARTTLS'] },
        { expect: 'STARTTLS', reply: ['220 go ahead', '250-peer.test', '250 AUTH PLAIN'], startTls: true },
        { expect: 'EHLO', reply: ['250-peer.test', '250 8BITMIME'] },
      ],
    });
    expect(h.tls.outcome).toMatchObject({ ok: true, discardedPlaintext: 1 });
    expect(h.ehloTls).toEqual({ hostname: 'peer.test', extensions: ['8BITMIME'] });
    expect(p.mismatches).toEqual([]);
    await h.session!.quit();
  });

  it('falls back to HELO when EHLO is refused; no STARTTLS without ESMTP', async () => {
    const { h, p } = await handshake({ tls: cert, mode: 'no-ehlo' });
    expect(h).toMatchObject({
      esmtp: false,
      ehloRefusal: { code: 500 },
      ehlo: { hostname: 'peer.test', extensions: [] },
      tls: { offered: false, attempted: false },
    });
    expect(h.failed).toBeUndefined();
    await h.session!.quit();
    expect(p.sessions[0]).toEqual(['EHLO client.test', 'HELO client.test', 'QUIT']);
  });

  it('STARTTLS refused stops at stage starttls with the reply', async () => {
    const { h } = await handshake({
      script: [
        { reply: '220 peer.test ESMTP' },
        { expect: 'EHLO', reply: ['250-peer.test', '250 STARTTLS'] },
        { expect: 'STARTTLS', reply: '454 4.7.0 TLS not available due to local problem' },
        { expect: 'QUIT', reply: '221 bye' },
      ],
    });
    expect(h.failed).toMatchObject({ stage: 'starttls', reply: { code: 454 } });
    expect(h.tls).toMatchObject({ offered: true, attempted: true, refusal: { code: 454 } });
    expect(h.tls.outcome).toBeUndefined();
    await h.session!.quit();
  });

  it("tls 'none' never sends STARTTLS, but says it was offered", async () => {
    const { h, p } = await handshake({ tls: cert }, { tls: 'none' });
    expect(h.tls).toEqual({ offered: true, attempted: false });
    await h.session!.quit();
    expect(p.sessions[0]).toEqual(['EHLO client.test', 'QUIT']);
  });

  it('implicit TLS comes before the greeting (RFC 8314 §3.3)', async () => {
    const { h, p } = await handshake({ tls: cert, implicitTls: true }, { tls: 'implicit' });
    expect(h.tls).toMatchObject({ offered: true, attempted: true, outcome: { ok: true } });
    expect(h.greeting?.code).toBe(220);
    await h.session!.quit();
    expect(p.sessions[0]).toEqual(['EHLO client.test', 'QUIT']);
  });

  it('runs beforeStartTls between the first EHLO and STARTTLS, on the open session', async () => {
    const { p } = await handshake(
      { tls: cert },
      {
        stopAfter: 'tls',
        beforeStartTls: async (s, ehlo) => {
          expect(ehlo.extensions).toContain('STARTTLS');
          await s.command('NOOP');
        },
      },
    );
    expect(p.sessions[0]).toEqual(['EHLO client.test', 'NOOP', 'STARTTLS']);
  });

  it('the address literal is the default EHLO name (RFC 5321 §4.1.3)', async () => {
    const { h, p } = await handshake({}, { helo: undefined as unknown as string });
    expect(h.helo).toBe('[127.0.0.1]');
    await h.session!.quit();
    expect(p.sessions[0]![0]).toBe('EHLO [127.0.0.1]');
  });

  it('a refused greeting, a silent server and a refused connection stop where they happen', async () => {
    const busy = await handshake({ mode: 'banner-421' });
    expect(busy.h.failed).toMatchObject({ stage: 'greeting', reply: { code: 421 } });
    expect(busy.p.sessions[0]).toEqual([]);
    const silent = await handshake({ mode: 'silent' }, { greetingTimeoutMs: 100 });
    expect(silent.h.failed).toMatchObject({ stage: 'greeting', reply: { code: 0, failure: { kind: 'timeout' } } });
    const srv = createServer();
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((ok) => srv.close(() => ok()));
    const refused = await smtpHandshake(
      { host: 'x', address: '127.0.0.1', port },
      { timeoutMs: 500, onEvent: () => {} },
      { tls: 'starttls' },
    );
    expect(refused).toMatchObject({ session: null, connectFailure: { kind: 'refused' } });
  });
});
