// send against a real Postfix (Debian) with STARTTLS: the message arrives in its Maildir; then two independent
// DKIM verifiers — python3-dkim (dkimpy) and Mail::DKIM — check our rsa and ed25519 signatures, the public keys
// served over DNS by our embedded server.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseZone } from '../../src/dns/zone/parse.js';
import { zoneResolver } from '../../src/dns/zone/resolver.js';
import { startDnsServer, type RunningDnsServer } from '../../src/dns/server.js';
import { runCli } from '../helpers/cli.js';
import { findKnotd, startKnot } from '../helpers/knot.js';
import { postfixUnavailable, startPostfix, type RunningPostfix } from '../helpers/postfix.js';
import { generateCertificate, type GeneratedCert } from '../helpers/smtp-peer.js';

const exec = promisify(execFile);
const PYTHON = '/usr/bin/python3';

async function missingPeers(): Promise<string | undefined> {
  const why = postfixUnavailable();
  if (why) return why;
  const checks: [string, string[], string][] = [
    [PYTHON, ['-c', 'import dkim, nacl, dns.resolver'], 'python3-dkim and python3-nacl'],
    ['perl', ['-MMail::DKIM::Verifier', '-MNet::DNS', '-e1'], 'libmail-dkim-perl'],
    ['openssl', ['version'], 'openssl'],
  ];
  for (const [cmd, args, pkg] of checks) {
    try {
      await exec(cmd, args);
    } catch {
      return `${pkg} not installed`;
    }
  }
  return undefined;
}

const missing = await missingPeers();

/** Mail::DKIM verifies Ed25519 from the version that ships Mail::DKIM::Algorithm::ed25519_sha256 (RFC 8463). */
async function mailDkimHasEd25519(): Promise<boolean> {
  return exec('perl', ['-MMail::DKIM::Algorithm::ed25519_sha256', '-e1']).then(
    () => true,
    () => false,
  );
}
const suite = missing && !process.env.CI ? describe.skip : describe;

const PY_VERIFY = `
import sys, dkim, dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ['127.0.0.1']
r.port = int(sys.argv[1])
def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    try:
        ans = r.resolve(name.rstrip('.'), 'TXT', lifetime=timeout)
    except Exception:
        return None
    return b''.join(ans[0].strings)
d = dkim.DKIM(open(sys.argv[2], 'rb').read())
try:
    ok = d.verify(dnsfunc=dnsfunc)
except dkim.DKIMException as e:
    print('fail', e)
    sys.exit(1)
print('pass' if ok else 'fail', (d.domain or b'').decode(), (d.selector or b'').decode(), (d.signature_fields.get(b'a') or b'').decode())
sys.exit(0 if ok else 1)
`;

const PERL_VERIFY = `
use strict; use Mail::DKIM::Verifier; use Mail::DKIM::DNS; use Net::DNS::Resolver;
my $res = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $ARGV[0], recurse => 0, udp_timeout => 5, tcp_timeout => 5);
Mail::DKIM::DNS::resolver($res);
my $dkim = Mail::DKIM::Verifier->new();
open(my $fh, '<', $ARGV[1]) or die;
while (<$fh>) { s/\\r?\\n\\z/\\r\\n/; $dkim->PRINT($_); }
$dkim->CLOSE;
my ($s) = $dkim->signatures;
print join(" ", $dkim->result, $s ? ($s->domain, $s->selector, $s->algorithm) : ()), "\\n"; print STDERR $dkim->result_detail, "\\n" if $dkim->result ne "pass";
exit($dkim->result eq 'pass' ? 0 : 1);
`;

suite('send to Postfix; DKIM checked by python3-dkim and Mail::DKIM', () => {
  let pf: RunningPostfix;
  let dns: RunningDnsServer;
  let ca: GeneratedCert;
  let cert: GeneratedCert;
  const dir = mkdtempSync(join(tmpdir(), 'mc-send-int-'));
  const caFile = join(dir, 'ca.pem');
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    if (missing) throw new Error(`send integration test needs Debian peers: ${missing}`);
    ca = generateCertificate({ cn: 'mailcheck integration CA', isCa: true });
    cert = generateCertificate({ cn: 'mx.postfix.test', ca, rsa: true });
    writeFileSync(caFile, ca.cert);
    pf = await startPostfix({
      tls: cert,
      hostname: 'mx.postfix.test',
      domains: ['postfix.test', 'smtp.test', 'backup.smtp.test'],
    });
    // Keys from our own keygen, published in a zone our DNS server serves to the verifiers.
    const lines: string[] = [];
    for (const type of ['rsa', 'ed25519']) {
      keys[type] = join(dir, `${type}.pem`);
      const kg = await runCli([
        'dkim',
        'keygen',
        '--domain',
        'sender.test',
        '--selector',
        type,
        '--type',
        type,
        '--out',
        keys[type]!,
        '--json',
        '--force',
      ]);
      if (kg.code !== 0) throw new Error(`keygen failed: ${kg.stderr}`);
      lines.push(JSON.parse(kg.stdout).zoneLine);
    }
    const zone = parseZone(
      `$ORIGIN sender.test.\n@ SOA ns hostmaster 1 3600 600 604800 300\n@ NS ns\nns A 127.0.0.1\n${lines.join('\n')}\n`,
    );
    dns = await startDnsServer({ resolver: zoneResolver([zone]) });
  });
  afterAll(async () => {
    await pf?.stop();
    await dns?.close();
    ca?.cleanup();
    cert?.cleanup();
  });

  const sendTo = async (extra: string[]) => {
    const before = (await pf.messages()).length;
    const r = await runCli([
      'send',
      '--from',
      'Alice Sender <alice@sender.test>',
      '--to',
      'bob@postfix.test',
      '--server',
      `127.0.0.1:${pf.port}`,
      '--ca',
      caFile,
      '--helo',
      'client.sender.test',
      '--subject',
      'Grüße from mailcheck',
      '--body',
      'Hello Postfix.\n.a line with a leading dot\nÜmlauts too.\n',
      '--json',
      '--offline',
      ...extra,
    ]);
    if (r.code !== 0) throw new Error(`send failed (${r.code}): ${r.stdout}\n${r.stderr}`);
    const j = JSON.parse(r.stdout);
    const messages = await pf.waitForMessages(before + 1);
    return { j, message: messages[before]! };
  };

  it("delivers over STARTTLS; the message arrives and the queue id matches Postfix's log", async () => {
    const { j, message } = await sendTo(['--tls', 'require']);
    expect(j.delivered).toMatchObject([
      {
        recipient: 'bob@postfix.test',
        port: pf.port,
        response: expect.stringMatching(/^250 2\.0\.0 Ok: queued as [0-9A-F]+$/),
      },
    ]);
    expect(j.tls).toMatchObject({ mode: 'require', encrypted: true, protocol: 'TLSv1.3' });
    expect(message.content).toMatch(/^Return-Path: <alice@sender\.test>/);
    expect(message.content).toContain('Delivered-To: bob@postfix.test');
    expect(message.content).toMatch(
      /Received: from client\.sender\.test \(unknown \[127\.0\.0\.1\]\)\s+\(using TLSv1\.3/,
    );
    expect(message.content).toContain(`Message-ID: ${j.messageId}`);
    expect(message.content).toContain('Subject: =?UTF-8?B?');
    expect(message.content).toContain('=2Ea line with a leading dot');
    const queueId = j.delivered[0].queueId;
    expect(await pf.log()).toMatch(new RegExp(`${queueId}: to=<bob@postfix\\.test>, relay=virtual.*status=sent`));
  });

  for (const type of ['rsa', 'ed25519']) {
    it(`${type}: our DKIM signature verifies with python3-dkim and Mail::DKIM${type === 'ed25519' ? ' (where it knows RFC 8463)' : ''}, after passing through Postfix`, async () => {
      const { j, message } = await sendTo(['--dkim-key', keys[type]!, '--dkim-selector', type]);
      expect(j.dkim).toMatchObject({
        signed: true,
        domain: 'sender.test',
        selector: type,
        algorithm: `${type}-sha256`,
      });
      const py = await exec(PYTHON, ['-c', PY_VERIFY, String(dns.port), message.file]).catch(
        (e) => e as { stdout: string; stderr: string; code: number },
      );
      expect(`${py.stdout}${py.stderr}`.trim()).toBe(`pass sender.test ${type} ${type}-sha256`);
      const pl = await exec('perl', ['-e', PERL_VERIFY, String(dns.port), message.file]).catch(
        (e) => e as { stdout: string; stderr: string },
      );
      if (type === 'ed25519' && !(await mailDkimHasEd25519())) {
        // Debian 12's Mail::DKIM (1.20230212) predates Ed25519 support: it must say exactly that, nothing worse.
        expect(`${pl.stdout}${pl.stderr}`.trim()).toBe(
          'invalid sender.test ed25519 ed25519-sha256\ninvalid (unsupported algorithm ed25519-sha256)',
        );
      } else {
        expect(`${pl.stdout}${pl.stderr}`.trim()).toBe(`pass sender.test ${type} ${type}-sha256`);
      }
    });
  }

  it('a broken signature fails in both verifiers (the checks can fail)', async () => {
    const { message } = await sendTo(['--dkim-key', keys.rsa!, '--dkim-selector', 'rsa']);
    const tampered = join(dir, 'tampered.eml');
    writeFileSync(tampered, message.content.replace('Hello Postfix.', 'Hello Postfix!'));
    await expect(exec(PYTHON, ['-c', PY_VERIFY, String(dns.port), tampered])).rejects.toMatchObject({
      stdout: expect.stringMatching(/^fail/),
    });
    await expect(exec('perl', ['-e', PERL_VERIFY, String(dns.port), tampered])).rejects.toMatchObject({
      stdout: expect.stringMatching(/^fail/),
    });
  });

  it('through MX over real DNS (Knot serving fixtures/zones/smtp.test.zone): best MX refused, the next one takes it', async () => {
    if (!findKnotd()) {
      if (process.env.CI) throw new Error('knotd not installed (Debian package knot)');
      return;
    }
    const knot = await startKnot(['fixtures/zones/smtp.test.zone']);
    try {
      const before = (await pf.messages()).length;
      const r = await runCli([
        'send',
        '--from',
        'alice@sender.test',
        '--to',
        'carol@backup.smtp.test',
        '--to',
        'dave@smtp.test',
        '--resolver',
        `127.0.0.1:${knot.port}`,
        '--port',
        String(pf.port),
        '--ca',
        caFile,
        // The fixture's MX hosts are on loopback (127.0.0.1, 127.0.0.2).
        '--allow-private',
        '--json',
      ]);
      expect(r.stderr).toBe('');
      const j = JSON.parse(r.stdout);
      expect(r.code).toBe(0);
      expect(j.delivered.map((d: { recipient: string; exchange: string }) => [d.recipient, d.exchange]).sort()).toEqual(
        [
          ['carol@backup.smtp.test', 'mx1.smtp.test'],
          ['dave@smtp.test', 'mx1.smtp.test'],
        ],
      );
      expect(
        j.sessions.map(
          (s: { exchange: string; address: string; outcome: string }) => `${s.exchange} ${s.address} ${s.outcome}`,
        ),
      ).toContain('mx2.smtp.test 127.0.0.2 unreachable');
      const got = (await pf.waitForMessages(before + 1))
        .slice(before)
        .map((m) => m.content)
        .join('\n');
      expect(got).toContain('Delivered-To: dave@smtp.test');
      expect(got).toContain('Delivered-To: carol@backup.smtp.test');
    } finally {
      await knot.stop();
    }
  });

  it('Postfix refuses to relay to an outside domain: exit 1 with its reply', async () => {
    const r = await runCli([
      'send',
      '--from',
      'alice@sender.test',
      '--to',
      'someone@elsewhere.test',
      '--server',
      `127.0.0.1:${pf.port}`,
      '--ca',
      caFile,
      '--json',
      '--offline',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).rejected).toMatchObject([
      { recipient: 'someone@elsewhere.test', response: expect.stringMatching(/^554 5\.7\.1 .*Relay access denied/) },
    ]);
  });
});
