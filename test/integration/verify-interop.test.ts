// DKIM interop both ways. Messages signed by python3-dkim (dkimpy) and Mail::DKIM — rsa-sha256 in both
// canonicalizations, ed25519-sha256 (RFC 8463) — verify as pass with ours and fail once tampered; and a
// message our receiver stored (trace headers prepended) still verifies with python3-dkim and Mail::DKIM.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type RunningDnsServer } from '../../src/dns/server.js';
import { parseZone } from '../../src/dns/zone/parse.js';
import { zoneResolver } from '../../src/dns/zone/resolver.js';
import { verifyMessage } from '../../src/verify/verdict.js';
import { runCli } from '../helpers/cli.js';
import { rawClient, startTestReceiver, transact } from '../helpers/receiver.js';

const exec = promisify(execFile);
const PYTHON = '/usr/bin/python3';

async function missingPeers(): Promise<string | undefined> {
  const checks: [string, string[], string][] = [
    [PYTHON, ['-c', 'import dkim, nacl'], 'python3-dkim and python3-nacl'],
    ['perl', ['-MMail::DKIM::Signer', '-MMail::DKIM::Verifier', '-MNet::DNS', '-e1'], 'libmail-dkim-perl'],
  ];
  for (const [cmd, args, pkg] of checks) {
    try {
      await exec(cmd, args);
    } catch {
      return `${pkg} not installed (Debian: apt-get install python3-dkim python3-nacl libmail-dkim-perl)`;
    }
  }
  return undefined;
}
const missing = await missingPeers();
/** Mail::DKIM verifies Ed25519 only from the release that ships Mail::DKIM::Algorithm::ed25519_sha256. */
const mailDkimEd25519 = await exec('perl', ['-MMail::DKIM::Algorithm::ed25519_sha256', '-e1']).then(
  () => true,
  () => false,
);
// Without the peers the suite is skipped on a laptop, and fails with the reason in CI.
const suite = missing && !process.env.CI ? describe.skip : describe;

const PY_SIGN = `
import sys, dkim
msg = sys.stdin.buffer.read()
selector, domain, keyfile, algo, hc, bc = sys.argv[1:7]
key = open(keyfile, 'rb').read()
sig = dkim.sign(msg, selector.encode(), domain.encode(), key, signature_algorithm=algo.encode(), canonicalize=(hc.encode(), bc.encode()),
                include_headers=[b'from', b'to', b'subject', b'date', b'message-id', b'mime-version', b'content-type'])
sys.stdout.buffer.write(sig + msg)
`;
const PY_SIGN_L = `
import sys, dkim
msg = sys.stdin.buffer.read()
selector, domain, keyfile = sys.argv[1:4]
sig = dkim.sign(msg, selector.encode(), domain.encode(), open(keyfile, 'rb').read(), canonicalize=(b'relaxed', b'relaxed'),
                include_headers=[b'from', b'to', b'subject'], length=True)
sys.stdout.buffer.write(sig + msg)
`;
const PY_VERIFY = `
import sys, dkim, json
records = json.loads(sys.argv[1])
dnsfunc = lambda name, timeout=5: records.get(name.decode().rstrip('.'), '').encode() or None
print('pass' if dkim.verify(open(sys.argv[2], 'rb').read(), dnsfunc=dnsfunc) else 'fail')
`;
const PERL_SIGN = `
use strict; use Mail::DKIM::Signer; use Mail::DKIM::TextWrap;
my $dkim = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => $ARGV[3], Domain => $ARGV[0], Selector => $ARGV[1], KeyFile => $ARGV[2],
  Headers => 'from:to:subject:date:message-id:mime-version:content-type');
binmode STDIN; my $msg = do { local $/; <STDIN> };
for my $line (split /(?<=\\n)/, $msg) { $line =~ s/\\r?\\n\\z/\\r\\n/; $dkim->PRINT($line); }
$dkim->CLOSE;
binmode STDOUT; print $dkim->signature->as_string, "\\r\\n", $msg;
`;
const PERL_VERIFY = `
use strict; use Mail::DKIM::Verifier; use Mail::DKIM::DNS; use Net::DNS::Resolver;
Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $ARGV[0], recurse => 0, udp_timeout => 5, tcp_timeout => 5));
my $dkim = Mail::DKIM::Verifier->new();
open(my $fh, '<', $ARGV[1]) or die; binmode $fh;
while (<$fh>) { s/\\r?\\n\\z/\\r\\n/; $dkim->PRINT($_); }
$dkim->CLOSE;
print $dkim->result, "\\n";
`;

/** A message with the things canonicalization trips on: folding, tabs, trailing blanks, dots, UTF-8, MIME parts. */
const MESSAGE = [
  'From: "Interop, Alice" <alice@interop.test>',
  'To: bob@example.net',
  'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=  with\ttabs and a',
  '  folded continuation',
  'Date: Sat, 29 Nov 2025 10:00:00 +0000',
  'Message-ID: <interop-1@interop.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Grüße, Bob.   ',
  '.a line that starts with a dot',
  'trailing tab\t',
  '',
  '--b1',
  'Content-Type: application/octet-stream; name="data.bin"',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename="data.bin"',
  '',
  Buffer.alloc(300, 7).toString('base64').replace(/.{76}/g, '$&\r\n'),
  '--b1--',
  '',
  '',
].join('\r\n');

suite('DKIM interop: python3-dkim and Mail::DKIM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-interop-'));
  const files = { rsaPem: join(dir, 'rsa.pem'), edSeed: join(dir, 'ed.seed'), zone: join(dir, 'interop.test.zone') };
  const records: Record<string, string> = {};
  let resolver: ReturnType<typeof zoneResolver>;
  let dns: RunningDnsServer;

  beforeAll(async () => {
    if (missing) throw new Error(`interop test needs Debian peers: ${missing}`);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    // Mail::DKIM reads PKCS#1; dkimpy takes PKCS#1 for RSA and the bare base64 seed for Ed25519 (as dknewkey writes).
    writeFileSync(files.rsaPem, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(
      files.edSeed,
      ed.privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32).toString('base64'),
    );
    records['rsa._domainkey.interop.test'] =
      `v=DKIM1; k=rsa; p=${rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    records['ed._domainkey.interop.test'] =
      `v=DKIM1; k=ed25519; p=${ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64')}`;
    const txt = (s: string) =>
      `( ${s
        .match(/.{1,200}/g)!
        .map((x) => `"${x}"`)
        .join(' ')} )`;
    const zone =
      `$ORIGIN interop.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 604800 300\n@ NS ns\nns A 127.0.0.1\n@ TXT "v=spf1 ip4:127.0.0.1 -all"\n_dmarc TXT "v=DMARC1; p=reject"\n` +
      Object.entries(records)
        .map(([n, v]) => `${n.replace('.interop.test', '')} TXT ${txt(v)}`)
        .join('\n') +
      '\n';
    writeFileSync(files.zone, zone);
    resolver = zoneResolver([parseZone(zone)]);
    dns = await startDnsServer({ resolver });
  });
  afterAll(async () => {
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (cmd: string, args: string[], input: string | Buffer) => {
    const child = execFile(cmd, args, { encoding: 'buffer', maxBuffer: 1 << 24 });
    const out = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      child.stdout!.on('data', (c: Buffer) => chunks.push(c));
      child.on('close', (code) =>
        code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${cmd} exited ${code}`)),
      );
    });
    child.stdin!.end(input);
    return out;
  };
  const ours = (bytes: Buffer) => verifyMessage(bytes, { authservId: 'test' }, { resolver, now: () => new Date() });

  const signers: [string, () => Promise<Buffer>][] = [
    [
      'python3-dkim rsa-sha256 relaxed/relaxed',
      () =>
        run(PYTHON, ['-c', PY_SIGN, 'rsa', 'interop.test', files.rsaPem, 'rsa-sha256', 'relaxed', 'relaxed'], MESSAGE),
    ],
    [
      'python3-dkim rsa-sha256 simple/simple',
      () =>
        run(PYTHON, ['-c', PY_SIGN, 'rsa', 'interop.test', files.rsaPem, 'rsa-sha256', 'simple', 'simple'], MESSAGE),
    ],
    [
      'python3-dkim ed25519-sha256 relaxed/simple',
      () =>
        run(
          PYTHON,
          ['-c', PY_SIGN, 'ed', 'interop.test', files.edSeed, 'ed25519-sha256', 'relaxed', 'simple'],
          MESSAGE,
        ),
    ],
    [
      'Mail::DKIM rsa-sha256 relaxed/relaxed',
      () => run('perl', ['-e', PERL_SIGN, 'interop.test', 'rsa', files.rsaPem, 'relaxed/relaxed'], MESSAGE),
    ],
    [
      'Mail::DKIM rsa-sha256 simple/simple',
      () => run('perl', ['-e', PERL_SIGN, 'interop.test', 'rsa', files.rsaPem, 'simple/simple'], MESSAGE),
    ],
  ];

  for (const [name, sign] of signers) {
    it(`${name}: pass, aligned, DMARC pass; a changed body, a changed signed header: fail; an added unsigned header: still pass`, async () => {
      const signed = await sign();
      const v = await ours(signed);
      expect(v.dkim).toMatchObject([{ result: 'pass', domain: 'interop.test', aligned: true }]);
      expect(v.dmarc.result).toBe('pass');
      const text = signed.toString('latin1');
      const body = await ours(Buffer.from(text.replace('a line that starts', 'a line that begins'), 'latin1'));
      expect(body.dkim[0]).toMatchObject({ result: 'fail', reason: 'body hash did not verify' });
      const header = await ours(Buffer.from(text.replace('Date: Sat, 29 Nov', 'Date: Sun, 30 Nov'), 'latin1'));
      expect(header.dkim[0]).toMatchObject({ result: 'fail', reason: 'signature did not verify' });
      expect(header.dmarc.result).toBe('fail');
      const added = await ours(Buffer.concat([Buffer.from('X-Added-Later: yes\r\n'), signed]));
      expect(added.dkim[0]!.result).toBe('pass');
    });
  }

  // The shapes a hostile sender uses (issue #13), where our verifier now cuts corners the others do not: a body
  // on one 3 MB line, canonicalized in 1 MiB slices with WSP runs carried across the edges, and l= with text
  // appended after it. Each peer must reach the verdict we reach.
  const peersSay = async (bytes: Buffer) => {
    const file = join(dir, `peer-${Math.random().toString(36).slice(2)}.eml`);
    writeFileSync(file, bytes);
    const py = (await exec(PYTHON, ['-c', PY_VERIFY, JSON.stringify(records), file], { maxBuffer: 1 << 26 })).stdout;
    const pl = (await exec('perl', ['-e', PERL_VERIFY, String(dns.port), file], { maxBuffer: 1 << 26 })).stdout;
    return { python: py.trim(), mailDkim: pl.trim() };
  };
  const longLine = () =>
    'From: alice@interop.test\r\nTo: bob@example.net\r\nSubject: one line\r\n\r\n' +
    `${'word \t  and  \tmore\t'.repeat(180_000)}  \t \r\n`;

  it('a 3 MB body on one line, signed relaxed by python3-dkim and by Mail::DKIM: pass with us as with them', async () => {
    for (const signed of [
      await run(
        PYTHON,
        ['-c', PY_SIGN, 'rsa', 'interop.test', files.rsaPem, 'rsa-sha256', 'relaxed', 'relaxed'],
        longLine(),
      ),
      await run('perl', ['-e', PERL_SIGN, 'interop.test', 'rsa', files.rsaPem, 'relaxed/relaxed'], longLine()),
    ]) {
      expect(signed.length).toBeGreaterThan(3 << 20);
      expect((await ours(signed)).dkim[0]).toMatchObject({ result: 'pass', canonicalization: 'relaxed/relaxed' });
      expect(await peersSay(signed)).toEqual({ python: 'pass', mailDkim: 'pass' });
      const changed = Buffer.from(signed.toString('latin1').replace('and  \tmore', 'and more!'), 'latin1');
      expect((await ours(changed)).dkim[0]!.result).toBe('fail');
      expect(await peersSay(changed)).toEqual({ python: 'fail', mailDkim: 'fail' });
    }
  }, 120_000);

  it('l= from python3-dkim with text appended after it: pass everywhere, and we say how many bytes are not covered', async () => {
    const signed = await run(PYTHON, ['-c', PY_SIGN_L, 'rsa', 'interop.test', files.rsaPem], MESSAGE);
    expect(signed.toString('latin1')).toMatch(/; l=\d+/);
    const appended = Buffer.concat([signed, Buffer.from('Appended: http://evil.test/\r\n')]);
    const v = await ours(appended);
    // 29 bytes of text, and the empty line before them that relaxed canonicalization dropped from the signed body.
    expect(v.dkim[0]).toMatchObject({ result: 'pass', uncoveredBytes: 31 });
    expect(v.findings.map((f) => f.id)).toContain('verify.dkim.uncovered-body');
    expect(await peersSay(appended)).toEqual({ python: 'pass', mailDkim: 'pass' });
  });

  it('the CLI agrees: verify exits 0 on a python3-dkim signature and 1 once tampered', async () => {
    const signed = await signers[2]![1]();
    writeFileSync(join(dir, 'ok.eml'), signed);
    writeFileSync(join(dir, 'bad.eml'), Buffer.from(signed.toString('latin1').replace('Bob.', 'Eve.'), 'latin1'));
    expect((await runCli(['verify', join(dir, 'ok.eml'), '--zone', files.zone, '--offline'])).code).toBe(0);
    expect((await runCli(['verify', join(dir, 'bad.eml'), '--zone', files.zone, '--offline'])).code).toBe(1);
  });

  it('a message stored by our receiver still verifies with python3-dkim and Mail::DKIM (the trace headers go above, the bytes stay)', async () => {
    const receiver = await startTestReceiver({}, resolver);
    try {
      for (const [, sign] of [signers[0]!, signers[2]!, signers[4]!]) {
        const signed = await sign();
        expect(
          (
            await transact(await rawClient(receiver.port), {
              helo: 'client.interop.test',
              from: 'alice@interop.test',
              to: ['bob@example.net'],
              data: signed,
            })
          ).code,
        ).toBe(250);
      }
      const stored = await receiver.waitFor(3);
      for (const m of stored) {
        expect(m.auth).toMatchObject({
          spf: { result: 'pass' },
          dkim: [{ result: 'pass' }],
          dmarc: { result: 'pass' },
        });
        const py = await exec(PYTHON, ['-c', PY_VERIFY, JSON.stringify(records), m.file]);
        expect(py.stdout.trim(), `python3-dkim on ${m.file}`).toBe('pass');
        if (m.auth.dkim[0]!.algorithm === 'ed25519-sha256' && !mailDkimEd25519) continue;
        const pl = await exec('perl', ['-e', PERL_VERIFY, String(dns.port), m.file]);
        expect(pl.stdout.trim(), `Mail::DKIM on ${m.file}`).toBe('pass');
      }
    } finally {
      await receiver.stop();
    }
  });
});
