// The receiver over loopback with a raw client: storage, trace headers, limits and their SMTP replies.
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { expectCode, rawClient, startTestReceiver, transact, type TestReceiver } from '../../helpers/receiver.js';
import type { Resolver } from '../../../src/dns/types.js';
import { fixtureResolver } from '../../helpers/zones.js';

const SIGNED = readFileSync(new URL('../../../fixtures/eml/signed-rsa.eml', import.meta.url));
let r: TestReceiver | undefined;
afterEach(async () => {
  await r?.stop();
  r = undefined;
});

describe('receive: a message in, a file out', () => {
  it('greets at once: no 100 ms early-talker wait', async () => {
    r = await startTestReceiver();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const c = await rawClient(r.port);
      expect((await c.reply()).code).toBe(220);
      times.push(performance.now() - t0);
      c.close();
    }
    expect(Math.min(...times)).toBeLessThan(50);
  });

  it('stores the original bytes after Return-Path, Authentication-Results and Received, and answers 250 only once the file is in new/', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    const reply = await transact(c, {
      helo: 'mx.mail.test',
      from: 'alice@mail.test',
      to: ['bob@example.net'],
      data: SIGNED,
    });
    expect(reply.code).toBe(250);
    // The 250 came after fsync and rename: the file is there now, and nothing is left in tmp/.
    const files = await r.files();
    expect(files.new).toHaveLength(1);
    expect(files.tmp).toEqual([]);
    const stored = await r.read(files.new[0]!);
    expect(stored.subarray(stored.length - SIGNED.length).equals(SIGNED)).toBe(true);
    const trace = stored.subarray(0, stored.length - SIGNED.length).toString();
    expect(trace).toMatch(
      /^Return-Path: <alice@mail\.test>\r\nAuthentication-Results: mx\.mail\.test;\r\n\tdkim=pass header\.d=mail\.test/,
    );
    expect(trace).toMatch(
      /\r\nReceived: from mx\.mail\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.mail\.test \(mailcheck\) with ESMTP id [0-9A-F]+\r\n\tfor <bob@example\.net>; \w{3}, \d\d? \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n$/,
    );
    const [m] = await r.waitFor(1);
    expect(m).toMatchObject({
      event: 'message',
      remoteAddress: '127.0.0.1',
      helo: 'mx.mail.test',
      mailFrom: 'alice@mail.test',
      rcptTo: ['bob@example.net'],
      size: SIGNED.length,
      tls: false,
      auth: {
        spf: { result: 'pass', domain: 'mail.test' },
        dkim: [{ result: 'pass', domain: 'mail.test', selector: 'rsa2048' }],
        dmarc: { result: 'pass', policy: 'reject' },
        arc: { result: 'none' },
      },
    });
    expect(m!.file.endsWith(files.new[0]!)).toBe(true);
    expect(reply.text).toContain(m!.id);
  });

  it('the stored file still verifies: trace headers above the signature do not break it', async () => {
    r = await startTestReceiver();
    await transact(await rawClient(r.port), { from: 'alice@mail.test', to: ['bob@example.net'], data: SIGNED });
    const [m] = await r.waitFor(1);
    const v = await verifyMessage(
      readFileSync(m!.file),
      { authservId: 'test', ip: '127.0.0.1' },
      { resolver: fixtureResolver(), now: () => new Date() },
    );
    expect(v.dkim[0]!.result).toBe('pass');
    expect(v.spf).toMatchObject({ result: 'pass', sender: 'alice@mail.test' }); // from the Return-Path we wrote
  });

  it('a null sender is checked as postmaster@HELO (RFC 7208 §2.4)', async () => {
    r = await startTestReceiver();
    await transact(await rawClient(r.port), { helo: 'mx.mail.test', from: '', to: ['bob@example.net'], data: SIGNED });
    const [m] = await r.waitFor(1);
    expect(m!.mailFrom).toBe('');
    expect(m!.auth.spf).toMatchObject({ result: 'pass', domain: 'mx.mail.test' });
    expect(readFileSync(m!.file, 'latin1')).toMatch(/^Return-Path: <>\r\n/);
  });

  it('keeps messages that are not RFC 5322 (a receiver stores, it does not judge form) and says so', async () => {
    r = await startTestReceiver();
    const reply = await transact(await rawClient(r.port), {
      from: 'alice@mail.test',
      to: ['bob@example.net'],
      data: 'just some text\r\nwithout headers\r\n',
    });
    expect(reply.code).toBe(250);
    const [m] = await r.waitFor(1);
    expect(m!.findings.map((f) => f.id)).toContain('receive.message.malformed');
    expect(m!.auth.dmarc.result).toBe('permerror');
  });

  it('accepts any recipient domain and never relays: every message ends in the Maildir', async () => {
    r = await startTestReceiver();
    const reply = await transact(await rawClient(r.port), {
      from: 'alice@mail.test',
      to: ['x@elsewhere.example', 'y@other.example'],
      data: SIGNED,
    });
    expect(reply.code).toBe(250);
    const [m] = await r.waitFor(1);
    expect(m!.rcptTo).toEqual(['x@elsewhere.example', 'y@other.example']);
    // Two recipients: no "for" clause, which would disclose one to the other (RFC 5321 §7.2).
    expect(readFileSync(m!.file, 'latin1')).not.toMatch(/\r\n\tfor </);
  });
});

describe('receive: limits with proper SMTP replies', () => {
  it('advertises SIZE and refuses a bigger message with 552, storing nothing (RFC 1870)', async () => {
    r = await startTestReceiver({ maxSize: 1000 });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    const ehlo = expectCode(await c.command('EHLO client.test'), 250);
    expect(ehlo.lines.some((l) => /^250[- ]SIZE 1000$/.test(l))).toBe(true);
    expect((await c.command('MAIL FROM:<a@mail.test> SIZE=5000')).code).toBe(552);
    expectCode(await c.command('MAIL FROM:<a@mail.test>'), 250);
    expectCode(await c.command('RCPT TO:<b@example.net>'), 250);
    expectCode(await c.command('DATA'), 354);
    c.writeRaw(`Subject: big\r\n\r\n${'x'.repeat(70).concat('\r\n').repeat(40)}.\r\n`);
    expect((await c.reply()).code).toBe(552);
    // The session goes on: a small message after it is accepted.
    expectCode(await c.command('MAIL FROM:<a@mail.test>'), 250);
    expectCode(await c.command('RCPT TO:<b@example.net>'), 250);
    expectCode(await c.command('DATA'), 354);
    c.writeRaw('Subject: small\r\n\r\nhi\r\n.\r\n');
    expect((await c.reply()).code).toBe(250);
    await r.waitFor(1);
    expect((await r.files()).new).toHaveLength(1);
    expect(r.rejected).toMatchObject([{ code: 552 }]);
  });

  it('refuses recipients past the limit with 452 (RFC 5321 §4.5.3.1.10)', async () => {
    r = await startTestReceiver({ maxRecipients: 2 });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250);
    expectCode(await c.command('MAIL FROM:<a@mail.test>'), 250);
    expectCode(await c.command('RCPT TO:<1@example.net>'), 250);
    expectCode(await c.command('RCPT TO:<2@example.net>'), 250);
    expect((await c.command('RCPT TO:<3@example.net>')).code).toBe(452);
  });

  it('bad sequences get 503, garbage 500, and ten unknown commands close with 421', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expect((await c.command('MAIL FROM:<a@mail.test>')).code).toBe(503); // before EHLO
    expectCode(await c.command('EHLO client.test'), 250);
    expect((await c.command('RCPT TO:<b@example.net>')).code).toBe(503); // before MAIL
    expect((await c.command('DATA')).code).toBe(503);
    expect((await c.command('AUTH PLAIN AGFhAGI=')).code).toBe(500); // never offered
    let last = 0;
    for (let i = 0; i < 10 && last !== 421; i++) last = (await c.command(`XYZZY${i} \x01garbage`)).code;
    expect(last).toBe(421);
    await c.closed;
  });

  it('a command line over the limit gets "500 Line too long" and the session goes on (RFC 5321 §4.5.3.1.4)', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    const long = await c.command(`EHLO ${'a'.repeat(5000)}`);
    expect(long.code).toBe(500);
    expect(long.text).toMatch(/Line too long/);
    expectCode(await c.command('EHLO client.test'), 250);
    // In pieces, its CRLF apart, with commands pipelined behind it: one 500, then each command answered.
    c.writeRaw(`MAIL FROM:<${'b'.repeat(3000)}`);
    await new Promise((res) => setTimeout(res, 50));
    c.writeRaw(`${'c'.repeat(3000)}>\r`);
    await new Promise((res) => setTimeout(res, 50));
    c.writeRaw('\nNOOP\r\nMAIL FROM:<a@mail.test>\r\n');
    expect([(await c.reply()).code, (await c.reply()).code, (await c.reply()).code]).toEqual([500, 250, 250]);
    // A line of exactly the limit is a command (2,048 octets without the CRLF); one more is not.
    expect((await c.command(`NOOP ${'d'.repeat(2048 - 5)}`)).code).toBe(250);
    expect((await c.command(`NOOP ${'d'.repeat(2048 - 4)}`)).code).toBe(500);
    expectCode(await c.command('RCPT TO:<b@example.net>'), 250);
    expectCode(await c.command('DATA'), 354);
    // In DATA a long line is message text.
    c.writeRaw(`Subject: long\r\n\r\n${'x'.repeat(10_000)}\r\n.\r\n`);
    expect((await c.reply()).code).toBe(250);
    expect((await r.waitFor(1))[0]!.size).toBeGreaterThan(10_000);
  });

  it('DATA pipelined before an over-long line: the line is message text, not a command', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250);
    c.writeRaw(
      `MAIL FROM:<a@mail.test>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nSubject: x\r\n\r\n${'y'.repeat(5000)}\r\n.\r\n`,
    );
    expect([(await c.reply()).code, (await c.reply()).code, (await c.reply()).code, (await c.reply()).code]).toEqual([
      250, 250, 354, 250,
    ]);
    const [m] = await r.waitFor(1);
    expect((await r.read(m!.file)).toString('latin1')).toContain('y'.repeat(5000));
  });

  it('a line with no end is dropped as it comes (nothing kept) until the command deadline: 421', async () => {
    r = await startTestReceiver({ commandTimeoutMs: 400 });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    const flood = setInterval(() => c.writeRaw('z'.repeat(64 * 1024)), 10);
    try {
      const reply = await c.reply(5000);
      expect(reply.code).toBe(421);
      expect(reply.text).toMatch(/Timeout/);
    } finally {
      clearInterval(flood);
    }
  });

  it('drops a client that trickles a command byte by byte past the deadline (421)', async () => {
    r = await startTestReceiver({ commandTimeoutMs: 300 });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    const trickle = setInterval(() => c.writeRaw('E'), 50); // each byte resets an idle timer; the deadline holds
    try {
      const reply = await c.reply(3000);
      expect(reply.code).toBe(421);
      expect(reply.text).toMatch(/Timeout/);
    } finally {
      clearInterval(trickle);
    }
    await c.closed;
  });

  it('drops an idle client with 421', async () => {
    r = await startTestReceiver({ commandTimeoutMs: 200 });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expect((await c.reply(3000)).code).toBe(421);
  });

  it('a DATA phase that does not end in time gets 421', async () => {
    r = await startTestReceiver({ commandTimeoutMs: 5000, dataTimeoutMs: 300 });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250);
    expectCode(await c.command('MAIL FROM:<a@mail.test>'), 250);
    expectCode(await c.command('RCPT TO:<b@example.net>'), 250);
    expectCode(await c.command('DATA'), 354);
    const trickle = setInterval(() => c.writeRaw('Subject: slow\r\n'), 50);
    try {
      expect((await c.reply(3000)).code).toBe(421);
    } finally {
      clearInterval(trickle);
    }
    expect((await r.files()).new).toEqual([]);
  });

  it("keeps concurrent sessions apart: each message gets its own session's HELO and SPF (session ids are unique)", async () => {
    r = await startTestReceiver();
    const senders = ['alice@mail.test', 'news@mailer.test', 'bob@strict.mail.test', 'x@soft.mail.test'];
    const clients = await Promise.all(senders.map(() => rawClient(r!.port)));
    for (const c of clients) expectCode(await c.reply(), 220);
    // Interleaved: every session is open, with its envelope started, before any message is sent.
    for (const [i, c] of clients.entries()) expectCode(await c.command(`EHLO client${i}.mail.test`), 250);
    for (const [i, c] of clients.entries()) expectCode(await c.command(`MAIL FROM:<${senders[i]}>`), 250);
    for (const c of clients) expectCode(await c.command('RCPT TO:<bob@example.net>'), 250);
    for (const c of clients) expectCode(await c.command('DATA'), 354);
    for (const [i, c] of clients.entries())
      c.writeRaw(`From: <${senders[i]}>\r\nSubject: ${i}\r\n\r\nbody ${i}\r\n.\r\n`);
    for (const c of clients) expectCode(await c.reply(15000), 250);
    const got = (await r.waitFor(4))
      .map((m) => [m.mailFrom, m.helo, m.auth.spf.domain, m.auth.spf.result, m.subject])
      .sort();
    expect(got).toEqual([
      ['alice@mail.test', 'client0.mail.test', 'mail.test', 'pass', '0'],
      ['bob@strict.mail.test', 'client2.mail.test', 'strict.mail.test', 'pass', '2'],
      ['news@mailer.test', 'client1.mail.test', 'mailer.test', 'pass', '1'],
      ['x@soft.mail.test', 'client3.mail.test', 'soft.mail.test', 'softfail', '3'],
    ]);
    expect(new Set(r.messages.map((m) => m.id)).size).toBe(4);
  });

  it('looks up the HELO name once a session, not once a message (the requirements judge it)', async () => {
    const inner = fixtureResolver();
    const heloQueries: string[] = [];
    const resolver: Resolver = {
      lookup: (name, type, o) => {
        if (name === 'client.mail.test' && (type === 'A' || type === 'AAAA')) heloQueries.push(type);
        return inner.lookup(name, type, o);
      },
    };
    r = await startTestReceiver({}, resolver);
    const c = await rawClient(r.port);
    const data = 'From: <alice@mail.test>\r\n\r\nbody\r\n';
    for (let i = 0; i < 3; i++)
      expectCode(
        await transact(c, { from: 'alice@mail.test', to: ['bob@example.net'], data }, { greeting: i === 0 }),
        250,
      );
    expect(heloQueries.sort()).toEqual(['A', 'AAAA']);
    const helo = (await r.waitFor(3)).map((m) => m.requirements.find((q) => q.id === 'dns.helo')?.reason);
    expect(helo).toEqual(Array(3).fill('HELO client.mail.test has no A or AAAA record'));
    c.close();
  });

  it('refuses connections past the limit with 421', async () => {
    r = await startTestReceiver({ maxConnections: 2 });
    const a = await rawClient(r.port);
    const b = await rawClient(r.port);
    expectCode(await a.reply(), 220);
    expectCode(await b.reply(), 220);
    const c = await rawClient(r.port);
    expect((await c.reply()).code).toBe(421);
  });

  it('answers pipelined commands in order (RFC 2920)', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expect((await c.command('EHLO client.test')).lines.some((l) => /^250[- ]PIPELINING$/.test(l))).toBe(true);
    c.writeRaw('MAIL FROM:<a@mail.test>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n');
    expect([(await c.reply()).code, (await c.reply()).code, (await c.reply()).code, (await c.reply()).code]).toEqual([
      250, 250, 250, 354,
    ]);
    c.writeRaw('Subject: piped\r\n\r\nbody\r\n.\r\nQUIT\r\n');
    expect((await c.reply()).code).toBe(250);
    expect((await c.reply()).code).toBe(221);
  });
});

describe('receive: bounded work per client', () => {
  it('100 commands that do nothing are answered; the 101st gets 421 and the connection closes', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250); // counts: 99 more
    c.writeRaw('NOOP\r\nRSET\r\nVRFY bob\r\n'.repeat(33)); // 99
    for (let i = 0; i < 99; i++) expect((await c.reply()).code).toBeLessThan(300);
    const last = await c.command('HELP');
    expect(last.code).toBe(421);
    expect(last.text).toMatch(/Too many commands that do nothing/);
    await c.closed;
  });

  it('errors and over-long lines count too; an accepted message starts the count again (as Postfix does)', async () => {
    r = await startTestReceiver();
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250);
    c.writeRaw(
      `${'NOOP\r\n'.repeat(60)}${`X${'l'.repeat(3000)}\r\n`.repeat(20)}${'RCPT TO:<b@example.net>\r\n'.repeat(10)}`,
    );
    const codes: number[] = [];
    for (let i = 0; i < 90; i++) codes.push((await c.reply()).code);
    expect(codes.filter((x) => x === 250)).toHaveLength(60);
    expect(codes.filter((x) => x === 500)).toHaveLength(20);
    expect(codes.filter((x) => x === 503)).toHaveLength(10); // 91 so far
    // A message is accepted: the client is doing work, and gets its full allowance again.
    expect(
      (
        await transact(
          c,
          { from: 'a@mail.test', to: ['b@example.net'], data: 'Subject: x\r\n\r\nx\r\n' },
          { greeting: false },
        )
      ).code,
    ).toBe(250);
    c.writeRaw('NOOP\r\n'.repeat(100));
    for (let i = 0; i < 100; i++) expect((await c.reply()).code).toBe(250);
    expect((await c.command('NOOP')).code).toBe(421);
  });

  it('one address at its connection limit: its next connection gets 421, another address is served', async () => {
    r = await startTestReceiver({ maxConnections: 10, maxConnectionsPerClient: 3 });
    const held = [];
    for (let i = 0; i < 3; i++) {
      const c = await rawClient(r.port);
      expectCode(await c.reply(), 220);
      held.push(c);
    }
    const fourth = await rawClient(r.port);
    const refused = await fourth.reply();
    expect(refused.code).toBe(421);
    expect(refused.text).toMatch(/Too many connections from 127\.0\.0\.1/);
    await fourth.closed;
    // 127.0.0.2 is another client on loopback: served while 127.0.0.1 holds its three.
    const other = await rawClient(r.port, { localAddress: '127.0.0.2' });
    const reply = await transact(other, {
      from: 'a@mail.test',
      to: ['b@example.net'],
      data: 'Subject: x\r\n\r\nx\r\n',
    });
    expect(reply.code).toBe(250);
    // A slot given back is a slot to use again.
    held[0]!.close();
    await held[0]!.closed;
    await new Promise((res) => setTimeout(res, 50));
    const again = await rawClient(r.port);
    expectCode(await again.reply(), 220);
  });

  it('counts an IPv6 client by its /64', async () => {
    const { clientKey } = await import('../../../src/receive/prompt-server.js');
    expect(clientKey('2001:db8:1:2::5')).toBe(clientKey('2001:db8:1:2:ffff:1:2:3'));
    expect(clientKey('2001:db8:1:2::5')).not.toBe(clientKey('2001:db8:1:3::5'));
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('192.0.2.1')).not.toBe(clientKey('192.0.2.2'));
  });
});

describe('receive: TLS', () => {
  it('offers STARTTLS and records the protocol and cipher in Received', async () => {
    const { selfSignedCertificate } = await import('../../../src/receive/self-signed.js');
    r = await startTestReceiver({ tls: 'starttls', ...selfSignedCertificate('mx.mail.test') });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expect((await c.command('EHLO client.test')).lines.some((l) => /^250[- ]STARTTLS$/.test(l))).toBe(true);
    await c.starttls('mx.mail.test');
    expect((await c.command('EHLO client.test')).lines.some((l) => l.includes('STARTTLS'))).toBe(false);
    expect(
      await transact(c, { from: 'alice@mail.test', to: ['bob@example.net'], data: SIGNED }, { greeting: false }),
    ).toMatchObject({ code: 250 });
    const [m] = await r.waitFor(1);
    expect(m).toMatchObject({ tls: true, tlsProtocol: expect.stringMatching(/^TLSv1\.[23]$/) });
    expect(readFileSync(m!.file, 'latin1')).toMatch(
      /\(using TLSv1\.[23] with cipher [A-Z0-9_-]+\)\r\n\tby mx\.mail\.test \(mailcheck\) with ESMTPS id/,
    );
  });

  it('speaks implicit TLS (RFC 8314) from the first byte', async () => {
    const { selfSignedCertificate } = await import('../../../src/receive/self-signed.js');
    r = await startTestReceiver({ tls: 'implicit', ...selfSignedCertificate('mx.mail.test') });
    const c = await rawClient(r.port, { tls: true });
    expect(await transact(c, { from: 'alice@mail.test', to: ['bob@example.net'], data: SIGNED })).toMatchObject({
      code: 250,
    });
    expect((await r.waitFor(1))[0]!.tls).toBe(true);
  });
});

describe('receive: the TLS profile (TLS 1.2 and 1.3; on 1.2 only forward-secret AEAD suites)', () => {
  /** STARTTLS, then a handshake with the client's own limits: the protocol and cipher agreed, or the error. */
  const handshake = async (port: number, opts: ConnectionOptions) => {
    const c = await rawClient(port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250);
    expectCode(await c.command('STARTTLS'), 220);
    c.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: c.socket, rejectUnauthorized: false, ...opts });
    try {
      return await new Promise<string>((resolve, reject) => {
        secure.once('secureConnect', () => resolve(`${secure.getProtocol()} ${secure.getCipher().name}`));
        secure.once('error', reject);
        secure.once('close', () => reject(new Error('closed during the handshake')));
      });
    } finally {
      secure.destroy();
    }
  };

  it('refuses TLS 1.0/1.1, CBC suites with or without SHA-1; agrees on ECDHE with AES-GCM or ChaCha20 and on TLS 1.3', async () => {
    const { selfSignedCertificate } = await import('../../../src/receive/self-signed.js');
    r = await startTestReceiver({ tls: 'starttls', ...selfSignedCertificate('mx.mail.test') });
    // The client allows anything old (SECLEVEL 0), so a refusal is the server's.
    const old = { ciphers: 'ALL@SECLEVEL=0' };
    await expect(handshake(r.port, { ...old, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
    for (const cbc of [
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-ECDSA-AES256-SHA',
      'ECDHE-ECDSA-AES128-SHA256',
      'ECDHE-ECDSA-AES256-SHA384',
    ])
      await expect(handshake(r.port, { ciphers: `${cbc}@SECLEVEL=0`, maxVersion: 'TLSv1.2' }), cbc).rejects.toThrow();
    for (const aead of [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
    ])
      expect(await handshake(r.port, { ciphers: aead, maxVersion: 'TLSv1.2' })).toBe(`TLSv1.2 ${aead}`);
    expect(await handshake(r.port, {})).toMatch(/^TLSv1\.3 TLS_/);
  });

  it('refuses renegotiation a client starts on TLS 1.2 (each one a handshake of our CPU for one of theirs)', async () => {
    const { selfSignedCertificate } = await import('../../../src/receive/self-signed.js');
    const { clientRenegotiation } = await import('../../../src/probe/tls-audit/renegotiation.js');
    r = await startTestReceiver({ tls: 'starttls', ...selfSignedCertificate('mx.mail.test') });
    const c = await rawClient(r.port);
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO client.test'), 250);
    expectCode(await c.command('STARTTLS'), 220);
    c.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: c.socket, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    try {
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      });
      expect(secure.getProtocol()).toBe('TLSv1.2');
      expect(await clientRenegotiation(secure, 2000)).toMatchObject({ result: 'refused' });
    } finally {
      secure.destroy();
    }
  });
});

describe('receive: shutting down', () => {
  it('close() finishes a message in flight (its 250 included), sends 421 to idle sessions, and refuses new ones', async () => {
    r = await startTestReceiver();
    const idle = await rawClient(r.port);
    expectCode(await idle.reply(), 220);
    const busy = await rawClient(r.port);
    expectCode(await busy.reply(), 220);
    expectCode(await busy.command('EHLO client.test'), 250);
    expectCode(await busy.command('MAIL FROM:<alice@mail.test>'), 250);
    expectCode(await busy.command('RCPT TO:<bob@example.net>'), 250);
    expectCode(await busy.command('DATA'), 354);
    busy.writeRaw(SIGNED.subarray(0, 200)); // half a message when the stop comes
    const closing = r.receiver.close();
    expect((await idle.reply()).code).toBe(421);
    busy.writeRaw(Buffer.concat([SIGNED.subarray(200), Buffer.from('.\r\n')]));
    expect((await busy.reply()).code).toBe(250);
    expect((await busy.command('MAIL FROM:<alice@mail.test>')).code).toBe(421);
    await closing;
    expect((await r.files()).new).toHaveLength(1);
    await expect(rawClient(r.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
