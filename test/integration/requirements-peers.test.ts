// The bulk-sender verdict against independent peers: newsletters DKIM-signed by python3-dkim (Debian) with and
// without List-Unsubscribe/List-Unsubscribe-Post in h=, delivered by swaks over STARTTLS or in clear to our receiver
// (--bulk), then judged again by `verify` from the stored file, reading the connection from our Received: field.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { layered, offlineResolver } from '../../src/dns/layered.js';
import { parseZone } from '../../src/dns/zone/parse.js';
import { selfSignedCertificate } from '../../src/receive/self-signed.js';
import type { Requirement } from '../../src/verify/requirements/types.js';
import { verifyMessage } from '../../src/verify/verdict.js';
import { runCli } from '../helpers/cli.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';

const exec = promisify(execFile);
const PYTHON = '/usr/bin/python3';
async function missingPeers(): Promise<string | undefined> {
  for (const [cmd, args, pkg] of [
    [PYTHON, ['-c', 'import dkim'], 'python3-dkim'],
    ['swaks', ['--version'], 'swaks'],
  ] as const) {
    const ok = await exec(cmd, [...args]).then(
      () => true,
      () => false,
    );
    if (!ok) return `${pkg} not installed (Debian: apt-get install python3-dkim swaks)`;
  }
  return undefined;
}
const missing = await missingPeers();
const suite = missing && !process.env.CI ? describe.skip : describe;

const PY_SIGN = `
import sys, dkim
msg = sys.stdin.buffer.read()
keyfile, headers = sys.argv[1], sys.argv[2]
sig = dkim.sign(msg, b'nl', b'news.test', open(keyfile, 'rb').read(), canonicalize=(b'relaxed', b'relaxed'),
                include_headers=[h.encode() for h in headers.split(':')])
sys.stdout.buffer.write(sig + msg)
`;

const dir = mkdtempSync(join(tmpdir(), 'mc-requirements-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(dir, 'nl.pem');
writeFileSync(keyFile, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
const p = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const zoneText = [
  '$ORIGIN news.test.',
  '$TTL 300',
  '@ SOA ns hostmaster 1 3600 600 604800 300',
  '@ TXT "v=spf1 ip4:127.0.0.0/8 -all"',
  '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@news.test"',
  'mail A 127.0.0.1',
  `nl._domainkey TXT ( ${(`v=DKIM1; k=rsa; p=${p}`.match(/.{1,200}/g) ?? []).map((s) => `"${s}"`).join(' ')} )`,
  '',
].join('\n');
const reverseText =
  '$ORIGIN 0.0.127.in-addr.arpa.\n$TTL 300\n@ SOA ns.news.test. h.news.test. 1 3600 600 604800 300\n1 PTR mail.news.test.\n';
const resolver = layered([parseZone(zoneText), parseZone(reverseText)], offlineResolver());
writeFileSync(join(dir, 'news.test.zone'), zoneText);
writeFileSync(join(dir, 'reverse.zone'), reverseText);

const NEWSLETTER = [
  'From: News <news@news.test>',
  'To: bob@example.net',
  'Subject: Week 48',
  'Date: Sat, 29 Nov 2025 10:00:00 +0000',
  'Message-ID: <week48@news.test>',
  'List-Unsubscribe: <mailto:unsub@news.test?subject=unsubscribe>, <https://news.test/u/opaque-7f3a>',
  'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'This week: nothing new.',
  '',
].join('\r\n');
const BASE = 'from:to:subject:date:message-id:mime-version:content-type';

async function pythonSign(file: string, headers: string, message = NEWSLETTER): Promise<string> {
  const { stdout } = await new Promise<{ stdout: Buffer }>((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', PY_SIGN, keyFile, headers], { encoding: 'buffer' }, (e, out) =>
      e ? reject(e) : resolve({ stdout: out }),
    );
    child.stdin!.end(message);
  });
  const path = join(dir, file);
  writeFileSync(path, stdout);
  return path;
}

async function swaks(port: number, data: string, tls: boolean): Promise<void> {
  await exec('swaks', [
    '--server',
    `127.0.0.1:${port}`,
    '--helo',
    'mail.news.test',
    '--from',
    'bounce@news.test',
    '--to',
    'bob@example.net',
    '--data',
    `@${data}`,
    ...(tls ? ['--tls'] : []),
  ]);
}

const byId = <T extends Pick<Requirement, 'id'>>(rs: readonly T[]) => Object.fromEntries(rs.map((r) => [r.id, r]));

suite('the bulk-sender verdict with python3-dkim and swaks', () => {
  let r: TestReceiver | undefined;
  beforeAll(() => {
    if (missing) throw new Error(missing);
  });
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it('signed with both unsubscribe fields in h=, over STARTTLS: every bulk-sender rule met', async () => {
    const file = await pythonSign('both.eml', `${BASE}:list-unsubscribe:list-unsubscribe-post`);
    r = await startTestReceiver({ tls: 'starttls', bulk: true, ...selfSignedCertificate('mx.mail.test') }, resolver);
    await swaks(r.port, file, true);
    const [m] = await r.waitFor(1);
    expect(m).toMatchObject({
      tls: true,
      auth: { spf: { result: 'pass' }, dkim: [{ result: 'pass', domain: 'news.test' }], dmarc: { result: 'pass' } },
      requirementsVerdict: { profile: 'bulk', result: 'pass', failed: [] },
    });
    expect(byId(m!.requirements)['unsubscribe.one-click']).toMatchObject({
      result: 'pass',
      reason: 'https URI and One-Click, both signed by d=news.test (RFC 8058)',
    });
    // The stored file judged again: connection from our Received:, same verdict.
    const v = await verifyMessage(
      readFileSync(m!.file),
      { authservId: 'mx.mail.test', bulk: true },
      { resolver, now: () => new Date() },
    );
    expect(v.connection).toMatchObject({ source: 'received', ip: '127.0.0.1', helo: 'mail.news.test', tls: true });
    expect(v.requirementsVerdict).toEqual(m!.requirementsVerdict);
  });

  it('signed without them, or with List-Unsubscribe only: one-click fails, and says why', async () => {
    const none = await pythonSign('none.eml', BASE);
    const luOnly = await pythonSign('lu-only.eml', `${BASE}:list-unsubscribe`);
    r = await startTestReceiver({ tls: 'starttls', bulk: true, ...selfSignedCertificate('mx.mail.test') }, resolver);
    await swaks(r.port, none, true);
    await swaks(r.port, luOnly, true);
    const [a, b] = await r.waitFor(2);
    for (const m of [a!, b!]) {
      expect(m.auth.dkim[0]).toMatchObject({ result: 'pass' });
      expect(m.requirementsVerdict).toEqual({
        profile: 'bulk',
        result: 'fail',
        failed: ['unsubscribe.one-click'],
        advice: [],
      });
      expect(byId(m.requirements)['unsubscribe.one-click']!.reason).toBe(
        'https URI and One-Click present, but no passing DKIM signature has both List-Unsubscribe and List-Unsubscribe-Post in h= (RFC 8058 §4)',
      );
    }
  });

  it('the unsubscribe link changed after signing (a forger redirecting the click), in clear', async () => {
    const signed = readFileSync(
      await pythonSign('both2.eml', `${BASE}:list-unsubscribe:list-unsubscribe-post`),
      'latin1',
    );
    const forged = join(dir, 'forged.eml');
    writeFileSync(forged, signed.replace('https://news.test/u/opaque-7f3a', 'https://evil.test/x'), 'latin1');
    r = await startTestReceiver({ bulk: true }, resolver);
    await swaks(r.port, forged, false);
    const [m] = await r.waitFor(1);
    const req = byId(m!.requirements);
    expect(m!.auth.dkim[0]).toMatchObject({ result: 'fail' });
    expect(req['unsubscribe.one-click']).toMatchObject({ result: 'fail' });
    expect(req['unsubscribe.one-click']!.reason).toContain(
      'the DKIM signature covering them (d=news.test) did not verify (fail)',
    );
    expect(req['auth.spf-and-dkim']).toMatchObject({ result: 'fail' });
    expect(req['transport.tls']).toMatchObject({ result: 'fail', reason: 'delivered in clear, without STARTTLS' });
    expect(m!.requirementsVerdict.failed).toEqual(['auth.spf-and-dkim', 'transport.tls', 'unsubscribe.one-click']);
  });

  it('the CLI: verify --bulk --strict of python3-dkim newsletters, exit 0 when met and 1 when not', async () => {
    const dns = ['--offline', '--zone', join(dir, 'news.test.zone'), '--zone', join(dir, 'reverse.zone')];
    const conn = ['--ip', '127.0.0.1', '--helo', 'mail.news.test', '--sender', 'bounce@news.test'];
    const ok = await pythonSign('cli-ok.eml', `${BASE}:list-unsubscribe:list-unsubscribe-post`);
    const bad = await pythonSign('cli-bad.eml', BASE);
    // Without our Received: field TLS is unknown (not-applicable): it does not count against the message.
    expect((await runCli(['verify', ok, ...conn, '--bulk', '--strict', ...dns])).code).toBe(0);
    const r2 = await runCli(['verify', bad, ...conn, '--bulk', '--strict', '--json', ...dns]);
    expect(r2.code).toBe(1);
    expect(JSON.parse(r2.stdout).requirementsVerdict).toEqual({
      profile: 'bulk',
      result: 'fail',
      failed: ['unsubscribe.one-click'],
      advice: [],
    });
    // Without --strict the contract's exit code stands: DMARC passes, exit 0.
    expect((await runCli(['verify', bad, ...conn, '--bulk', ...dns])).code).toBe(0);
  });
});
