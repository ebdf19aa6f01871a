import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Context } from '../../../src/core/context.js';
import { offlineResolver } from '../../../src/dns/layered.js';
import { probeHost } from '../../../src/probe/check.js';
import type { ProbeOptions } from '../../../src/probe/types.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../helpers/smtp-peer.js';

const DAY = 86_400_000;
const ca = generateCertificate({ cn: 'mailcheck probe CA', isCa: true });
const good = generateCertificate({ cn: 'mx.probe.test', ca, days: 60 });
const self = generateCertificate({ cn: 'mx.probe.test', days: 60 });
const issued = Date.parse(new X509Certificate(good.cert).validFrom);
afterAll(() => [ca, good, self].forEach((c) => c.cleanup()));

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

function ctx(o: { now?: number; timeoutMs?: number } = {}): Context {
  return {
    resolver: offlineResolver(),
    timeoutMs: o.timeoutMs ?? 1000,
    now: () => new Date(o.now ?? issued + DAY),
    onEvent: () => {},
  };
}

async function probe(peer: SmtpPeerOptions, opts: ProbeOptions = {}, c: Context = ctx()) {
  const p = await startSmtpPeer({ hostname: 'mx.probe.test', ...peer });
  peers.push(p);
  const h = await probeHost({ exchange: 'mx.probe.test', address: p.host, port: p.port, ptr: ['mx.probe.test'] }, c, {
    ca: [ca.cert],
    ...opts,
  });
  return { h, p, ids: h.findings.map((f) => f.id), code: exitCode([{ kind: 'probe', findings: h.findings }]) };
}

describe('probeHost against a well-behaved server', () => {
  it('reads banner, extensions, TLS and a trusted certificate, then QUITs without DATA', async () => {
    const { h, p, ids, code } = await probe({ tls: good });
    expect(h).toMatchObject({
      connected: true,
      banner: '220 mx.probe.test ESMTP mailcheck-peer',
      bannerHostname: 'mx.probe.test',
      esmtp: true,
      ehlo: {
        hostname: 'mx.probe.test',
        extensions: expect.arrayContaining(['PIPELINING', 'STARTTLS', 'SIZE 10485760']),
      },
      ehloTls: { hostname: 'mx.probe.test', extensions: expect.not.arrayContaining(['STARTTLS']) },
      tls: {
        offered: true,
        ok: true,
        protocol: 'TLSv1.3',
        certificate: { subject: 'CN=mx.probe.test', hostnameMatch: true, trusted: true, selfSigned: false },
      },
    });
    for (const k of ['connectMs', 'bannerMs', 'ehloMs', 'tlsMs'] as const) expect(h.timings[k]).toBeTypeOf('number');
    expect(ids).toEqual(['probe.tls.ok', 'probe.host.ok']);
    expect(code).toBe(0);
    const sent = p.sessions[0]!;
    expect(sent[0]).toMatch(/^EHLO \[127\.0\.0\.1\]$/);
    expect(sent).toEqual([sent[0], 'STARTTLS', sent[0], 'QUIT']);
    expect(h.transcript.filter((l) => l.dir === 'C').map((l) => l.line)).toEqual(sent);
  });

  it('uses --helo as the EHLO name', async () => {
    const { p } = await probe({ tls: good }, { helo: 'client.example' });
    expect(p.sessions[0]![0]).toBe('EHLO client.example');
  });

  it('reports certificate dates against ctx.now(): expired, not yet valid, expiring within 14 days', async () => {
    expect((await probe({ tls: good }, {}, ctx({ now: issued + 61 * DAY }))).ids).toContain('probe.cert.expired');
    expect((await probe({ tls: good }, {}, ctx({ now: issued - DAY }))).ids).toContain('probe.cert.not-yet-valid');
    const soon = await probe({ tls: good }, {}, ctx({ now: issued + 50 * DAY }));
    expect(soon.ids).toContain('probe.cert.expiring');
    expect(soon.code).toBe(0);
    expect((await probe({ tls: good }, {}, ctx({ now: issued + 61 * DAY }))).code).toBe(1);
  });

  it('flags a self-signed certificate and a name mismatch', async () => {
    const r = await probe({ tls: self });
    expect(r.ids).toContain('probe.cert.self-signed');
    const other = generateCertificate({ cn: 'other.test', ca });
    const m = await probe({ tls: other });
    expect(m.ids).toContain('probe.cert.hostname-mismatch');
    expect(m.h.tls?.certificate).toMatchObject({ hostnameMatch: false, altNames: ['other.test'] });
    other.cleanup();
  });

  it('flags an untrusted chain (CA not given)', async () => {
    const r = await probe({ tls: good }, { ca: [] });
    expect(r.ids).toContain('probe.cert.untrusted');
    expect(r.h.tls?.certificate?.trusted).toBe(false);
  });

  it('flags a server without STARTTLS', async () => {
    const r = await probe({});
    expect(r.ids).toContain('probe.starttls.missing');
    expect(r.h.tls).toMatchObject({ offered: false, ok: false, certificate: null });
    expect(r.code).toBe(1);
  });

  it('flags TLS below 1.2', async () => {
    const r = await probe({ tls: { ...good, maxVersion: 'TLSv1.1' } });
    expect(r.h.tls?.protocol).toBe('TLSv1.1');
    expect(r.ids).toContain('probe.tls.protocol-old');
  });

  it('speaks implicit TLS (port 465 style) before the greeting', async () => {
    const r = await probe(
      { tls: good, implicitTls: true, extensions: ['PIPELINING', 'AUTH PLAIN LOGIN'] },
      { tls: 'implicit' },
    );
    expect(r.h.tls).toMatchObject({ ok: true, offered: true });
    expect(r.h.banner).toMatch(/^220 /);
    expect(r.ids).not.toContain('probe.auth.plaintext');
    expect(r.code).toBe(0);
  });

  it('flags AUTH offered before TLS', async () => {
    const r = await probe({ extensions: ['AUTH PLAIN LOGIN', 'STARTTLS'], tls: good });
    expect(r.h.findings.find((f) => f.id === 'probe.auth.plaintext')).toMatchObject({ severity: 'fail' });
  });

  it('with --tls none, does not start TLS but says that STARTTLS is offered', async () => {
    const r = await probe({ tls: good }, { tls: 'none' });
    expect(r.h.tls).toMatchObject({ offered: true, attempted: false });
    expect(r.ids).toContain('probe.tls.skipped');
    expect(r.p.sessions[0]).not.toContain('STARTTLS');
  });
});

describe('probeHost against misbehaving servers: clean findings, no hang', () => {
  it('a silent server: banner timeout, temporary (exit 3)', async () => {
    const t = performance.now();
    const r = await probe({ mode: 'silent' }, { bannerTimeoutMs: 300 });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(r.ids).toEqual(['probe.banner.timeout']);
    expect(r.code).toBe(3);
  });

  it('a slow banner is measured and reported, not taken for a dead host', async () => {
    const r = await probe({ tls: good, bannerDelayMs: 400 }, { slowBannerMs: 200 });
    expect(r.h.timings.bannerMs).toBeGreaterThanOrEqual(380);
    expect(r.ids).toContain('probe.banner.slow');
    expect(r.h.tls?.ok).toBe(true);
  });

  it('a greeting that is not SMTP (with terminal escapes) is malformed', async () => {
    const r = await probe({ mode: 'garbage-banner' });
    expect(r.ids).toEqual(['probe.protocol.malformed']);
    expect(r.code).toBe(1);
    expect(r.h.transcript[0]!.line).toContain('\x1b');
  });

  it('garbage in answer to EHLO is malformed', async () => {
    expect((await probe({ mode: 'garbage' })).ids).toEqual(['probe.protocol.malformed']);
  });

  it('an endless line is cut off', async () => {
    const r = await probe({ mode: 'endless-line' });
    expect(r.ids).toEqual(['probe.protocol.too-long']);
  });

  it('a connection dropped after the greeting is temporary', async () => {
    const r = await probe({ mode: 'close-after-banner' });
    expect(r.ids).toEqual(['probe.protocol.closed']);
    expect(r.code).toBe(3);
  });

  it('no ESMTP: EHLO refused, HELO accepted', async () => {
    const r = await probe({ mode: 'no-ehlo' });
    expect(r.h.esmtp).toBe(false);
    expect(r.ids).toContain('probe.esmtp.none');
    expect(r.p.sessions[0]!.map((l) => l.split(' ')[0])).toEqual(['EHLO', 'HELO', 'QUIT']);
  });

  it('421 greeting is temporary; 554 greeting is a refusal', async () => {
    const busy = await probe({ mode: 'banner-421' });
    expect(busy.ids).toEqual(['probe.banner.temporary']);
    expect(busy.code).toBe(3);
    const no = await probe({ mode: 'banner-554' });
    expect(no.ids).toEqual(['probe.banner.rejected']);
    expect(no.code).toBe(1);
  });

  it('a stalled TLS handshake times out', async () => {
    const r = await probe({ tls: good, mode: 'stall-tls' }, {}, ctx({ timeoutMs: 300 }));
    expect(r.ids).toEqual(['probe.tls.timeout']);
    expect(r.code).toBe(3);
  });

  it('refused connection: temporary (exit 3)', async () => {
    const p = await startSmtpPeer();
    const port = p.port;
    await p.close();
    const h = await probeHost({ exchange: 'mx.probe.test', address: '127.0.0.1', port }, ctx());
    expect(h).toMatchObject({
      connected: false,
      error: { stage: 'connect', kind: 'refused' },
      tls: null,
      banner: null,
    });
    expect(h.findings.map((f) => f.id)).toEqual(['probe.connect.refused']);
    expect(exitCode([{ kind: 'probe', findings: h.findings }])).toBe(3);
  });

  it('banner name matching neither MX nor PTR', async () => {
    const r = await probe({ tls: good, greeting: 'localhost.localdomain ESMTP' });
    expect(r.ids).toContain('probe.banner.hostname-mismatch');
    expect(r.code).toBe(0);
  });
});

describe('relay test (opt-in)', () => {
  it('an open relay is a failure; MAIL/RCPT then RSET, never DATA', async () => {
    const r = await probe({ tls: good }, { relayTest: true });
    expect(r.h.relay).toMatchObject({ accepted: true, code: 250, rcptTo: 'mailcheck-relay-test@example.net' });
    expect(r.ids).toContain('probe.relay.open');
    expect(r.code).toBe(1);
    const verbs = r.p.sessions[0]!.map((l) => l.split(/[ :]/)[0]);
    expect(verbs.slice(3)).toEqual(['MAIL', 'RCPT', 'RSET', 'QUIT']);
    expect(verbs).not.toContain('DATA');
  });

  it('a closed relay is ok', async () => {
    const r = await probe({ tls: good, localDomains: ['probe.test'] }, { relayTest: true });
    expect(r.h.relay).toMatchObject({ accepted: false, code: 554 });
    expect(r.ids).toContain('probe.relay.closed');
    expect(r.code).toBe(0);
  });

  it('a 4xx to the relay RCPT is no verdict', async () => {
    const r = await probe({ tls: good, mode: '4xx-then-5xx' }, { relayTest: true });
    expect(r.h.relay).toMatchObject({ accepted: null, code: 450 });
    expect(r.ids).toContain('probe.relay.inconclusive');
  });
});

describe('AUTH before TLS (RFC 4954 §4)', () => {
  const greet = { reply: '220 mx.probe.test ESMTP' };
  const ehlo = (auth: string) => ({
    expect: 'EHLO',
    reply: ['250-mx.probe.test', `250-AUTH ${auth}`, '250 PIPELINING'],
  });

  it('checking a made-up password in the clear is a failure; the password is masked in the transcript', async () => {
    const r = await probe(
      {
        script: [
          greet,
          ehlo('PLAIN LOGIN'),
          { expect: /^AUTH PLAIN \S+$/, reply: '535 5.7.8 Error: authentication failed' },
          { expect: 'QUIT', reply: '221 bye' },
        ],
      },
      { tls: 'none' },
    );
    expect(r.h.auth).toMatchObject({ offered: ['PLAIN', 'LOGIN'], tried: 'PLAIN', accepted: true, code: 535 });
    expect(r.h.findings.find((f) => f.id === 'probe.auth.plaintext')).toMatchObject({ severity: 'fail' });
    expect(r.h.transcript).toContainEqual({ dir: 'C', line: 'AUTH PLAIN ****' });
    expect(Buffer.from(r.p.sessions[0]![1]!.split(' ')[2]!, 'base64').toString()).toBe(
      '\0mailcheck-probe\0not-a-password',
    );
    expect(r.p.mismatches).toEqual([]);
  });

  it('a server that lists AUTH but demands STARTTLS first is only noted', async () => {
    const r = await probe(
      {
        script: [
          greet,
          ehlo('PLAIN'),
          { expect: 'AUTH PLAIN', reply: '538 5.7.11 Encryption required for requested authentication mechanism' },
          { expect: 'QUIT', reply: '221 bye' },
        ],
      },
      { tls: 'none' },
    );
    expect(r.h.auth).toMatchObject({ accepted: false, code: 538 });
    expect(r.h.findings.find((f) => f.id === 'probe.auth.offered-plaintext')).toMatchObject({ severity: 'info' });
    expect(r.code).toBe(0);
  });

  it('AUTH LOGIN asking for a user name in the clear counts; the exchange is cancelled with "*"', async () => {
    const r = await probe(
      {
        script: [
          greet,
          ehlo('LOGIN'),
          { expect: 'AUTH LOGIN', reply: '334 VXNlcm5hbWU6' },
          { expect: '*', reply: '501 5.7.0 cancelled' },
          { expect: 'QUIT', reply: '221 bye' },
        ],
      },
      { tls: 'none' },
    );
    expect(r.h.auth).toMatchObject({ tried: 'LOGIN', accepted: true, code: 334 });
    expect(r.ids).toContain('probe.auth.plaintext');
    expect(r.p.mismatches).toEqual([]);
  });

  it('--no-auth-test (authTest: false) sends no AUTH', async () => {
    const r = await probe({ extensions: ['AUTH PLAIN'] }, { tls: 'none', authTest: false });
    expect(r.h.auth).toBeUndefined();
    expect(r.p.sessions[0]!.some((l) => l.startsWith('AUTH'))).toBe(false);
  });
});

describe('probeHost keeps the trust verdict and the name verdict apart (issue #13 item 7)', () => {
  const atIp = async (peer: SmtpPeerOptions, ptr: string[] = []) => {
    const p = await startSmtpPeer({ hostname: 'mx.probe.test', ...peer });
    peers.push(p);
    const h = await probeHost({ exchange: p.host, address: p.host, port: p.port, ptr }, ctx(), { ca: [ca.cert] });
    return { h, ids: h.findings.map((f) => f.id) };
  };

  it('an IP target is matched against IP SANs: a chain that verifies against --ca is trusted', async () => {
    const ipCert = generateCertificate({ cn: 'loopback', altNames: ['127.0.0.1'], ca, days: 60 });
    const { h, ids } = await atIp({ tls: ipCert });
    expect(h.tls?.certificate).toMatchObject({ trusted: true, hostnameMatch: true, checkedName: '127.0.0.1' });
    expect(h.tls?.certificate?.trustError).toBeUndefined();
    // (The greeting's name has no PTR to match here: that warning is about the banner, not TLS.)
    expect(ids).toEqual(['probe.banner.hostname-mismatch', 'probe.tls.ok']);
    ipCert.cleanup();
  });

  it('an IP target whose certificate names only the host: a name finding, not an untrusted chain', async () => {
    const { h, ids } = await atIp({ tls: good });
    expect(h.tls?.certificate).toMatchObject({ trusted: true, hostnameMatch: false, checkedName: '127.0.0.1' });
    expect(ids).toContain('probe.cert.hostname-mismatch');
    expect(ids).not.toContain('probe.cert.untrusted');
  });

  it("an IP target's PTR name is accepted when the certificate names it", async () => {
    const { h, ids } = await atIp({ tls: good }, ['mx.probe.test']);
    expect(h.tls?.certificate).toMatchObject({ trusted: true, hostnameMatch: true, checkedName: 'mx.probe.test' });
    expect(ids).toEqual(['probe.tls.ok', 'probe.host.ok']);
  });

  it('a named target with a trusted certificate for another name: only the name finding', async () => {
    const other = generateCertificate({ cn: 'other.test', ca });
    const { h, ids } = await probe({ tls: other });
    expect(h.tls?.certificate).toMatchObject({ trusted: true, hostnameMatch: false });
    expect(ids).toContain('probe.cert.hostname-mismatch');
    expect(ids).not.toContain('probe.cert.untrusted');
    other.cleanup();
  });
});
