// probe and send against nodemailer's smtp-server as a real, independent peer (STARTTLS, PIPELINING, SIZE,
// SMTPUTF8, 8BITMIME), with a scripted refusal policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { exitCode } from '../../src/cli/exit-code.js';
import type { Context } from '../../src/core/context.js';
import { offlineResolver } from '../../src/dns/layered.js';
import { probeHost } from '../../src/probe/check.js';
import { parseMailbox } from '../../src/send/address.js';
import { sendMessage } from '../../src/send/check.js';
import { generateCertificate, type GeneratedCert } from '../helpers/smtp-peer.js';

interface Received {
  from: string;
  to: string[];
  data: Buffer;
  secure: boolean;
  utf8: boolean;
  size?: number;
}

describe('against smtp-server (npm) as a real peer', () => {
  let server: SMTPServer;
  let port: number;
  let ca: GeneratedCert;
  let cert: GeneratedCert;
  const received: Received[] = [];
  const ctx = (): Context => ({
    resolver: offlineResolver(),
    timeoutMs: 3000,
    now: () => new Date(),
    onEvent: () => {},
  });

  beforeAll(async () => {
    ca = generateCertificate({ cn: 'mailcheck smtp-server CA', isCa: true });
    cert = generateCertificate({ cn: 'mx.smtp-server.test', ca });
    server = new SMTPServer({
      name: 'mx.smtp-server.test',
      key: cert.key,
      cert: cert.cert,
      size: 100_000,
      disableReverseLookup: true,
      authOptional: true,
      logger: false,
      onRcptTo(address, _session, cb) {
        if (address.address.startsWith('nobody@'))
          return cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
        if (address.address.startsWith('later@'))
          return cb(Object.assign(new Error('Mailbox busy'), { responseCode: 451 }));
        cb();
      },
      onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks),
            secure: session.secure,
            utf8: Boolean((session.envelope as { smtpUtf8?: boolean }).smtpUtf8),
          });
          cb(null, 'Message queued as SS-12345');
        });
      },
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    ca.cleanup();
    cert.cleanup();
  });

  it('probe reads its greeting (after its 100 ms delay), extensions and certificate', async () => {
    const h = await probeHost({ exchange: 'mx.smtp-server.test', address: '127.0.0.1', port, ptr: [] }, ctx(), {
      ca: [ca.cert],
      helo: 'probe.test',
    });
    expect(h.banner).toMatch(/^220 mx\.smtp-server\.test ESMTP/);
    expect(h.timings.bannerMs).toBeGreaterThanOrEqual(90);
    expect(h.ehlo.extensions).toEqual(
      expect.arrayContaining(['PIPELINING', '8BITMIME', 'SMTPUTF8', 'SIZE 100000', 'STARTTLS']),
    );
    expect(h.tls).toMatchObject({
      ok: true,
      certificate: { subject: 'CN=mx.smtp-server.test', trusted: true, hostnameMatch: true },
    });
    // It lists AUTH before TLS but answers 538 to a made-up user: noted, not failed.
    expect(h.auth).toMatchObject({
      offered: expect.arrayContaining(['PLAIN', 'LOGIN']),
      tried: 'PLAIN',
      accepted: false,
      code: 538,
    });
    expect(h.findings.map((f) => f.id)).toContain('probe.auth.offered-plaintext');
    expect(h.findings.filter((f) => f.severity === 'fail')).toEqual([]);
  });

  it('send delivers over STARTTLS; smtp-server gets the bytes back unstuffed', async () => {
    const r = await sendMessage(
      {
        from: parseMailbox('alice@example.test', 'f'),
        to: [parseMailbox('bob@smtp-server.test', 't')],
        subject: 'dots',
        body: '.\n..\n. x\nend\n',
      },
      ctx(),
      { server: { host: '127.0.0.1', port }, ca: [ca.cert], helo: 'client.test' },
    );
    expect(r.delivered).toMatchObject([
      {
        recipient: 'bob@smtp-server.test',
        response: '250 Message queued as SS-12345',
        queueId: 'SS-12345',
        tls: { protocol: 'TLSv1.3' },
      },
    ]);
    expect(exitCode([r])).toBe(0);
    const got = received.at(-1)!;
    expect(got).toMatchObject({ from: 'alice@example.test', to: ['bob@smtp-server.test'], secure: true });
    expect(got.data.toString()).toMatch(/\r\n\r\n\.\r\n\.\.\r\n\. x\r\nend\r\n$/);
  });

  it('per-recipient replies: one delivered, one rejected (550), one deferred (451) — exit 1', async () => {
    const r = await sendMessage(
      {
        from: parseMailbox('alice@example.test', 'f'),
        to: ['ok@smtp-server.test', 'nobody@smtp-server.test', 'later@smtp-server.test'].map((t) =>
          parseMailbox(t, 't'),
        ),
      },
      ctx(),
      { server: { host: '127.0.0.1', port }, ca: [ca.cert] },
    );
    expect(r.delivered.map((d) => d.recipient)).toEqual(['ok@smtp-server.test']);
    expect(r.rejected).toMatchObject([
      { recipient: 'nobody@smtp-server.test', code: 550, reason: 'rejected' },
      { recipient: 'later@smtp-server.test', code: 451, reason: 'deferred', temporary: true },
    ]);
    expect(received.at(-1)!.to).toEqual(['ok@smtp-server.test']);
    expect(exitCode([r])).toBe(1);
  });

  it('SMTPUTF8 addresses are announced and accepted', async () => {
    const r = await sendMessage(
      { from: parseMailbox('alice@example.test', 'f'), to: [parseMailbox('jösé@smtp-server.test', 't')] },
      ctx(),
      { server: { host: '127.0.0.1', port }, ca: [ca.cert] },
    );
    expect(r.delivered).toHaveLength(1);
    expect(received.at(-1)).toMatchObject({ to: ['jösé@smtp-server.test'], utf8: true });
  });

  it('a message over its SIZE is not sent', async () => {
    const before = received.length;
    const r = await sendMessage(
      {
        from: parseMailbox('alice@example.test', 'f'),
        to: [parseMailbox('bob@smtp-server.test', 't')],
        body: 'x'.repeat(200_000),
      },
      ctx(),
      { server: { host: '127.0.0.1', port }, ca: [ca.cert] },
    );
    expect(r.rejected).toMatchObject([{ reason: 'unsuitable', response: expect.stringMatching(/SIZE 100000/) }]);
    expect(received.length).toBe(before);
  });
});
