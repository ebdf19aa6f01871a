import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Context } from '../../../src/core/context.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { Resolver } from '../../../src/dns/types.js';
import { parseMailbox } from '../../../src/send/address.js';
import { sendMessage, type SendInput, type SendOptions } from '../../../src/send/check.js';
import { deliver } from '../../../src/send/deliver.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../helpers/smtp-peer.js';
import { zoneOf } from '../../helpers/zones.js';

const now = new Date('2026-11-29T05:15:13Z');
const cert = generateCertificate({ cn: 'mx2.send.test', altNames: ['mx2.send.test', 'mx1.send.test'] });
afterAll(() => cert.cleanup());

const zone = zoneOf`$ORIGIN send.test.
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx1
@ MX 20 mx2
mx1 A 127.0.0.2
mx2 A 127.0.0.1
nullmx MX 0 .
down MX 10 mx1
implicit A 127.0.0.1
`;

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
async function peer(o: SmtpPeerOptions = {}) {
  const p = await startSmtpPeer({ hostname: 'mx2.send.test', ...o });
  peers.push(p);
  return p;
}
function ctx(o: { timeoutMs?: number; resolver?: Resolver } = {}): Context {
  return {
    resolver: o.resolver ?? layered([zone], offlineResolver()),
    timeoutMs: o.timeoutMs ?? 1000,
    now: () => now,
    onEvent: () => {},
  };
}
const input = (to: string[] = ['bob@send.test'], extra: Partial<SendInput> = {}): SendInput => ({
  from: parseMailbox('Alice <alice@example.test>', '--from'),
  to: to.map((t) => parseMailbox(t, '--to')),
  subject: 'hi',
  body: 'Hello.\n.starts with a dot\n',
  ...extra,
});
async function send(p: SmtpPeer | null, i: SendInput, o: SendOptions = {}, c = ctx()) {
  const r = await sendMessage(i, c, {
    ...(p ? { server: { host: p.host, port: p.port } } : {}),
    random: () => 'fixed',
    ...o,
  });
  return { r, ids: r.findings.map((f) => f.id), code: exitCode([r]) };
}

describe('deliver to a given server', () => {
  it('delivers over STARTTLS with pipelining; the server receives the message unchanged', async () => {
    const p = await peer({ tls: cert });
    const { r, code, ids } = await send(p, input(['bob@send.test', 'carol@send.test']));
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered', 'send.delivered']);
    expect(r.delivered).toEqual([
      {
        recipient: 'bob@send.test',
        exchange: '127.0.0.1',
        address: '127.0.0.1',
        port: p.port,
        response: expect.stringMatching(/^250 2\.0\.0 Ok: queued as /),
        code: 250,
        queueId: expect.stringMatching(/^[0-9A-F]+$/),
        tls: { protocol: 'TLSv1.3', cipher: expect.any(String), verified: false },
      },
      expect.objectContaining({ recipient: 'carol@send.test' }),
    ]);
    expect(r).toMatchObject({
      messageId: expect.stringMatching(/@example\.test>$/),
      from: 'alice@example.test',
      to: ['bob@send.test', 'carol@send.test'],
      rejected: [],
      tls: { mode: 'starttls', encrypted: true, protocol: 'TLSv1.3' },
      dkim: { signed: false, domain: null, selector: null },
    });
    const got = p.messages[0]!;
    expect(got).toMatchObject({
      mailFrom: 'alice@example.test',
      rcptTo: ['bob@send.test', 'carol@send.test'],
      tls: true,
    });
    expect(got.data.toString()).toContain('\r\n\r\nHello.\r\n.starts with a dot\r\n');
    // Pipelined: MAIL, RCPT, RCPT, DATA written before any reply was read (RFC 2920).
    const t = r.sessions[0]!.transcript.map((l) => `${l.dir} ${l.line.split(/[ :]/)[0]}`);
    const mail = t.indexOf('C MAIL');
    expect(t.slice(mail, mail + 4)).toEqual(['C MAIL', 'C RCPT', 'C RCPT', 'C DATA']);
    expect(p.sessions[0]!.find((l) => l.startsWith('MAIL'))).toMatch(/^MAIL FROM:<alice@example\.test> SIZE=\d+$/);
  });

  it('sends command by command when PIPELINING is not offered', async () => {
    const p = await peer({ extensions: ['8BITMIME'] });
    const { r, code } = await send(p, input(), { tls: 'none' });
    expect(code).toBe(0);
    const t = r.sessions[0]!.transcript.map((l) => `${l.dir} ${l.line.split(/[ :]/)[0]}`);
    const mail = t.indexOf('C MAIL');
    expect(t.slice(mail, mail + 6)).toEqual(['C MAIL', 'S 250', 'C RCPT', 'S 250', 'C DATA', 'S 354']);
    expect(r.tls.encrypted).toBe(false);
  });

  it('--tls require: fails rather than sends in clear', async () => {
    const p = await peer({});
    const { r, ids, code } = await send(p, input(), { tls: 'require' });
    expect(ids).toEqual(['send.tls.required']);
    expect(code).toBe(1);
    expect(r.rejected[0]).toMatchObject({ recipient: 'bob@send.test', reason: 'tls-required' });
    expect(p.sessions[0]!.some((l) => l.startsWith('MAIL'))).toBe(false);
  });

  it('opportunistic STARTTLS that stalls falls back to plaintext on a new connection', async () => {
    const p = await peer({ tls: cert, mode: 'stall-tls' });
    const { r, ids, code } = await send(p, input(), {}, ctx({ timeoutMs: 300 }));
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered', 'send.tls.fallback', 'send.tls.plaintext']);
    expect(r.sessions[0]!.tlsFallback).toMatch(/TLS handshake/);
    expect(p.messages).toHaveLength(1);
  });

  it('per recipient: 4xx is deferred, 5xx rejected; exit 1', async () => {
    const p = await peer({ mode: '4xx-then-5xx' });
    const { r, ids, code } = await send(p, input(['one@send.test', 'two@send.test']), { tls: 'none' });
    expect(ids).toEqual(['send.deferred', 'send.rejected']);
    expect(r.rejected).toEqual([
      expect.objectContaining({
        recipient: 'one@send.test',
        code: 450,
        reason: 'deferred',
        temporary: true,
        response: expect.stringMatching(/^450 4\.2\.0 /),
      }),
      expect.objectContaining({ recipient: 'two@send.test', code: 550, reason: 'rejected', temporary: false }),
    ]);
    expect(code).toBe(1);
    // Nobody accepted: the pipelined DATA must not carry the message.
    expect(p.messages).toHaveLength(0);
  });

  it('a connection dropped mid-DATA is not a delivery; exit 1, no hang', async () => {
    const p = await peer({ mode: 'drop-mid-data' });
    const { r, ids, code } = await send(p, input(), { tls: 'none' });
    expect(ids).toEqual(['send.lost']);
    expect(r.delivered).toEqual([]);
    expect(code).toBe(1);
  });

  it('garbage replies and silent servers give clean results', async () => {
    const g = await send(await peer({ mode: 'garbage' }), input(), { tls: 'none' });
    expect(g.ids).toEqual(['send.lost']);
    const s = await send(await peer({ mode: 'silent' }), input(), { tls: 'none' }, ctx({ timeoutMs: 100 }));
    expect(s.ids).toEqual(['send.unreachable']);
    expect(s.code).toBe(3);
  });

  it('a 421 greeting is a deferral by a server we reached (exit 1)', async () => {
    const { ids, code } = await send(await peer({ mode: 'banner-421' }), input(), { tls: 'none' });
    expect(ids).toEqual(['send.deferred']);
    expect(code).toBe(1);
  });

  it('honours SIZE: a message over the limit is not sent', async () => {
    const p = await peer({ extensions: ['SIZE 100', 'PIPELINING'] });
    const { r, ids } = await send(p, input(), { tls: 'none' });
    expect(ids).toEqual(['send.unsuitable']);
    expect(r.rejected[0]!.response).toMatch(/larger than .*SIZE 100/);
  });

  it('8-bit --eml: BODY=8BITMIME when offered, refused locally when not (RFC 6152)', async () => {
    const eml = Buffer.from(
      'From: alice@example.test\nTo: bob@send.test\nSubject: 8bit\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße\n',
    );
    const ok = await peer({ extensions: ['8BITMIME', 'SIZE 1000000'] });
    expect((await send(ok, input(undefined, { eml }), { tls: 'none' })).code).toBe(0);
    expect(ok.sessions[0]!.find((l) => l.startsWith('MAIL'))).toMatch(/ BODY=8BITMIME$/);
    expect(ok.messages[0]!.data.toString('utf8')).toContain('Grüße\r\n');
    const old = await peer({ extensions: ['PIPELINING'] });
    const r = await send(old, input(undefined, { eml }), { tls: 'none' });
    expect(r.ids).toEqual(['send.unsuitable']);
    expect(r.r.rejected[0]!.response).toMatch(/8BITMIME/);
  });

  it('UTF-8 addresses use SMTPUTF8 (RFC 6531)', async () => {
    const p = await peer();
    const { code } = await send(p, input(['jösé@send.test']), { tls: 'none' });
    expect(code).toBe(0);
    expect(p.sessions[0]!.find((l) => l.startsWith('MAIL'))).toMatch(/ SMTPUTF8$/);
    expect(p.messages[0]!.rcptTo).toEqual(['jösé@send.test']);
  });
});

describe('deliver through MX', () => {
  it('tries exchanges in preference order, falling back from an unreachable one', async () => {
    const p = await peer({ tls: cert });
    const d = await deliver(
      Buffer.from('From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n'),
      { from: 'a@example.test', to: ['bob@send.test'] },
      ctx(),
      { port: p.port, allowPrivate: true },
    );
    expect(d.attempts.map((a) => [a.exchange, a.address, a.outcome])).toEqual([
      ['mx1.send.test', '127.0.0.2', 'unreachable'],
      ['mx2.send.test', '127.0.0.1', 'data'],
    ]);
    expect(d.delivered).toMatchObject([{ recipient: 'bob@send.test', exchange: 'mx2.send.test', port: p.port }]);
    expect(d.routes[0]).toMatchObject({
      domain: 'send.test',
      hosts: [
        { exchange: 'mx1.send.test', preference: 10 },
        { exchange: 'mx2.send.test', preference: 20 },
      ],
    });
    expect(d.steps.some((s) => s.summary.startsWith('MX send.test'))).toBe(true);
  });

  it('respects null MX, NXDOMAIN and unreachable domains (exit 1, or 3 when nothing was reached)', async () => {
    const nul = await send(null, input(['x@nullmx.send.test']));
    expect(nul.ids).toEqual(['send.route.none']);
    expect(nul.r.rejected[0]!.response).toMatch(/null MX/);
    expect(nul.code).toBe(1);
    expect((await send(null, input(['x@nope.send.test']))).code).toBe(1);
    const down = await send(null, input(['x@down.send.test']), { port: 9, allowPrivate: true });
    expect(down.ids).toEqual(['send.unreachable']);
    expect(down.r.findings[0]!.temporary).toBe(true);
    expect(down.code).toBe(3);
    const servfail: Resolver = { lookup: async () => ({ status: 'servfail', server: '192.0.2.53:53' }) };
    const temp = await send(null, input(['x@send.test']), {}, ctx({ resolver: servfail }));
    expect(temp.ids).toEqual(['send.route.temporary']);
    expect(temp.code).toBe(3);
  });

  it('uses the domain itself when it has no MX (implicit MX, RFC 5321 §5.1)', async () => {
    const p = await peer();
    const { r, code } = await send(null, input(['x@implicit.send.test']), {
      port: p.port,
      tls: 'none',
      allowPrivate: true,
    });
    expect(code).toBe(0);
    expect(r.routes[0]).toMatchObject({
      domain: 'implicit.send.test',
      implicit: true,
      hosts: [{ exchange: 'implicit.send.test', addresses: ['127.0.0.1'] }],
    });
    expect(r.delivered[0]!.exchange).toBe('implicit.send.test');
  });

  it('one recipient delivered, one unreachable: exit 1', async () => {
    const p = await peer();
    const { ids, code } = await send(null, input(['a@send.test', 'b@down.send.test']), {
      port: p.port,
      tls: 'none',
      allowPrivate: true,
    });
    expect(ids.sort()).toEqual(['send.delivered', 'send.unreachable']);
    expect(code).toBe(1);
  });
});
