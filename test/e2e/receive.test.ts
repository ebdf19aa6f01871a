// `mailcheck receive` as a process: NDJSON events, --once/--count, SIGTERM finishing in-flight work, the live
// text view, usage errors. The client side is a raw socket (test/helpers/receiver.ts).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { expectCode, openData, rawClient, transact } from '../helpers/receiver.js';

const ZONES = ['--offline', '--zone', 'fixtures/zones/mail.test.zone', '--zone', 'fixtures/zones/mailer.test.zone'];
const SIGNED = readFileSync(join(ROOT, 'fixtures/eml/signed-ed25519.eml'));
const tmp = mkdtempSync(join(tmpdir(), 'mc-receive-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Running {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  next(): Promise<string>;
  exit: Promise<number | null>;
  stderr: () => string;
}
const running: Running[] = [];
afterEach(() => {
  for (const r of running.splice(0)) r.child.kill('SIGKILL');
});

function start(args: string[]): Running {
  // Wide, so whole-line assertions see one message per line (the 80-column wrap is unit-tested).
  const child = spawn(process.execPath, [BIN, 'receive', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', CI: '1', COLUMNS: '200' },
  });
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  let read = 0;
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l);
    waiters.shift()?.(l);
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const r: Running = {
    child,
    lines,
    next: () =>
      read < lines.length
        ? Promise.resolve(lines[read++]!)
        : new Promise((res) => waiters.push((l) => (read++, res(l)))),
    exit: new Promise((res) => child.on('exit', (code) => res(code))),
    stderr: () => err,
  };
  running.push(r);
  return r;
}

async function listening(r: Running): Promise<{ port: number; maildir: string }> {
  const first = JSON.parse(await r.next());
  expect(first).toMatchObject({
    event: 'listening',
    host: '127.0.0.1',
    port: expect.any(Number),
    maildir: expect.any(String),
  });
  return first;
}

describe('mailcheck receive (CLI)', () => {
  it('--json --once: the listening event first, one message event, then exit 0', async () => {
    const maildir = join(tmp, 'once');
    const r = start(['--port', '0', '--maildir', maildir, '--once', '--json', '--hostname', 'mx.mail.test', ...ZONES]);
    const { port, maildir: abs } = await listening(r);
    expect(abs).toBe(maildir);
    const reply = await transact(await rawClient(port), {
      helo: 'mx.mail.test',
      from: 'alice@mail.test',
      to: ['bob@example.net'],
      data: SIGNED,
    });
    expect(reply.code).toBe(250);
    const m = JSON.parse(await r.next());
    expect(m).toMatchObject({
      event: 'message',
      id: expect.any(String),
      file: expect.stringContaining(join(maildir, 'new')),
      remoteAddress: '127.0.0.1',
      helo: 'mx.mail.test',
      mailFrom: 'alice@mail.test',
      rcptTo: ['bob@example.net'],
      size: SIGNED.length,
      tls: false,
      auth: {
        spf: { result: 'pass' },
        dkim: [{ result: 'pass', domain: 'mail.test', selector: 'ed25519' }],
        dmarc: { result: 'pass', policy: 'reject' },
        arc: { result: 'none' },
      },
    });
    expect(await r.exit).toBe(0);
    expect(readdirSync(join(maildir, 'new'))).toHaveLength(1);
    expect(r.lines).toHaveLength(2); // nothing else on stdout
  });

  it('SIGTERM: a message in flight is finished (250, stored, reported), then exit 0', async () => {
    const maildir = join(tmp, 'sigterm');
    const r = start(['--port', '0', '--maildir', maildir, '--json', ...ZONES]);
    const { port } = await listening(r);
    const c = await rawClient(port);
    expectCode(await c.reply(), 220);
    await openData(c, { from: 'alice@mail.test', to: ['bob@example.net'] });
    c.writeRaw(SIGNED.subarray(0, 100));
    r.child.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 200));
    c.writeRaw(Buffer.concat([SIGNED.subarray(100), Buffer.from('.\r\n')]));
    expect((await c.reply()).code).toBe(250);
    expect(JSON.parse(await r.next())).toMatchObject({ event: 'message', mailFrom: 'alice@mail.test' });
    // Its message done, the session is told the service is closing (it does not keep the receiver up).
    expect((await c.reply()).code).toBe(421);
    expect(await r.exit).toBe(0);
    expect(readdirSync(join(maildir, 'new'))).toHaveLength(1);
  });

  it('text mode: where it listens, a live line per message, a closing count', async () => {
    const r = start([
      '--port',
      '0',
      '--maildir',
      join(tmp, 'text'),
      '--count',
      '2',
      '--hostname',
      'mx.mail.test',
      ...ZONES,
    ]);
    const head = await r.next();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(head)![1]);
    expect(head).toMatch(/^mailcheck receive listening on smtp:\/\/127\.0\.0\.1:\d+ as mx\.mail\.test \(no TLS\)$/);
    await transact(await rawClient(port), {
      helo: 'mx.mail.test',
      from: 'alice@mail.test',
      to: ['bob@example.net'],
      data: SIGNED,
    });
    await transact(await rawClient(port), {
      from: 'news@mailer.test',
      to: ['bob@example.net'],
      data: readFileSync(join(ROOT, 'fixtures/eml/unsigned.eml')),
    });
    expect(await r.exit).toBe(0);
    const out = r.lines.join('\n');
    expect(out).toMatch(
      /✓ \d\d:\d\d:\d\d #1 alice@mail\.test → bob@example\.net\s+\d+ B plain\s+spf=pass dkim=pass\(mail\.test\) dmarc=pass/,
    );
    expect(out).toMatch(/✗ \d\d:\d\d:\d\d #2 news@mailer\.test → bob@example\.net .* dkim=none dmarc=none/);
    expect(out).toContain('receiver stopped: 2 messages stored, 1 not authenticated');
  });

  it('--tls: STARTTLS with a self-signed certificate for --hostname', async () => {
    const r = start([
      '--port',
      '0',
      '--maildir',
      join(tmp, 'tls'),
      '--once',
      '--json',
      '--tls',
      '--hostname',
      'mx.mail.test',
      ...ZONES,
    ]);
    const { port } = await listening(r);
    const c = await rawClient(port);
    expectCode(await c.reply(), 220);
    await c.command('EHLO client.mail.test');
    await c.starttls('mx.mail.test');
    const cert = (c.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!;
    expect(cert.subject).toBe('CN=mx.mail.test');
    await transact(c, { from: 'alice@mail.test', to: ['bob@example.net'], data: SIGNED }, { greeting: false });
    expect(JSON.parse(await r.next())).toMatchObject({
      tls: true,
      tlsProtocol: expect.stringMatching(/^TLSv1\.[23]$/),
    });
    expect(await r.exit).toBe(0);
  });

  it('usage errors exit 2 with one line: bad flags, a port in use', async () => {
    for (const args of [
      ['--port', 'x'],
      ['--host', 'localhost'],
      ['--tls', 'maybe'],
      ['--max-size', 'big'],
      ['--once', '--count', '2'],
      ['--cert', 'x.pem'],
    ]) {
      const r = await runCli(['receive', ...args, '--maildir', join(tmp, 'never')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // Number options are worded as everywhere else (src/cli/options.ts).
    for (const [args, line] of [
      [['--port', 'x'], "--port 'x' is not a port number (0-65535)"],
      [['--count', '0'], "--count '0' is not a whole number from 1 to 1000000000"],
      [['--timeout', '0'], "--timeout '0' is not a number of milliseconds between 1 and 600000"],
    ] as const) {
      const r = await runCli(['receive', ...args, '--maildir', join(tmp, 'never')]);
      expect(r.stderr).toBe(`mailcheck: ${line}\n`);
    }
    // A non-loopback address is warned about before binding (192.0.2.1, TEST-NET-1, is on no interface here).
    const far = await runCli([
      'receive',
      '--host',
      '192.0.2.1',
      '--port',
      '0',
      '--maildir',
      join(tmp, 'far'),
      '--offline',
    ]);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe(
      'mailcheck: warning: listening on 192.0.2.1, reachable from other hosts: anyone who can connect can make this receiver store mail\nmailcheck: cannot listen on 192.0.2.1: not an address of this machine\n',
    );
    const busy = createServer();
    await new Promise<void>((res) => busy.listen(0, '127.0.0.1', () => res()));
    const port = (busy.address() as { port: number }).port;
    const r = await runCli(['receive', '--port', String(port), '--maildir', join(tmp, 'busy'), '--offline']);
    busy.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mailcheck: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
  });

  it('a Maildir that cannot be made is one line naming the Maildir, in words, exit 2 (never blamed on the port)', async () => {
    const cases: [string, RegExp][] = [
      [
        '/proc/nope',
        /^mailcheck: cannot use Maildir '\/proc\/nope': cannot create '\/proc\/nope': the file system takes no new entries there\n$/,
      ],
      [
        '/sys/nope',
        /^mailcheck: cannot use Maildir '\/sys\/nope': cannot create '\/sys\/nope': (not permitted|permission denied)\n$/,
      ],
      [
        join(BIN, 'inbox'),
        /^mailcheck: cannot use Maildir '.*\/bin\/mailcheck\.js\/inbox': '.*\/bin\/mailcheck\.js' is not a directory\n$/,
      ],
    ];
    for (const [maildir, message] of cases) {
      // Bounded: /proc/nope used to spin at 80% CPU forever.
      const r = await runCli(['receive', '--port', '0', '--maildir', maildir, '--offline'], { timeoutMs: 10_000 });
      expect(r.code, maildir).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // Permission denied (as another user when we are root: root may write anywhere), not "cannot listen".
    const locked = mkdtempSync(join(tmp, 'locked-'));
    chmodSync(tmp, 0o755); // the other user may pass through, but not write in `locked`
    chmodSync(locked, 0o555);
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(
      process.execPath,
      [BIN, 'receive', '--port', '0', '--maildir', join(locked, 'inbox'), '--offline'],
      {
        cwd: tmpdir(),
        encoding: 'utf8',
        timeout: 10_000,
        env: { ...process.env, NO_COLOR: '1', CI: '1' },
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `mailcheck: cannot use Maildir '${join(locked, 'inbox')}': cannot create '${join(locked, 'inbox')}': permission denied\n`,
    );
  });

  for (const tls of ['none', 'starttls'] as const) {
    it(`send → receive (${tls === 'none' ? 'plain' : 'STARTTLS'}): signed with our own key, SPF, DKIM and DMARC all pass on arrival`, async () => {
      // A zone that publishes the key made by keygen, SPF for loopback and DMARC p=reject; both commands read it.
      const dir = mkdtempSync(join(tmp, `send-${tls}-`));
      for (const type of ['ed25519', 'rsa'] as const) {
        const kg = await runCli([
          'dkim',
          'keygen',
          '--domain',
          'sendtest.test',
          '--selector',
          type,
          '--type',
          type,
          '--out',
          join(dir, `${type}.pem`),
          '--json',
          '--force',
        ]);
        expect(kg.code).toBe(0);
        writeFileSync(join(dir, `${type}.line`), JSON.parse(kg.stdout).zoneLine);
      }
      const zone = join(dir, 'sendtest.test.zone');
      writeFileSync(
        zone,
        [
          '$ORIGIN sendtest.test.',
          '$TTL 300',
          '@ SOA ns hostmaster 1 3600 600 604800 300',
          '@ NS ns',
          'ns A 127.0.0.1',
          '@ TXT "v=spf1 ip4:127.0.0.0/8 -all"',
          '_dmarc TXT "v=DMARC1; p=reject; adkim=s; aspf=s"',
          readFileSync(join(dir, 'ed25519.line'), 'utf8'),
          readFileSync(join(dir, 'rsa.line'), 'utf8'),
          '',
        ].join('\n'),
      );
      const r = start([
        '--port',
        '0',
        '--maildir',
        join(dir, 'Maildir'),
        '--count',
        '2',
        '--json',
        '--hostname',
        'mx.sendtest.test',
        ...(tls === 'starttls' ? ['--tls'] : []),
        '--offline',
        '--zone',
        zone,
      ]);
      const { port } = await listening(r);
      for (const type of ['ed25519', 'rsa']) {
        const sent = await runCli([
          'send',
          '--from',
          'Alice <alice@sendtest.test>',
          '--to',
          'bob@example.net',
          '--server',
          `127.0.0.1:${port}`,
          '--subject',
          `hello over ${tls}`,
          '--body',
          'Signed by mailcheck send, checked by mailcheck receive.\n',
          '--dkim-key',
          join(dir, `${type}.pem`),
          '--dkim-selector',
          type,
          '--tls',
          tls,
          '--helo',
          'client.sendtest.test',
          '--offline',
          '--zone',
          zone,
          '--json',
        ]);
        expect(sent.code, sent.stderr).toBe(0);
        const m = JSON.parse(await r.next());
        expect(m).toMatchObject({
          event: 'message',
          mailFrom: 'alice@sendtest.test',
          rcptTo: ['bob@example.net'],
          tls: tls === 'starttls',
          auth: {
            spf: { result: 'pass', domain: 'sendtest.test' },
            dkim: [{ result: 'pass', domain: 'sendtest.test', selector: type, aligned: true }],
            dmarc: { result: 'pass', policy: 'reject', aligned: { spf: true, dkim: true } },
            arc: { result: 'none' },
          },
        });
        expect(JSON.parse(sent.stdout).delivered[0].response).toContain(m.id);
        // And the stored file verifies again from disk.
        const v = await runCli(['verify', m.file, '--offline', '--zone', zone, '--ip', '127.0.0.1', '--json']);
        expect(v.code).toBe(0);
        expect(JSON.parse(v.stdout)).toMatchObject({
          spf: { result: 'pass' },
          dkim: [{ result: 'pass' }],
          dmarc: { result: 'pass' },
        });
      }
      expect(await r.exit).toBe(0);
    });
  }
});
