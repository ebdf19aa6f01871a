// DKIM and DMARC over real DNS on loopback: the fixture zones served by Knot DNS (Debian's `knot`) and by our own
// server give the same JSON and exit codes as --zone; keys from `mailcheck dkim keygen`, published through knot,
// verify with other implementations (python3-dkim signs and verifies, Mail::DKIM verifies).
import { spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type RunningDnsServer } from '../../src/dns/server.js';
import { loadZoneFile } from '../../src/dns/zone/load.js';
import { zoneResolver } from '../../src/dns/zone/resolver.js';
import { runCli } from '../helpers/cli.js';
import { findKnotd, startKnot, type KnotServer } from '../helpers/knot.js';

// test.zone: the TLD, so that the DMARC tree walk's last question (_dmarc.test) gets NXDOMAIN, not knot's REFUSED.
const ZONE_FILES = ['dkim.test', 'dkim-provider.test', 'dmarc.test', 'dmarc-none.test', 'reports.test', 'test'].map(
  (z) => new URL(`../../fixtures/zones/${z}.zone`, import.meta.url).pathname,
);
const AS_ZONES = ['--offline', ...ZONE_FILES.flatMap((f) => ['--zone', f])];
const EXPLICIT =
  's2048,ed,old,weak,short,huge,pkcs1,edspki,nok,testing,sha1,svc,dup,vlast,v2,nop,garbage,notb64,unknownk,extra,syntax,spf,alias,nosuch';

/** One command per finding family; every fixture name appears. */
const CASES: string[][] = [
  ['dkim', 'dkim.test'],
  ['dkim', 'dkim.test', '--selector', EXPLICIT],
  ['dkim', 'dkim.test', '--selector', 's2048', '--key', 'fixtures/keys/rsa-2048.pem'],
  ['dkim', 'none.dkim.test'],
  ['dkim', 'wild.dkim.test'],
  ['dkim', 'edonly.dkim.test'],
  ['dkim', 'multi.dkim.test', '--selector', 'default'],
  ['dkim', 'ctrl.dkim.test', '--selector', 'default'],
  ['dkim', 'm365.dkim.test', '--key', 'fixtures/keys/rsa-2048-rotated.pem'],
  ...[
    'dmarc.test',
    'deep.sub.dmarc.test',
    'none.dmarc.test',
    'pct.dmarc.test',
    'spnone.dmarc.test',
    'case.dmarc.test',
    'badp.dmarc.test',
    'badp-norua.dmarc.test',
    'nop.dmarc.test',
    'nosemi.dmarc.test',
    'multi.dmarc.test',
    'tags.dmarc.test',
    'uris.dmarc.test',
    'syntax.dmarc.test',
    'ver.dmarc.test',
    'order.dmarc.test',
    'cname.dmarc.test',
    'other.dmarc.test',
    'ctrl.dmarc.test',
    'ext.dmarc.test',
    'www.dmarc-none.test',
  ].map((d) => ['dmarc', d]),
];

/** Everything but the DNS steps (timings, servers) must agree whoever serves the zones. */
function comparable(stdout: string, what: string): unknown {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: not JSON: ${stdout.slice(0, 200)}`);
  }
  const { steps: _steps, ...rest } = parsed;
  return rest;
}

async function sameAsZones(server: { host: string; port: number }): Promise<void> {
  for (const args of CASES) {
    const [viaZone, viaServer] = await Promise.all([
      runCli([...args, ...AS_ZONES, '--json']),
      runCli([...args, '--resolver', `${server.host}:${server.port}`, '--timeout', '2000', '--json']),
    ]);
    const what = args.join(' ');
    expect(viaZone.stderr, `${what} via --zone`).toBe('');
    expect(viaServer.stderr, what).toBe('');
    expect(comparable(viaServer.stdout, `${what} via ${server.host}:${server.port}`), what).toEqual(
      comparable(viaZone.stdout, `${what} via --zone`),
    );
    expect(viaServer.code, args.join(' ')).toBe(viaZone.code);
  }
}

const knotd = findKnotd();
// Locally the test may be skipped without knot; in CI a missing peer is a failure, never a silent skip.
const withKnot = knotd || process.env.CI ? describe : describe.skip;

withKnot('dkim and dmarc against Knot DNS', () => {
  let knot: KnotServer;
  beforeAll(async () => {
    if (!knotd)
      throw new Error(
        'knotd not found: install the Debian package `knot` (.ci/run does) to run the DKIM/DMARC integration tests',
      );
    knot = await startKnot(ZONE_FILES);
  });
  afterAll(async () => knot?.stop());

  it('gives the same JSON and exit codes as --zone for every fixture case', async () => {
    await sameAsZones(knot);
  }, 120000);

  it('exit codes through --resolver: 0 healthy, 1 broken, 0 warnings only', async () => {
    const via = ['--resolver', `${knot.host}:${knot.port}`];
    expect((await runCli(['dmarc', 'dmarc.test', ...via])).code).toBe(0);
    expect((await runCli(['dmarc', 'www.dmarc-none.test', ...via])).code).toBe(1);
    expect((await runCli(['dkim', 'dkim.test', '--selector', 'weak', ...via])).code).toBe(1);
    expect((await runCli(['dkim', 'none.dkim.test', ...via])).code).toBe(0);
  });
});

describe('dkim and dmarc against our own DNS server', () => {
  let server: RunningDnsServer;
  beforeAll(async () => {
    server = await startDnsServer({
      host: '127.0.0.1',
      port: 0,
      resolver: zoneResolver(await Promise.all(ZONE_FILES.map(loadZoneFile))),
    });
  });
  afterAll(async () => server?.close());

  it('gives the same JSON and exit codes as --zone for every fixture case', async () => {
    await sameAsZones(server);
  }, 120000);
});

// ---- keygen records checked by other DKIM implementations, with the keys published through knot ----

const PYTHON = '/usr/bin/python3';
const PY = `
import sys, json, dkim, dns.resolver
req = json.load(sys.stdin)
msg = req['message'].encode()
if req['op'] == 'sign':
    alg = b'ed25519-sha256' if req['type'] == 'ed25519' else b'rsa-sha256'
    sig = dkim.sign(msg, req['selector'].encode(), req['domain'].encode(), req['key'].encode(), signature_algorithm=alg,
                    include_headers=[b'from', b'to', b'subject'])
    print(json.dumps({'signature': sig.decode()}))
else:
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ['127.0.0.1']; r.port = req['port']
    def dnsfunc(name, timeout=5):
        a = r.resolve(name.decode() if isinstance(name, bytes) else name, 'TXT', lifetime=timeout)
        return b''.join(b''.join(rd.strings) for rd in a)
    print(json.dumps({'pass': bool(dkim.DKIM(msg).verify(dnsfunc=dnsfunc))}))
`;
// Mail::DKIM asks DNS through Net::DNS; point it at knot. (Ed25519 needs CryptX, which Debian's package does not pull in.)
const PERL = `
use strict; use warnings; use Mail::DKIM::Verifier; use Net::DNS;
Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $ARGV[0], recurse => 0, udp_timeout => 3, tcp_timeout => 3));
my $v = Mail::DKIM::Verifier->new(); local $/; my $m = <STDIN>; $m =~ s/\\r?\\n/\\r\\n/g;
$v->PRINT($m); $v->CLOSE; print join(' ', map { $_->result } $v->signatures), "\\n";
`;

function run(
  cmd: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const havePeers = existsSync(PYTHON) && existsSync('/usr/bin/perl');
const withPeers = (knotd && havePeers) || process.env.CI ? describe : describe.skip;

withPeers('keys from `mailcheck dkim keygen` verify with python3-dkim and Mail::DKIM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-keygen-it-'));
  const MESSAGE =
    'From: alice@keygen.test\r\nTo: bob@example.test\r\nSubject: published with knot\r\nDate: Sat, 29 Nov 2026 10:00:00 +0000\r\nMessage-ID: <k1@keygen.test>\r\n\r\nHello through knot.\r\n';
  const keys: Record<'rsa' | 'ed25519', { pem: string; file: string }> = {} as never;
  let knot: KnotServer;

  beforeAll(async () => {
    if (!knotd) throw new Error('knotd not found: install the Debian package `knot`');
    const probe = await run(PYTHON, ['-c', 'import dkim, nacl, dns.resolver'], '');
    if (probe.code !== 0)
      throw new Error(
        `python3-dkim, python3-nacl or python3-dnspython missing (.ci/run installs them): ${probe.stderr.trim()}`,
      );
    const perl = await run('/usr/bin/perl', ['-MMail::DKIM::Verifier', '-MNet::DNS', '-e', '1'], '');
    if (perl.code !== 0)
      throw new Error(`Mail::DKIM missing (Debian package libmail-dkim-perl): ${perl.stderr.trim()}`);
    const lines: string[] = [];
    for (const type of ['rsa', 'ed25519'] as const) {
      const file = join(dir, `${type}.pem`);
      const r = await runCli([
        'dkim',
        'keygen',
        '--domain',
        'keygen.test',
        '--selector',
        type,
        '--type',
        type,
        '--out',
        file,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      lines.push(JSON.parse(r.stdout).zoneLine);
      keys[type] = { pem: readFileSync(file, 'utf8'), file };
    }
    const zone = join(dir, 'keygen.test.zone');
    writeFileSync(
      zone,
      `$ORIGIN keygen.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 604800 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n${lines.join('\n')}\n`,
    );
    knot = await startKnot([zone]);
  });
  afterAll(async () => knot?.stop());

  it('mailcheck reads both published keys back through knot and matches the key files', async () => {
    for (const type of ['rsa', 'ed25519'] as const) {
      const r = await runCli([
        'dkim',
        'keygen.test',
        '--selector',
        type,
        '--key',
        keys[type].file,
        '--resolver',
        `${knot.host}:${knot.port}`,
        '--json',
      ]);
      expect(JSON.parse(r.stdout).selectors[0]).toMatchObject({
        found: true,
        keyType: type,
        keyBits: type === 'rsa' ? 2048 : 256,
        keyMatch: true,
      });
    }
  });

  it.each(['rsa', 'ed25519'] as const)(
    'python3-dkim signs with the %s key; mailauth verifies it against knot',
    async (type) => {
      // dkimpy takes RSA keys as PEM and Ed25519 keys as the base64 32-byte seed (the end of our PKCS#8).
      const der = createPrivateKey(keys[type].pem).export({ type: 'pkcs8', format: 'der' });
      const key = type === 'rsa' ? keys[type].pem : der.subarray(der.length - 32).toString('base64');
      const signed = await run(
        PYTHON,
        ['-c', PY],
        JSON.stringify({ op: 'sign', message: MESSAGE, selector: type, domain: 'keygen.test', key, type }),
      );
      expect(signed.code, signed.stderr).toBe(0);
      const message = JSON.parse(signed.stdout).signature + MESSAGE;
      const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');
      const { networkResolver } = await import('../../src/dns/network.js');
      const { toMailauthResolver } = await import('../../src/dns/adapters/mailauth.js');
      const resolver = toMailauthResolver(
        networkResolver({ servers: [{ host: knot.host, port: knot.port }], timeoutMs: 2000 }),
      );
      const result = await dkimVerify(message, { resolver } as never);
      expect(result.results.map((x: { status: { result: string } }) => x.status.result)).toEqual(['pass']);
    },
  );

  it.each(['rsa', 'ed25519'] as const)(
    'mailauth signs with the %s key; python3-dkim verifies it against knot',
    async (type) => {
      const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
      // One clock reading (signTime): without it mailauth can sign a t= it does not write (a flaky fail).
      const signed = await dkimSign(MESSAGE, {
        signTime: new Date(),
        signatureData: [
          {
            signingDomain: 'keygen.test',
            selector: type,
            privateKey: keys[type].pem,
            algorithm: type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
          },
        ],
      } as never);
      const r = await run(
        PYTHON,
        ['-c', PY],
        JSON.stringify({ op: 'verify', message: signed.signatures + MESSAGE, port: knot.port }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ pass: true });
    },
  );

  it('Mail::DKIM verifies an RSA signature made with the generated key, fetching the record from knot', async () => {
    const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
    const signed = await dkimSign(MESSAGE, {
      signTime: new Date(),
      signatureData: [
        { signingDomain: 'keygen.test', selector: 'rsa', privateKey: keys.rsa.pem, algorithm: 'rsa-sha256' },
      ],
    } as never);
    const r = await run('/usr/bin/perl', ['-e', PERL, String(knot.port)], signed.signatures + MESSAGE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('pass');
    // And a tampered body fails, so the pass above means something.
    const bad = await run(
      '/usr/bin/perl',
      ['-e', PERL, String(knot.port)],
      signed.signatures + MESSAGE.replace('Hello', 'Hullo'),
    );
    expect(bad.stdout.trim()).toBe('fail');
  });
});
