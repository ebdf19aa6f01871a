// What send trusts (issue #13 item 6): the certificate under --tls require (reported) and --tls verify (enforced),
// and MX addresses that DNS points at loopback, link-local, private or reserved space (refused).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Context } from '../../../src/core/context.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { parseMailbox } from '../../../src/send/address.js';
import { sendMessage, type SendOptions } from '../../../src/send/check.js';
import { mxRoute } from '../../../src/send/route.js';
import { generateCertificate, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../helpers/smtp-peer.js';
import { zoneOf } from '../../helpers/zones.js';

const DAY = 86_400_000;
const ca = generateCertificate({ cn: 'mailcheck send CA', isCa: true });
const good = generateCertificate({ cn: 'mx.trust.test', ca, days: 60 });
const wrongName = generateCertificate({ cn: 'other.example', ca, days: 60 });
const forIp = generateCertificate({ cn: 'loopback', altNames: ['127.0.0.1'], ca, days: 60 });
const selfSigned = generateCertificate({ cn: 'mx.trust.test', days: 60 });
const issued = Date.parse(new X509Certificate(good.cert).validFrom);
afterAll(() => [ca, good, wrongName, forIp, selfSigned].forEach((c) => c.cleanup()));

const zone = zoneOf`$ORIGIN trust.test.
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx
mx A 127.0.0.1
metadata MX 10 imds
imds A 169.254.169.254
internal MX 10 mx10
internal MX 20 mx6
mx10 A 10.0.0.5
mx6 AAAA fd00::25
mixed MX 10 mx10
mixed MX 20 public
public A 198.51.100.25
public A 8.8.8.8
`;

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
async function peer(o: SmtpPeerOptions = {}) {
  const p = await startSmtpPeer({ hostname: 'mx.trust.test', ...o });
  peers.push(p);
  return p;
}
function ctx(now = issued + DAY): Context {
  return { resolver: layered([zone], offlineResolver()), timeoutMs: 1000, now: () => new Date(now), onEvent: () => {} };
}
async function send(to: string, o: SendOptions, c = ctx()) {
  const r = await sendMessage(
    { from: parseMailbox('alice@example.test', '--from'), to: [parseMailbox(to, '--to')], subject: 's', body: 'b' },
    c,
    { random: () => 'fixed', ...o },
  );
  return { r, ids: r.findings.map((f) => f.id), code: exitCode([r]) };
}
const mailSent = (p: SmtpPeer) => p.sessions.flat().some((l) => /^MAIL /i.test(l));

/** A CA and a leaf as 2005 made them: 1024-bit RSA keys and SHA-1 signatures (openssl still writes them). */
function weakChain(cn: string): { ca: string; leaf: { cert: string; key: string }; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mc-weak-'));
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(
    f('ext.cnf'),
    `[req]\ndistinguished_name=dn\n[dn]\n[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n[leaf]\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${cn}\n`,
  );
  const key = ['-newkey', 'rsa:1024', '-nodes', '-sha1', '-config', f('ext.cnf')];
  run([
    'req',
    '-x509',
    ...key,
    '-extensions',
    'ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '30',
    '-subj',
    '/CN=weak CA',
  ]);
  run(['req', '-new', ...key, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=${cn}`]);
  run([
    'x509',
    '-req',
    '-sha1',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    f('ext.cnf'),
    '-extensions',
    'leaf',
    '-out',
    f('leaf.pem'),
  ]);
  const read = (n: string) => readFileSync(f(n), 'utf8');
  return {
    ca: read('ca.pem'),
    leaf: { cert: read('leaf.pem'), key: read('leaf.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('send --tls require: encrypted, and says when the certificate does not authenticate the server', () => {
  it('a self-signed certificate for another name: delivered (exit 0) with a warning naming both problems', async () => {
    const p = await peer({ tls: selfSigned });
    const { r, ids, code } = await send('bob@trust.test', { server: { host: p.host, port: p.port }, tls: 'require' });
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered', 'send.tls.unverified']);
    const warn = r.findings.find((f) => f.id === 'send.tls.unverified')!;
    expect(warn.severity).toBe('warn');
    expect(warn.message).toMatch(/it is for mx\.trust\.test, not 127\.0\.0\.1; it is self-signed/);
    expect(r.tls).toMatchObject({ mode: 'require', encrypted: true, verified: false });
    expect(r.sessions[0]).toMatchObject({
      tls: { verified: false },
      certificate: { subject: 'CN=mx.trust.test', selfSigned: true, hostnameMatch: false, trusted: false },
    });
    expect(p.messages).toHaveLength(1);
  });

  it('an expired certificate (judged at ctx.now()) is reported too', async () => {
    const p = await peer({ tls: good });
    const { r, ids } = await send(
      'bob@trust.test',
      { server: { host: p.host, port: p.port }, tls: 'require', ca: [ca.cert] },
      ctx(issued + 61 * DAY),
    );
    expect(ids).toEqual(['send.delivered', 'send.tls.unverified']);
    expect(r.findings[1]!.message).toMatch(
      /it expired on \d{4}-\d\d-\d\d; it is for mx\.trust\.test, not 127\.0\.0\.1/,
    );
  });

  it('opportunistic STARTTLS (the default) reports the verdict in JSON only: no finding, as RFC 7435 intends', async () => {
    const p = await peer({ tls: selfSigned });
    const { r, ids } = await send('bob@trust.test', { server: { host: p.host, port: p.port } });
    expect(ids).toEqual(['send.delivered']);
    expect(r.tls.verified).toBe(false);
  });
});

describe('send --tls verify: a chain to a trusted CA (or --ca) and the host name, or nothing is sent', () => {
  it('through MX: a certificate for the MX name from the given CA is accepted', async () => {
    const p = await peer({ tls: good });
    const { r, ids, code } = await send('bob@trust.test', {
      port: p.port,
      tls: 'verify',
      ca: [ca.cert],
      allowPrivate: true,
    });
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered']);
    expect(r.findings[0]!.message).toMatch(/over TLSv1\.3 \(certificate verified\)/);
    expect(r.tls).toMatchObject({ mode: 'verify', encrypted: true, verified: true });
    expect(r.delivered[0]!.tls).toMatchObject({ verified: true });
  });

  it('without the CA (not in the system store): not sent, exit 1, no MAIL FROM', async () => {
    const p = await peer({ tls: good });
    const { r, ids, code } = await send('bob@trust.test', { port: p.port, tls: 'verify', allowPrivate: true });
    expect(code).toBe(1);
    expect(ids).toEqual(['send.tls.verify-failed']);
    expect(r.rejected[0]).toMatchObject({ reason: 'tls-unverified', temporary: false });
    expect(r.rejected[0]!.response).toMatch(/chain does not lead to a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    expect(r.tls.verified).toBeNull();
    expect(mailSent(p)).toBe(false);
    expect(p.messages).toHaveLength(0);
  });

  it('a chain that verifies only at OpenSSL security level 0 (SHA-1 signatures, 1024-bit RSA) is refused', async () => {
    const weak = weakChain('mx.trust.test');
    try {
      const p = await peer({ tls: weak.leaf });
      const { r, ids, code } = await send('bob@trust.test', {
        port: p.port,
        tls: 'verify',
        ca: [weak.ca],
        allowPrivate: true,
      });
      expect(ids).toEqual(['send.tls.verify-failed']);
      expect(code).toBe(1);
      // OpenSSL at level 2 refuses the chain (it names no finer reason than UNSPECIFIED here).
      expect(r.rejected[0]!.response).toMatch(/its chain does not lead to a trusted CA/);
      expect(mailSent(p)).toBe(false);
    } finally {
      weak.cleanup();
    }
  });

  it('a trusted chain for another name is refused (RFC 6125): the MX name must match', async () => {
    const p = await peer({ tls: wrongName });
    const { r, ids } = await send('bob@trust.test', { port: p.port, tls: 'verify', ca: [ca.cert], allowPrivate: true });
    expect(ids).toEqual(['send.tls.verify-failed']);
    expect(r.rejected[0]!.response).toMatch(/it is for other\.example, not mx\.trust\.test/);
    expect(mailSent(p)).toBe(false);
  });

  it('self-signed and expired are refused', async () => {
    const self = await peer({ tls: selfSigned });
    const a = await send('bob@trust.test', { port: self.port, tls: 'verify', allowPrivate: true });
    expect(a.r.rejected[0]!.response).toMatch(/it is self-signed/);
    const old = await peer({ tls: good });
    const b = await send(
      'bob@trust.test',
      { port: old.port, tls: 'verify', ca: [ca.cert], allowPrivate: true },
      ctx(issued + 61 * DAY),
    );
    expect(b.r.rejected[0]!.response).toMatch(/it expired on/);
    expect([self, old].some(mailSent)).toBe(false);
  });

  it('--server <ip>: the address is matched against IP SANs', async () => {
    const p = await peer({ tls: forIp });
    const { ids, code } = await send('bob@trust.test', {
      server: { host: p.host, port: p.port },
      tls: 'verify',
      ca: [ca.cert],
    });
    expect(code).toBe(0);
    expect(ids).toEqual(['send.delivered']);
  });

  it('a server without STARTTLS: not sent in clear', async () => {
    const p = await peer();
    const { r, ids } = await send('bob@trust.test', { server: { host: p.host, port: p.port }, tls: 'verify' });
    expect(ids).toEqual(['send.tls.required']);
    expect(r.rejected[0]!.response).toMatch(/does not offer STARTTLS; not sending in clear \(--tls verify\)/);
  });

  it('on a TLS-first port (465; the CLI sets implicitTls) verify starts TLS before the greeting', async () => {
    const p = await peer({ tls: forIp, implicitTls: true });
    const { r, ids } = await send('bob@trust.test', {
      server: { host: p.host, port: p.port },
      tls: 'verify',
      ca: [ca.cert],
      implicitTls: true,
    });
    expect(ids).toEqual(['send.delivered']);
    expect(r.tls).toMatchObject({ encrypted: true, verified: true });
    expect(p.sessions[0]![0]).toMatch(/^EHLO /);
  });
});

describe('send refuses MX addresses that are not public, unless --allow-private', () => {
  it('an MX at 169.254.169.254 (cloud metadata) or 10.0.0.5 / fd00::25: not tried, exit 1, one finding each', async () => {
    for (const [to, shown] of [
      ['x@metadata.trust.test', /imds\.trust\.test \[169\.254\.169\.254\] linkLocal/],
      ['x@internal.trust.test', /mx10\.trust\.test \[10\.0\.0\.5\] private, mx6\.trust\.test \[fd00::25\] uniqueLocal/],
    ] as const) {
      const { r, ids, code } = await send(to, {});
      expect(code).toBe(1);
      expect(ids).toEqual(['send.route.private']);
      expect(r.findings[0]!.message).toMatch(shown);
      expect(r.findings[0]!.message).toMatch(/--allow-private/);
      expect(r.sessions).toEqual([]);
      expect(r.rejected[0]).toMatchObject({ reason: 'private', temporary: false });
    }
  });

  it('an MX on loopback is refused; --allow-private delivers there', async () => {
    const p = await peer();
    const refused = await send('bob@trust.test', { port: p.port, tls: 'none' });
    expect(refused.ids).toEqual(['send.route.private']);
    expect(p.sessions).toEqual([]);
    const allowed = await send('bob@trust.test', { port: p.port, tls: 'none', allowPrivate: true });
    expect(allowed.ids).toEqual(['send.delivered']);
    expect(allowed.r.routes[0]!.refused).toBeUndefined();
  });

  it('--server stays an explicit target, loopback or not', async () => {
    const p = await peer();
    const { ids } = await send('bob@trust.test', { server: { host: '127.0.0.1', port: p.port }, tls: 'none' });
    expect(ids).toEqual(['send.delivered']);
  });

  it('the route keeps the public addresses and lists the skipped ones (no connection made here)', async () => {
    const { route } = await mxRoute('mixed.trust.test', ['x@mixed.trust.test'], 25, ctx());
    expect(route.problem).toBeUndefined();
    expect(route.refused).toEqual([
      { exchange: 'mx10.trust.test', address: '10.0.0.5', range: 'private' },
      { exchange: 'public.trust.test', address: '198.51.100.25', range: 'reserved' },
    ]);
    const all = await mxRoute('mixed.trust.test', ['x@mixed.trust.test'], 25, ctx(), { allowPrivate: true });
    expect(all.route.refused).toBeUndefined();
  });
});
