import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { generateCertificate, startSmtpPeer, type GeneratedCert, type SmtpPeer } from '../helpers/smtp-peer.js';

// Text reports wrap at 80 columns in a pipe; these tests read whole report lines, so ask for a wide one.
const WIDE = { env: { COLUMNS: '200' } };

const ZONE = ['--offline', '--zone', 'fixtures/zones/smtp.test.zone'];
const dir = mkdtempSync(join(tmpdir(), 'mc-send-e2e-'));
let cert: GeneratedCert;
let peer: SmtpPeer;
const server = () => ['--server', `127.0.0.1:${peer.port}`];
/** Through MX (mx1.smtp.test is 127.0.0.1 in the fixture zone), so that the certificate is judged by that name. */
const sendArgs = (port: number) => [
  'send',
  '--from',
  'a@example.test',
  '--to',
  'bob@mx1.smtp.test',
  ...ZONE,
  '--port',
  String(port),
  '--allow-private',
];

beforeAll(async () => {
  cert = generateCertificate({ cn: 'mx1.smtp.test' });
  peer = await startSmtpPeer({ hostname: 'mx1.smtp.test', tls: cert });
});
afterAll(async () => {
  await peer.close();
  cert.cleanup();
});

describe('mailcheck send (CLI)', () => {
  it('delivers to --server and prints the contract JSON (exit 0)', async () => {
    const before = peer.messages.length;
    const r = await runCli([
      'send',
      '--from',
      'Alice <alice@example.test>',
      '--to',
      'bob@smtp.test',
      '--subject',
      'Grüße',
      '--body',
      'Hello\n.dot\n',
      '--header',
      'X-Test: e2e',
      ...server(),
      '--json',
      '--offline',
    ]);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      messageId: expect.stringMatching(/^<.+@example\.test>$/),
      from: 'alice@example.test',
      to: ['bob@smtp.test'],
      delivered: [
        {
          recipient: 'bob@smtp.test',
          exchange: '127.0.0.1',
          address: '127.0.0.1',
          port: peer.port,
          response: expect.stringMatching(/^250 2\.0\.0 Ok: queued as \w+$/),
        },
      ],
      rejected: [],
      tls: { mode: 'starttls', encrypted: true },
      dkim: { signed: false, domain: null, selector: null },
    });
    expect(r.code).toBe(0);
    const msg = peer.messages[before]!.data.toString();
    expect(msg).toContain(`Message-ID: ${j.messageId}`);
    expect(msg).toContain('Subject: =?UTF-8?B?R3LDvMOfZQ==?=');
    expect(msg).toContain('X-Test: e2e');
    expect(msg).toMatch(/\r\n\r\nHello\r\n\.dot\r\n$/);
  });

  it('routes through MX (--zone, --port) and prints the transcript', async () => {
    const r = await runCli(
      [
        'send',
        '--from',
        'alice@example.test',
        '--to',
        'bob@backup.smtp.test',
        ...ZONE,
        '--port',
        String(peer.port),
        '--allow-private',
        '--body',
        'via MX',
      ],
      WIDE,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /backup\.smtp\.test .*→ MX 10 mx2\.smtp\.test \[127\.0\.0\.2\], 20 mx1\.smtp\.test \[127\.0\.0\.1\]/,
    );
    expect(r.stdout).toMatch(/✗ mx2\.smtp\.test \[127\.0\.0\.2\]:\d+ .*unreachable/);
    expect(r.stdout).toMatch(/✓ mx1\.smtp\.test \[127\.0\.0\.1\]:\d+ .*250 2\.0\.0 Ok: queued as/);
    expect(r.stdout).toContain('C: RCPT TO:<bob@backup.smtp.test>');
    expect(r.stdout).toContain('✓ delivered');
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('DKIM-signs with a key from `mailcheck dkim keygen` (rsa and ed25519); the signature verifies', async () => {
    const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');
    for (const type of ['rsa', 'ed25519']) {
      const key = join(dir, `${type}.pem`);
      const kg = await runCli([
        'dkim',
        'keygen',
        '--domain',
        'example.test',
        '--selector',
        `s-${type}`,
        '--type',
        type,
        '--out',
        key,
        '--json',
        '--force',
      ]);
      expect(kg.code).toBe(0);
      const record: string = JSON.parse(kg.stdout).record;
      const before = peer.messages.length;
      const r = await runCli([
        'send',
        '--from',
        'alice@example.test',
        '--to',
        'bob@smtp.test',
        ...server(),
        '--dkim-key',
        key,
        '--dkim-selector',
        `s-${type}`,
        '--json',
        '--offline',
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).dkim).toMatchObject({
        signed: true,
        domain: 'example.test',
        selector: `s-${type}`,
        algorithm: `${type}-sha256`,
      });
      const resolver = async (name: string, t: string) => {
        if (t === 'TXT' && name === `s-${type}._domainkey.example.test`) return [[record]];
        throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      };
      const v = await (
        dkimVerify as unknown as (m: Buffer, o: object) => Promise<{ results: { status: { result: string } }[] }>
      )(peer.messages[before]!.data, { resolver });
      expect(v.results[0]!.status.result).toBe('pass');
    }
  });

  it('sends --eml as is', async () => {
    const eml = join(dir, 'm.eml');
    writeFileSync(
      eml,
      'From: alice@example.test\nTo: bob@smtp.test\nSubject: eml\nMessage-ID: <eml-1@example.test>\n\n.leading dot\n',
    );
    const before = peer.messages.length;
    const r = await runCli([
      'send',
      '--from',
      'alice@example.test',
      '--to',
      'bob@smtp.test',
      '--eml',
      eml,
      ...server(),
      '--json',
      '--offline',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).messageId).toBe('<eml-1@example.test>');
    expect(peer.messages[before]!.data.toString()).toBe(readFileSync(eml, 'utf8').replace(/\n/g, '\r\n'));
  });

  it('exit 1 when a recipient is refused, 3 when no server can be reached', async () => {
    const bad = await startSmtpPeer({ mode: '4xx-then-5xx' });
    try {
      const r = await runCli([
        'send',
        '--from',
        'a@example.test',
        '--to',
        'x@smtp.test',
        '--to',
        'y@smtp.test',
        '--server',
        `127.0.0.1:${bad.port}`,
        '--tls',
        'none',
        '--json',
        '--offline',
      ]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).rejected).toMatchObject([
        { recipient: 'x@smtp.test', response: expect.stringMatching(/^450 /) },
        { recipient: 'y@smtp.test', response: expect.stringMatching(/^550 /) },
      ]);
    } finally {
      await bad.close();
    }
    const down = await runCli([
      'send',
      '--from',
      'a@example.test',
      '--to',
      'x@down.smtp.test',
      ...ZONE,
      '--port',
      String(peer.port),
      '--allow-private',
      '--json',
    ]);
    expect(down.code).toBe(3);
    const nul = await runCli(['send', '--from', 'a@example.test', '--to', 'x@nullmx.smtp.test', ...ZONE, '--json']);
    expect(nul.code).toBe(1);
    expect(JSON.parse(nul.stdout).rejected[0].response).toMatch(/null MX/);
  });

  it('--tls require refuses to send in clear (exit 1)', async () => {
    const plain = await startSmtpPeer();
    try {
      const r = await runCli([
        'send',
        '--from',
        'a@example.test',
        '--to',
        'x@smtp.test',
        '--server',
        `127.0.0.1:${plain.port}`,
        '--tls',
        'require',
        '--offline',
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('[send.tls.required]');
      expect(plain.messages).toHaveLength(0);
    } finally {
      await plain.close();
    }
  });

  it('refuses an MX on loopback without --allow-private: exit 1, a finding naming the addresses, no connection', async () => {
    const before = peer.sessions.length;
    const r = await runCli(
      ['send', '--from', 'a@example.test', '--to', 'bob@smtp.test', ...ZONE, '--port', String(peer.port)],
      WIDE,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[send.route.private]');
    expect(r.stdout).toMatch(
      /every mail host of smtp\.test is at a non-public address \(mx1\.smtp\.test \[127\.0\.0\.1\] loopback, mx2\.smtp\.test \[127\.0\.0\.2\] loopback\)/,
    );
    expect(peer.sessions.length).toBe(before);
  });

  it('--tls verify: a self-signed certificate stops the message (exit 1); with --ca and the right name it goes', async () => {
    const ca = generateCertificate({ cn: 'mailcheck e2e CA', isCa: true });
    const leaf = generateCertificate({ cn: 'mx1.smtp.test', ca });
    const good = await startSmtpPeer({ hostname: 'mx1.smtp.test', tls: leaf });
    try {
      const self = await runCli([...sendArgs(peer.port), '--tls', 'verify', '--json']);
      expect(self.code).toBe(1);
      const j = JSON.parse(self.stdout);
      expect(j.findings.map((f: { id: string }) => f.id)).toEqual(['send.tls.verify-failed']);
      expect(j.rejected[0].response).toMatch(/it is self-signed; not sending \(--tls verify\)/);
      expect(j.tls).toMatchObject({ mode: 'verify', verified: null });
      const ok = await runCli([...sendArgs(good.port), '--tls', 'verify', '--ca', ca.certFile, '--json']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).tls).toMatchObject({ mode: 'verify', encrypted: true, verified: true });
      expect(good.messages).toHaveLength(1);
      // --tls require sends to the self-signed one, and says that it did not authenticate it.
      const req = await runCli([...sendArgs(peer.port), '--tls', 'require'], WIDE);
      expect(req.code).toBe(0);
      expect(req.stdout).toMatch(/TLS +require → encrypted \(TLSv1\.3\), certificate not verified/);
      expect(req.stdout).toMatch(/! Sent encrypted to mx1\.smtp\.test \[127\.0\.0\.1\]:\d+, but .*it is self-signed/);
      expect(req.stdout).toContain('[send.tls.unverified]');
      expect(req.stdout).toMatch(
        /^ {4}certificate CN=mx1\.smtp\.test from CN=mx1\.smtp\.test, until \d{4}-\d\d-\d\d {2}! not verified: it is self-signed$/m,
      );
    } finally {
      await good.close();
      ca.cleanup();
      leaf.cleanup();
    }
  });

  it('--auth-user logs in (password from MAILCHECK_AUTH_PASS or --auth-pass-file); it never reaches the output', async () => {
    const ca = generateCertificate({ cn: 'mailcheck e2e CA', isCa: true });
    const leaf = generateCertificate({ cn: 'submit', altNames: ['127.0.0.1'], ca });
    const password = 'pässword with spaces';
    const submit = await startSmtpPeer({ tls: leaf, auth: { user: 'alice', password, tlsOnly: true } });
    const args = [
      'send',
      '--from',
      'alice@example.test',
      '--to',
      'bob@example.net',
      '--server',
      `127.0.0.1:${submit.port}`,
      '--auth-user',
      'alice',
      '--tls',
      'verify',
      '--ca',
      ca.certFile,
      '--offline',
    ];
    const secrets = [
      password,
      Buffer.from(password).toString('base64'),
      Buffer.from(`\0alice\0${password}`).toString('base64'),
    ];
    try {
      const viaEnv = await runCli([...args, '--json', '-v'], { env: { MAILCHECK_AUTH_PASS: password } });
      expect(viaEnv.code).toBe(0);
      expect(JSON.parse(viaEnv.stdout).auth).toEqual({ user: 'alice', mechanism: 'PLAIN', authenticated: true });
      expect(viaEnv.stderr).toMatch(/^C: AUTH PLAIN \*\*\*\*$/m);
      const file = join(dir, 'password');
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      const viaFile = await runCli([...args, '--auth-pass-file', file], WIDE);
      expect(viaFile.code).toBe(0);
      expect(viaFile.stdout).toMatch(/AUTH +alice \(PLAIN\) ✓ authenticated/);
      expect(viaFile.stdout).toContain('C: AUTH PLAIN ****');
      const wrong = await runCli([...args, '--auth-pass', 'nope', '--json']);
      expect(wrong.code).toBe(1);
      expect(JSON.parse(wrong.stdout).findings.map((f: { id: string }) => f.id)).toEqual(['send.auth.failed']);
      for (const out of [viaEnv.stdout, viaEnv.stderr, viaFile.stdout, viaFile.stderr, wrong.stdout, wrong.stderr])
        for (const secret of secrets) expect(out).not.toContain(secret);
      expect(submit.messages.map((m) => m.authUser)).toEqual(['alice', 'alice']);
    } finally {
      await submit.close();
      ca.cleanup();
      leaf.cleanup();
    }
  });

  it('send --help and probe --help load no heavy module; a plain send loads mailauth only when signing', async () => {
    const imports = async (args: string[]) => {
      const log = join(mkdtempSync(join(tmpdir(), 'mc-imp-')), 'imports.log');
      const r = await runCli(args, {
        env: {
          NODE_OPTIONS: `--import ${new URL('../helpers/log-imports.mjs', import.meta.url).pathname}`,
          IMPORT_LOG: log,
        },
      });
      return { r, loaded: readFileSync(log, 'utf8') };
    };
    for (const args of [
      ['send', '--help'],
      ['probe', '--help'],
    ]) {
      const { r, loaded } = await imports(args);
      expect(r.code).toBe(0);
      for (const heavy of ['mailauth', 'smtp-server', 'ora', 'table'])
        expect(loaded).not.toContain(`/node_modules/${heavy}/`);
    }
    const plain = await imports(['send', '--from', 'a@example.test', '--to', 'b@smtp.test', ...server(), '--offline']);
    expect(plain.r.code).toBe(0);
    expect(plain.loaded).not.toContain('/node_modules/mailauth/');
    expect(plain.loaded).not.toContain('/node_modules/smtp-server/');
  });

  it.each([
    [['send', '--to', 'b@x.test'], /required option '--from/],
    [['send', '--from', 'a@x.test'], /required option '--to/],
    [['send', '--from', 'nobody', '--to', 'b@x.test'], /--from 'nobody' is not an email address/],
    [['send', '--from', 'a@x.test', '--to', 'b@@x'], /--to/],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--eml', 'fixtures/zones/smtp.test.zone'],
      /does not start with a header field/,
    ],
    [['send', '--from', 'a@x.test', '--to', 'b@x.test', '--eml', 'nope.eml'], /cannot read --eml file/],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--eml', 'x', '--body', 'y'],
      /--body cannot be used with --eml/,
    ],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--dkim-key', 'k.pem'],
      /--dkim-key and --dkim-selector go together/,
    ],
    [
      [
        'send',
        '--from',
        'a@x.test',
        '--to',
        'b@x.test',
        '--dkim-key',
        'fixtures/zones/smtp.test.zone',
        '--dkim-selector',
        's1',
      ],
      /is not a PEM private key/,
    ],
    [['send', '--from', 'a@x.test', '--to', 'b@x.test', '--server', 'host:99999'], /port outside/],
    [['send', '--from', 'a@x.test', '--to', 'b@x.test', '--header', 'oops'], /--header 'oops' is not "Name: value"/],
    [['send', '--from', 'a@x.test', '--to', 'b@x.test', '--tls', 'sometimes'], /Allowed choices/],
    [['send', '--from', 'a@x.test', '--to', 'b@x.test', '--auth-pass', 'x'], /--auth-pass needs --auth-user/],
    [['send', '--from', 'a@x.test', '--to', 'b@x.test', '--auth-insecure'], /--auth-insecure needs --auth-user/],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--auth-user', 'a'],
      /--auth-user needs a password: --auth-pass-file/,
    ],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--auth-user', 'a', '--auth-pass', 'x'],
      /--auth-user logs in to your submission server: name it with --server/,
    ],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--auth-user', 'a', '--auth-pass-file', 'nope'],
      /cannot read --auth-pass-file 'nope': no such file/,
    ],
    [
      [
        'send',
        '--from',
        'a@x.test',
        '--to',
        'b@x.test',
        '--auth-user',
        'a',
        '--auth-pass',
        'x',
        '--auth-pass-file',
        'f',
      ],
      /give the password once/,
    ],
    [
      ['send', '--from', 'a@x.test', '--to', 'b@x.test', '--auth-user', 'a', '--auth-mech', 'CRAM-MD5'],
      /Allowed choices/,
    ],
  ])('exits 2 with one clear line for bad input: %j', async (args, message) => {
    const r = await runCli([...args, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
