// `mailcheck receive` against hostile clients and a hostile disk (issue #8): 10,000-byte command lines, NUL bytes,
// bare LF (no SMTP smuggling), pipelining abuse, idle connections past the limit, a client gone mid-DATA, a
// Maildir that cannot be written (4xx, never 250), and kill -9 mid-delivery (no partial file in new/; on
// restart tmp/ is swept and reported). Invariant throughout: every 250 to DATA is one file in new/.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { expectCode, openData, rawClient, transact, type RawClient } from '../helpers/receiver.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-receive-hostile-'));
const MESSAGE = 'From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n';

interface Running {
  child: ChildProcessWithoutNullStreams;
  port: number;
  maildir: string;
  listening: Record<string, unknown>;
  exit: Promise<number | null>;
}
const children: ChildProcessWithoutNullStreams[] = [];

async function start(args: string[], maildir = join(mkdtempSync(join(tmp, 'r-')), 'Maildir')): Promise<Running> {
  const child = spawn(
    process.execPath,
    [BIN, 'receive', '--port', '0', '--offline', '--json', '--maildir', maildir, ...args],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', CI: '1' } },
  );
  children.push(child);
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).once('line', res);
    void exit.then((code) => rej(new Error(`receive exited (${code}) before listening: ${err}`)));
  });
  const listening = JSON.parse(first);
  return { child, port: listening.port, maildir, listening, exit };
}

const files = (maildir: string, sub: 'new' | 'tmp') =>
  existsSync(join(maildir, sub)) ? readdirSync(join(maildir, sub)) : [];

async function greeted(port: number): Promise<RawClient> {
  const c = await rawClient(port);
  expectCode(await c.reply(), 220);
  return c;
}

afterEach(() => undefined);
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('hostile clients (one receiver; every 250 to DATA is a file in new/)', () => {
  let r: Running;
  let accepted = 0;
  beforeAll(async () => {
    r = await start(['--timeout', '1500', '--max-connections', '30']);
  });
  afterAll(async () => {
    expect(files(r.maildir, 'new')).toHaveLength(accepted);
    expect(files(r.maildir, 'tmp')).toEqual([]);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });
  const deliver = async () => {
    const c = await rawClient(r.port);
    const rep = await transact(c, { from: 'a@example.test', to: ['b@example.test'], data: MESSAGE });
    c.close();
    if (rep.code === 250) accepted++;
    return rep;
  };

  it('a 10,000-byte command line: "500 Line too long" and the session goes on (RFC 5321 §4.5.3.1.4)', async () => {
    const c = await greeted(r.port);
    c.write(`EHLO ${'a'.repeat(10_000)}`);
    const rep = await c.reply();
    expect(rep.code).toBe(500);
    expect(rep.text).toMatch(/Line too long/);
    const reply = await transact(
      c,
      { from: 'a@example.test', to: ['b@example.test'], data: MESSAGE },
      { greeting: false },
    );
    expect(reply.code).toBe(250);
    accepted++;
    c.close();
    expect((await deliver()).code).toBe(250);
  });

  it('NUL bytes in commands get an error or are taken as text, never a crash; in a message they are stored as sent', async () => {
    const c = await greeted(r.port);
    for (const line of ['EHLO a\0b', 'MAIL FROM:<a\0@example.test>', '\0\0\0\0', 'NOOP\0']) {
      const rep = await c.command(line);
      expect(rep.code).toBeGreaterThanOrEqual(200);
    }
    c.close();
    const d = await rawClient(r.port);
    const body = `Subject: nul\r\n\r\nbefore\0after\r\n`;
    const rep = await transact(d, { from: 'a@example.test', to: ['b@example.test'], data: body });
    d.close();
    if (rep.code === 250) {
      accepted++;
      const newest = files(r.maildir, 'new')
        .map((f) => readFileSync(join(r.maildir, 'new', f), 'latin1'))
        .find((t) => t.includes('Subject: nul'));
      expect(newest).toContain('before\0after');
    } else {
      expect(rep.code).toBeGreaterThanOrEqual(500);
    }
  });

  it('bare LF: "\\n.\\n" does not end the message (no SMTP smuggling): one message, one file', async () => {
    const before = files(r.maildir, 'new').length;
    const c = await greeted(r.port);
    await openData(c, { helo: 'smuggler.test', from: 'a@example.test', to: ['b@example.test'] });
    c.writeRaw(
      'Subject: outer\r\n\r\nline\n.\nMAIL FROM:<evil@example.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n',
    );
    const rep = await c.reply(10_000);
    // Whatever comes next must not be a second 250 for a smuggled message.
    c.write('QUIT');
    const after = await c.reply().catch(() => ({ code: 0, lines: [], text: '' }));
    expect(after.code === 221 || after.code === 0).toBe(true);
    c.close();
    if (rep.code === 250) accepted++;
    const added = files(r.maildir, 'new').length - before;
    expect(added).toBe(rep.code === 250 ? 1 : 0);
    expect(
      files(r.maildir, 'new')
        .map((f) => readFileSync(join(r.maildir, 'new', f), 'latin1'))
        .filter((t) => /^Subject: smuggled/m.test(t) && !/^Subject: outer/m.test(t)),
    ).toEqual([]);
  });

  it('pipelining abuse: 2,000 NOOP/RSET in one write get 100 answers, then 421; a whole transaction without waiting for 354 is taken', async () => {
    const c = await greeted(r.port);
    expectCode(await c.command('EHLO pipe.test'), 250); // the first of the 100 commands that do nothing
    c.writeRaw('NOOP\r\nRSET\r\n'.repeat(1000));
    const codes: number[] = [];
    for (;;) {
      const rep = await c.reply(5000).catch(() => undefined);
      if (!rep) break;
      codes.push(rep.code);
      if (rep.code === 421) break;
    }
    await c.closed;
    // RFC 2920: replies in order, one per command, until the junk limit (Postfix's smtpd_junk_command_limit).
    expect(codes).toEqual([...Array(99).fill(250), 421]);
    const d = await greeted(r.port);
    d.writeRaw(
      `EHLO pipe.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n${MESSAGE}.\r\nQUIT\r\n`,
    );
    const after: number[] = [];
    for (;;) {
      const rep = await d.reply(10_000).catch(() => undefined);
      if (!rep) break;
      after.push(rep.code);
      if (rep.code === 221) break;
    }
    d.close();
    // The message sent before the 354 is still taken whole.
    expect(after).toEqual([250, 250, 250, 354, 250, 221]);
    accepted++;
    expect((await deliver()).code).toBe(250);
  });

  it('one address holding every slot it may (a NOOP now and then): its next connection gets 421, others are served', async () => {
    // 20 by default (--max-connections-per-client), of --max-connections 30 here.
    const hog = await Promise.all(Array.from({ length: 20 }, () => greeted(r.port)));
    const keepAlive = setInterval(() => hog.forEach((c) => c.write('NOOP')), 300);
    try {
      const extra = await rawClient(r.port);
      const refused = await extra.reply();
      expect(refused.code).toBe(421);
      expect(refused.text).toMatch(/Too many connections from 127\.0\.0\.1/);
      extra.close();
      // Legitimate senders from other addresses (127.0.0.0/8 is all loopback) are served meanwhile.
      for (const localAddress of ['127.0.0.2', '127.0.0.3']) {
        const c = await rawClient(r.port, { localAddress });
        const rep = await transact(c, { from: 'a@example.test', to: ['b@example.test'], data: MESSAGE });
        c.close();
        expect(rep.code).toBe(250);
        accepted++;
      }
    } finally {
      clearInterval(keepAlive);
      hog.forEach((c) => c.close());
      await Promise.all(hog.map((c) => c.closed));
    }
  });

  it('idle connections up to the limit: the next is refused with 421; idle ones are dropped with 421 after --timeout', async () => {
    // From two addresses: 15 each stays under the per-client limit (20), 30 is --max-connections. The server
    // counts a connection until it has seen the close, which under load can trail the previous test's clients:
    // until every slot is free again a round gets a 421, so it is closed and tried again.
    let idle: Awaited<ReturnType<typeof rawClient>>[] = [];
    for (let round = 0; round < 20; round++) {
      const opened = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const c = await rawClient(r.port, { localAddress: i % 2 ? '127.0.0.2' : '127.0.0.1' });
          return { c, code: (await c.reply()).code };
        }),
      );
      if (opened.every((o) => o.code === 220)) {
        idle = opened.map((o) => o.c);
        break;
      }
      opened.forEach((o) => o.c.close());
      await Promise.all(opened.map((o) => o.c.closed));
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(idle).toHaveLength(30);
    const extra = await rawClient(r.port);
    expect((await extra.reply()).code).toBe(421);
    extra.close();
    const dropped = await Promise.all(idle.map((c) => c.reply(5000).catch(() => ({ code: 0 }))));
    expect(dropped.every((x) => x.code === 421 || x.code === 0)).toBe(true);
    expect(dropped.some((x) => x.code === 421)).toBe(true);
    await Promise.all(idle.map((c) => c.closed));
    expect((await deliver()).code).toBe(250);
  });

  it('a client that disconnects mid-DATA: nothing stored, nothing left in tmp/', async () => {
    const before = files(r.maildir, 'new').length;
    const c = await greeted(r.port);
    await openData(c, { helo: 'gone.test', from: 'a@example.test', to: ['b@example.test'] });
    c.writeRaw(`Subject: half\r\n\r\n${'x'.repeat(100_000)}\r\n`);
    await new Promise((res) => setTimeout(res, 100));
    c.close();
    await new Promise((res) => setTimeout(res, 300));
    expect(files(r.maildir, 'new')).toHaveLength(before);
    expect(files(r.maildir, 'tmp')).toEqual([]);
  });
});

describe('a message whose verification is costly does not hold up anyone else', () => {
  // ~24 MB (under the default --max-size) under DKIM signatures of both body canonicalizations with a key that
  // exists: each form is canonicalized and hashed in full, however well the verifier is written. On the thread
  // that greets clients this held every greeting and every reply for about a second.
  const line = 'The quick brown fox  jumps over the lazy dog \t and keeps on running\r\n';
  const sig = (c: string) =>
    `DKIM-Signature: v=1; a=rsa-sha256; c=${c}; d=mail.test; s=rsa2048; h=from:to:subject;\r\n bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n`;
  const costly = Buffer.from(
    `${sig('relaxed/relaxed')}${sig('relaxed/simple')}From: Alice <alice@mail.test>\r\nTo: bob@example.net\r\nSubject: costly\r\n\r\n${line.repeat(Math.ceil((24 << 20) / line.length))}`,
    'latin1',
  );

  it('while it is verified, new clients get their 220 and an open session its replies at once', async () => {
    const r = await start(['--zone', join(ROOT, 'fixtures/zones/mail.test.zone')]);
    try {
      const busy = await greeted(r.port);
      const session = async () => {
        const c = await greeted(r.port);
        expectCode(await c.command('EHLO idle.mail.test'), 250);
        return c;
      };
      let idle = await session();
      await openData(busy, { from: 'alice@mail.test', to: ['bob@example.net'] });
      await new Promise<void>((res) => busy.socket.write(costly, () => res()));
      const t0 = performance.now();
      busy.writeRaw('\r\n.\r\n');
      let window = 0;
      const final = busy.reply(60_000).then((rep) => {
        window = performance.now() - t0;
        return rep;
      });
      const waits: number[] = [];
      while (!window) {
        const g0 = performance.now();
        const probe = await rawClient(r.port);
        expectCode(await probe.reply(), 220);
        waits.push(performance.now() - g0);
        probe.close();
        const n0 = performance.now();
        expectCode(await idle.command('NOOP'), 250);
        waits.push(performance.now() - n0);
        // A fresh session before the junk-command limit (100 that do nothing) closes this one.
        if (waits.length % 80 === 0) {
          idle.close();
          idle = await session();
        }
        await new Promise((res) => setTimeout(res, 20));
      }
      expect((await final).code).toBe(250);
      const longest = Math.max(...waits);
      if (process.env.MC_FIGURES)
        console.log(
          `'.' to 250: ${window.toFixed(0)} ms; ${waits.length} probes; longest wait ${longest.toFixed(1)} ms`,
        );
      // Inline, one wait lasted most of the window (the whole verification); now none comes near it. The 150 ms
      // floor is for a loaded machine's scheduling, not for the receiver.
      expect(longest).toBeLessThan(Math.max(150, 0.4 * window));
      expect(waits.length).toBeGreaterThanOrEqual(4);
      busy.close();
      idle.close();
    } finally {
      r.child.kill('SIGTERM');
      await r.exit;
    }
  }, 60_000);
});

describe('a Maildir that cannot be written', () => {
  it('new/ turned into a file: 451 (try later), never 250, nothing in new/; once repaired the retry is stored', async () => {
    const r = await start([]);
    try {
      rmSync(join(r.maildir, 'new'), { recursive: true });
      writeFileSync(join(r.maildir, 'new'), 'the disk said no');
      const c = await rawClient(r.port);
      const rep = await transact(c, { from: 'a@example.test', to: ['b@example.test'], data: MESSAGE });
      c.close();
      expect(rep.code).toBe(451);
      expect(files(r.maildir, 'tmp')).toEqual([]);
      rmSync(join(r.maildir, 'new'));
      mkdirSync(join(r.maildir, 'new'));
      const again = await rawClient(r.port);
      expect((await transact(again, { from: 'a@example.test', to: ['b@example.test'], data: MESSAGE })).code).toBe(250);
      again.close();
      expect(files(r.maildir, 'new')).toHaveLength(1);
    } finally {
      r.child.kill('SIGTERM');
      await r.exit;
    }
  });
});

describe('kill -9 mid-delivery', () => {
  it('no partial file in new/, no 250; on restart stale tmp/ files are removed and younger ones reported', async () => {
    const r = await start(['--max-size', '200m']);
    const size = 60 * 1024 * 1024;
    const line = `${'y'.repeat(998)}\r\n`;
    const body = Buffer.from(`Subject: big\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`);
    const c = await greeted(r.port);
    await openData(c, { helo: 'big.test', from: 'a@example.test', to: ['b@example.test'] });
    c.writeRaw(body);
    c.writeRaw('.\r\n');
    const final = c.reply(60_000).catch(() => ({ code: 0 }));
    // Kill as soon as the writer has created the file in tmp/ (it is being written and fsynced).
    const deadline = Date.now() + 60_000;
    let seen = false;
    while (!seen && Date.now() < deadline) {
      seen = files(r.maildir, 'tmp').length > 0;
      if (!seen) await new Promise((res) => setImmediate(res));
    }
    r.child.kill('SIGKILL');
    await r.exit;
    expect(seen).toBe(true);
    expect((await final).code).not.toBe(250);
    c.close();
    // Whatever the kill interrupted, new/ holds no partial message.
    for (const f of files(r.maildir, 'new')) expect(statSync(join(r.maildir, 'new', f)).size).toBeGreaterThan(size);
    const leftover = files(r.maildir, 'tmp').length;
    // A stale file from an older crash, 40 hours untouched.
    const stale = join(r.maildir, 'tmp', '1700000000.M1P1Q1.old,S=5');
    writeFileSync(stale, 'stale');
    const old = new Date(Date.now() - 40 * 3600 * 1000);
    utimesSync(stale, old, old);
    const again = await start([], r.maildir);
    try {
      expect(again.listening.staleTmp).toEqual({ removed: 1, kept: leftover });
      expect(existsSync(stale)).toBe(false);
    } finally {
      again.child.kill('SIGTERM');
      await again.exit;
    }
  });
});
