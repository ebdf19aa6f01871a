import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpSession, type SessionOptions } from '../../../src/smtp/session.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../helpers/smtp-peer.js';

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function peer(o: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const p = await startSmtpPeer(o);
  peers.push(p);
  return p;
}

async function open(p: SmtpPeer, o: Partial<SessionOptions> = {}) {
  const c = await SmtpSession.connect({ host: 'peer.test', address: p.host, port: p.port }, { timeoutMs: 500, ...o });
  if (!c.ok) throw new Error(`connect failed: ${c.failure.message}`);
  return c.session;
}

describe('SmtpSession', () => {
  it('reads the greeting, runs EHLO, and keeps a transcript in both directions', async () => {
    const p = await peer();
    const seen: string[] = [];
    const s = await open(p, { onLine: (dir, line) => seen.push(`${dir}: ${line}`) });
    expect(await s.read()).toEqual({ code: 220, lines: ['peer.test ESMTP mailcheck-peer'] });
    const ehlo = await s.command('EHLO client.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toContain('PIPELINING');
    await s.quit();
    expect(s.transcript[0]).toEqual({ dir: 'S', line: '220 peer.test ESMTP mailcheck-peer' });
    expect(s.transcript[1]).toEqual({ dir: 'C', line: 'EHLO client.test' });
    expect(s.transcript.at(-1)).toEqual({ dir: 'S', line: '221 2.0.0 Bye' });
    expect(seen).toEqual(s.transcript.map((l) => `${l.dir}: ${l.line}`));
  });

  it('reports a refused connection as data', async () => {
    const srv = createServer();
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((ok) => srv.close(() => ok()));
    const c = await SmtpSession.connect({ host: 'x', address: '127.0.0.1', port }, { timeoutMs: 500 });
    expect(c).toMatchObject({ ok: false, failure: { kind: 'refused', code: 'ECONNREFUSED' } });
  });

  it('times out a silent server on the greeting, cleanly', async () => {
    const p = await peer({ mode: 'silent' });
    const s = await open(p, { timeoutMs: 150 });
    const t = performance.now();
    expect(await s.read()).toMatchObject({ code: 0, failure: { kind: 'timeout' } });
    expect(performance.now() - t).toBeLessThan(1000);
    // Later commands get the failure at once, without writing.
    expect(await s.command('EHLO x')).toMatchObject({ code: 0, failure: { kind: 'timeout' } });
  });

  it('turns garbage into a malformed reply and abandons the session', async () => {
    const p = await peer({ mode: 'garbage' });
    const s = await open(p);
    await s.read();
    expect(await s.command('EHLO x')).toMatchObject({ code: 0, failure: { kind: 'malformed' } });
    expect(s.transcript).toContainEqual({ dir: 'S', line: 'hello there, friend' });
    expect(await s.command('QUIT')).toMatchObject({ code: 0, failure: { kind: 'error' } });
  });

  it('stops reading an endless line', async () => {
    const p = await peer({ mode: 'endless-line' });
    const s = await open(p);
    await s.read();
    expect(await s.command('EHLO x')).toMatchObject({ code: 0, failure: { kind: 'too-long' } });
    expect(s.closed).toBe(true);
  });

  it('reports a dropped connection as closed', async () => {
    const p = await peer({ mode: 'close-after-banner' });
    const s = await open(p);
    expect((await s.read()).code).toBe(220);
    expect(await s.command('EHLO x')).toMatchObject({ code: 0, failure: { kind: 'closed' } });
  });

  it('a reply nobody asked for makes the session fail instead of shifting every later reply (RFC 5321 §4.2)', async () => {
    const p = await peer({ mode: 'wrong-order' });
    const s = await open(p);
    expect((await s.read()).code).toBe(220);
    await new Promise((r) => setTimeout(r, 50)); // the extra "250 2.0.0 Ok" arrives
    expect(await s.command('EHLO x')).toMatchObject({
      code: 0,
      failure: { kind: 'malformed', message: expect.stringMatching(/nobody asked for.*out of order/) },
    });
    expect(s.closed).toBe(true);
    expect(p.sessions[0]).toEqual([]); // EHLO was never sent
  });

  it('an unasked 421 (the server closing, RFC 5321 §3.8) is the answer to the next command', async () => {
    const p = await peer({ script: [{ reply: ['220 peer.test ESMTP', '421 4.3.2 shutting down'] }] });
    const s = await open(p);
    expect((await s.read()).code).toBe(220);
    await new Promise((r) => setTimeout(r, 50));
    expect(await s.command('MAIL FROM:<a@b.test>')).toMatchObject({ code: 421, enhanced: '4.3.2' });
  });

  it('pipelines MAIL, RCPT, DATA and sends a dot-stuffed message (RFC 2920)', async () => {
    const p = await peer();
    const s = await open(p);
    await s.read();
    await s.command('EHLO client.test');
    const replies = await s.pipeline(['MAIL FROM:<a@client.test>', 'RCPT TO:<b@peer.test>', 'DATA']);
    expect(replies.map((r) => r.code)).toEqual([250, 250, 354]);
    const final = await s.data(Buffer.from('Subject: x\n\n.hidden dot\n.\nend'));
    expect(final).toMatchObject({ code: 250, enhanced: '2.0.0' });
    expect(p.messages[0]!.data.toString()).toBe('Subject: x\r\n\r\n.hidden dot\r\n.\r\nend\r\n');
    expect(p.sessions[0]!.slice(1, 4)).toEqual(['MAIL FROM:<a@client.test>', 'RCPT TO:<b@peer.test>', 'DATA']);
    await s.quit();
  });

  it('masks secrets in the transcript with logAs', async () => {
    const p = await peer();
    const s = await open(p);
    await s.read();
    await s.command('AUTH PLAIN AGFsaWNlAHNlY3JldA==', { logAs: 'AUTH PLAIN ****' });
    expect(JSON.stringify(s.transcript)).not.toContain('AGFsaWNl');
    expect(p.sessions[0]).toContain('AUTH PLAIN AGFsaWNlAHNlY3JldA==');
  });

  it('upgrades to TLS on the same socket and carries on', async () => {
    const cert = generateCertificate({ cn: 'peer.test' });
    const p = await peer({ tls: cert });
    const s = await open(p);
    await s.read();
    const ehlo = await s.command('EHLO client.test');
    expect(ehlo.lines).toContain('STARTTLS');
    expect((await s.command('STARTTLS')).code).toBe(220);
    const tls = await s.upgradeTls({ servername: 'peer.test' });
    expect(tls).toMatchObject({ ok: true, authorized: false, discardedPlaintext: 0 });
    if (!tls.ok) throw new Error('unreachable');
    expect(tls.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(tls.certificate?.subject).toContain('CN=peer.test');
    expect(tls.chain).toHaveLength(1);
    expect(s.encrypted).toBe(true);
    const again = await s.command('EHLO client.test');
    expect(again.lines).not.toContain('STARTTLS');
    await s.quit();
    cert.cleanup();
  });

  it('trusts a private CA when given one', async () => {
    const ca = generateCertificate({ cn: 'mailcheck test CA', isCa: true });
    const leaf = generateCertificate({ cn: 'peer.test', ca });
    const p = await peer({ tls: leaf });
    const s = await open(p);
    await s.read();
    await s.command('EHLO c');
    await s.command('STARTTLS');
    const tls = await s.upgradeTls({ servername: 'peer.test', ca: [ca.cert] });
    expect(tls).toMatchObject({ ok: true, authorized: true });
    await s.quit();
  });

  it('times out a stalled TLS handshake', async () => {
    const cert = generateCertificate({ cn: 'peer.test' });
    const p = await peer({ tls: cert, mode: 'stall-tls' });
    const s = await open(p, { timeoutMs: 200 });
    await s.read();
    await s.command('EHLO c');
    expect((await s.command('STARTTLS')).code).toBe(220);
    const tls = await s.upgradeTls();
    expect(tls).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    expect(s.closed).toBe(true);
  });

  it('discards plaintext sent after the 220 to STARTTLS (RFC 3207 §4.2 injection)', async () => {
    const cert = generateCertificate({ cn: 'peer.test' });
    const p = await peer({
      tls: cert,
      script: [
        { reply: '220 peer.test ESMTP' },
        { expect: 'EHLO', reply: ['250-peer.test', '250 STARTTLS'] },
        { expect: 'STARTTLS', reply: ['220 go ahead', '250 injected'], startTls: true },
        { expect: 'EHLO', reply: ['250-peer.test', '250 8BITMIME'] },
      ],
    });
    const s = await open(p);
    await s.read();
    await s.command('EHLO c');
    const r = await s.command('STARTTLS');
    expect(r.code).toBe(220);
    await new Promise((ok) => setTimeout(ok, 50));
    const tls = await s.upgradeTls();
    expect(tls).toMatchObject({ ok: true, discardedPlaintext: 1 });
    expect((await s.command('EHLO c')).lines).toEqual(['peer.test', '8BITMIME']);
    expect(p.mismatches).toEqual([]);
  });
});

describe('SmtpSession DATA against a server that stops reading', () => {
  it('times out instead of waiting for ever on a backed-up write', async () => {
    const p = await startSmtpPeer({ mode: 'stall-data' });
    try {
      const c = await SmtpSession.connect(
        { host: 'peer.test', address: p.host, port: p.port },
        { timeoutMs: 300, maxDataLines: 5 },
      );
      if (!c.ok) throw new Error(c.failure.message);
      const s = c.session;
      await s.read();
      await s.command('EHLO c');
      await s.command('MAIL FROM:<a@b.test>');
      await s.command('RCPT TO:<c@d.test>');
      expect((await s.command('DATA')).code).toBe(354);
      const t = performance.now();
      const r = await s.data(Buffer.alloc(16 * 1024 * 1024, 'a\r\n'));
      expect(r).toMatchObject({
        code: 0,
        failure: { kind: 'timeout', message: expect.stringMatching(/stopped reading/) },
      });
      expect(performance.now() - t).toBeLessThan(5000);
    } finally {
      await p.close();
    }
  });
});
