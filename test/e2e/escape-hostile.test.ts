// Names from someone else's DNS reach no terminal raw (issue #13 item 5): MX exchanges with ESC, C1 and a bidi
// override in `mx -v` and `mx --json`, a client's PTR name in `receive -v`, which also keeps it out of Received:.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { rawClient, transact } from '../helpers/receiver.js';

/** What a terminal acts on: C0 (but tab and newline), DEL, C1, and the bidi controls. */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// ev<ESC>[2jil<C1 CSI>x and a<RLO>b: \DDD bytes in the zone file become those characters on the wire (UTF-8).
const ZONE = `$ORIGIN hostile.test.
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 604800 300
  IN NS ns
ns IN A 127.0.0.1
@ IN MX 10 ev\\027[2jil\\194\\155x.hostile.test.
@ IN MX 20 a\u202eb.hostile.test.
ev\\027[2jil\\194\\155x IN A 192.0.2.2
a\u202eb IN A 192.0.2.3
ctrl IN TXT "v=spf1 ip4:192.0.2.1 \\194\\155 \\226\\128\\174 -all"
`;

const tmp = mkdtempSync(join(tmpdir(), 'mc-escape-'));
let dns: TestDnsServer;
beforeAll(async () => {
  dns = await startTestDnsServer({ zone: ZONE, origin: 'hostile.test' });
});
afterAll(async () => {
  await dns.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('DNS names in output', () => {
  it('mx -v: the exchange names in the query log are escaped, like every other byte from the network', async () => {
    const r = await runCli(['mx', 'hostile.test', '-v', '--resolver', `127.0.0.1:${dns.port}`]);
    expect(r.stderr).toContain('; A ev\\x1b[2jil'); // the query for the exchange's address, escaped
    expect(r.stderr).toContain('; A a\\u202eb.hostile.test');
    for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(UNSAFE);
  });

  it('mx --json: C1 and bidi controls are \\u escapes in the JSON text, the same strings once parsed', async () => {
    const r = await runCli(['mx', 'hostile.test', '--json', '--resolver', `127.0.0.1:${dns.port}`]);
    expect(r.stdout).not.toMatch(UNSAFE);
    expect(r.stdout).toContain('\\u009b');
    expect(r.stdout).toContain('a\\u202eb.hostile.test');
    const exchanges = JSON.parse(r.stdout).mx.map((m: { exchange: string }) => m.exchange);
    expect(exchanges).toEqual(['ev\x1b[2jil\u00e2\x9bx.hostile.test', 'a\u202eb.hostile.test']);
  });
});

describe('JSON from check, one domain and a batch stream', () => {
  it('C1 and bidi controls from a TXT record are \\u escapes there too', async () => {
    for (const args of [
      ['check', 'ctrl.hostile.test'],
      ['check', 'ctrl.hostile.test', 'hostile.test'],
    ]) {
      const r = await runCli([...args, '--json', '--resolver', `127.0.0.1:${dns.port}`], { timeoutMs: 30_000 });
      expect(r.stdout).toContain('\\u009b');
      expect(r.stdout).toContain('\\u202e');
      expect(r.stdout, args.join(' ')).not.toMatch(UNSAFE);
    }
  });
});

describe('receive -v: a hostile PTR name for the client', () => {
  it('is escaped in the query log, and Received: carries the address literal alone', async () => {
    // 127.0.0.1's PTR is a name that closes the comment and forges a "by" clause; its A points back (confirmed).
    const reverse = join(tmp, '127.in-addr.arpa.zone');
    writeFileSync(
      reverse,
      `$ORIGIN 127.in-addr.arpa.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 604800 300\n1.0.0 PTR evil\\)\\032by\\032mx.bank.example\\032\\(\\027[2j.hostile.test.\n`,
    );
    const forward = join(tmp, 'ptr.hostile.test.zone');
    writeFileSync(
      forward,
      `$ORIGIN hostile.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 604800 300\nevil\\)\\032by\\032mx.bank.example\\032\\(\\027[2j A 127.0.0.1\n`,
    );
    const maildir = join(tmp, 'Maildir');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'receive',
        '--port',
        '0',
        '--once',
        '--json',
        '-v',
        '--offline',
        '--zone',
        reverse,
        '--zone',
        forward,
        '--maildir',
        maildir,
      ],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', CI: '1' } },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const exit = new Promise<number | null>((res) => child.on('exit', res));
    try {
      const { port } = JSON.parse((await lines.next()).value);
      const reply = await transact(await rawClient(port), {
        from: 'a@example.test',
        to: ['b@example.test'],
        data: 'From: a@example.test\r\nSubject: hi\r\n\r\nhello\r\n',
      });
      expect(reply.code).toBe(250);
      const stdout = (await lines.next()).value as string;
      const m = JSON.parse(stdout);
      expect(await exit).toBe(0);
      expect(stdout).not.toMatch(UNSAFE);
      expect(stderr).not.toMatch(UNSAFE);
      // The PTR was read (and its name is in the -v log only escaped); it is not the client's name.
      expect(stderr).toMatch(/; PTR 1\.0\.0\.127\.in-addr\.arpa /);
      expect(m.clientName).toBeNull();
      const received = /^Received: [^]*?(?=\r\n\S)/m.exec(readFileSync(m.file, 'latin1'))![0];
      expect(received).toMatch(/^Received: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby /);
      expect(received.match(/\bby /g)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe("receive --json: C1 and bidi controls in a stranger's header", () => {
  it('leave every message line as \\u escapes (the buffered output escapes what it writes)', async () => {
    const maildir = join(tmp, 'Maildir-json');
    const child = spawn(
      process.execPath,
      [BIN, 'receive', '--port', '0', '--count', '2', '--json', '--offline', '--maildir', maildir],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', CI: '1' } },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const exit = new Promise<number | null>((res) => child.on('exit', res));
    try {
      const { port } = JSON.parse((await lines.next()).value);
      // Raw UTF-8 in Subject: and From: (RFC 6532): U+202E (right-to-left override), U+0085 (NEL, a C1 control).
      for (const subject of ['pay \u202egpj.exe', 'line\u0085break']) {
        const data = Buffer.from(`From: "Ev\u202ee" <a@example.test>\r\nSubject: ${subject}\r\n\r\nhello\r\n`, 'utf8');
        const reply = await transact(await rawClient(port), { from: 'a@example.test', to: ['b@example.test'], data });
        expect(reply.code).toBe(250);
      }
      const out = [(await lines.next()).value as string, (await lines.next()).value as string];
      expect(await exit).toBe(0);
      for (const line of out) expect(line).not.toMatch(UNSAFE);
      expect(out[0]).toContain('pay \\u202egpj.exe');
      expect(out[1]).toContain('line\\u0085break');
      // The same strings to a JSON parser.
      expect(out.map((l) => JSON.parse(l).subject)).toEqual(['pay \u202egpj.exe', 'line\u0085break']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
