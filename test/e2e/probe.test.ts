import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { generateCertificate, startSmtpPeer, type GeneratedCert, type SmtpPeer } from '../helpers/smtp-peer.js';

// Text reports wrap at 80 columns in a pipe; these tests read whole report lines, so ask for a wide one.
const WIDE = { env: { COLUMNS: '200' } };

const ZONE = ['--offline', '--zone', 'fixtures/zones/smtp.test.zone'];
let ca: GeneratedCert;
let cert: GeneratedCert;
let peer: SmtpPeer;
let caFile: string;

beforeAll(async () => {
  ca = generateCertificate({ cn: 'mailcheck e2e CA', isCa: true });
  cert = generateCertificate({ cn: 'mx1.smtp.test', altNames: ['mx1.smtp.test', 'mx-dual.smtp.test'], ca });
  peer = await startSmtpPeer({ hostname: 'mx1.smtp.test', tls: cert });
  caFile = join(mkdtempSync(join(tmpdir(), 'mc-e2e-')), 'ca.pem');
  writeFileSync(caFile, ca.cert);
});
afterAll(async () => {
  await peer.close();
  ca.cleanup();
  cert.cleanup();
});

describe('mailcheck probe (CLI)', () => {
  it('resolves MX, probes the best host and prints the contract JSON (exit 0)', async () => {
    const r = await runCli([
      'probe',
      'smtp.test',
      ...ZONE,
      '--port',
      String(peer.port),
      '--ca',
      caFile,
      '--helo',
      'client.test',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ target: 'smtp.test', port: peer.port });
    expect(j.hosts).toHaveLength(1);
    const h = j.hosts[0];
    expect(h).toMatchObject({
      exchange: 'mx1.smtp.test',
      address: '127.0.0.1',
      connected: true,
      banner: '220 mx1.smtp.test ESMTP mailcheck-peer',
      ehlo: { hostname: 'mx1.smtp.test', extensions: expect.arrayContaining(['STARTTLS', 'PIPELINING']) },
      tls: {
        offered: true,
        ok: true,
        protocol: 'TLSv1.3',
        cipher: expect.any(String),
        certificate: {
          subject: 'CN=mx1.smtp.test',
          issuer: 'CN=mailcheck e2e CA',
          altNames: ['mx1.smtp.test', 'mx-dual.smtp.test'],
          selfSigned: false,
          hostnameMatch: true,
          trusted: true,
        },
      },
    });
    expect(h.timings).toEqual({
      connectMs: expect.any(Number),
      bannerMs: expect.any(Number),
      ehloMs: expect.any(Number),
      tlsMs: expect.any(Number),
    });
    expect(h.transcript.slice(0, 2)).toEqual([
      { dir: 'S', line: '220 mx1.smtp.test ESMTP mailcheck-peer' },
      { dir: 'C', line: 'EHLO client.test' },
    ]);
    expect(j.findings.map((f: { id: string }) => f.id)).toEqual(['probe.tls.ok', 'probe.host.ok']);
    expect(r.code).toBe(0);
  });

  it('prints steps, certificate and (with --transcript) the transcript as text, without colour or control characters', async () => {
    const r = await runCli([
      'probe',
      'smtp.test',
      ...ZONE,
      '--port',
      String(peer.port),
      '--ca',
      caFile,
      '--transcript',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SMTP probe of smtp.test  ✓ passed');
    expect(r.stdout).toMatch(/✓ greeting +220 mx1\.smtp\.test ESMTP mailcheck-peer/);
    expect(r.stdout).toMatch(/✓ TLS +TLSv1\.3/);
    expect(r.stdout).toContain('issuer   CN=mailcheck e2e CA');
    expect(r.stdout).toContain('C: STARTTLS');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    // By default (brief) the transcript is left out, and the last line says how to get it.
    const brief = await runCli(['probe', 'smtp.test', ...ZONE, '--port', String(peer.port), '--ca', caFile]);
    expect(brief.stdout).toMatch(/✓ TLS +TLSv1\.3/);
    expect(brief.stdout).not.toContain('C: STARTTLS');
    expect(brief.stdout.replace(/\s+/g, ' ')).toMatch(
      /Not shown: .*the SMTP transcript; --transcript adds the conversation/,
    );
  });

  it('falls back from a refused best MX; --all probes every address (IPv4 and IPv6) and shows a table', async () => {
    const fb = await runCli([
      'probe',
      'backup.smtp.test',
      ...ZONE,
      '--port',
      String(peer.port),
      '--ca',
      caFile,
      '--json',
    ]);
    const j = JSON.parse(fb.stdout);
    expect(j.hosts.map((h: { exchange: string; connected: boolean }) => [h.exchange, h.connected])).toEqual([
      ['mx2.smtp.test', false],
      ['mx1.smtp.test', true],
    ]);
    expect(fb.code).toBe(0);
    const all = await runCli(
      ['probe', 'dual.smtp.test', ...ZONE, '--port', String(peer.port), '--ca', caFile, '--all'],
      WIDE,
    );
    expect(all.stdout).toMatch(/│.*mx-dual\.smtp\.test.*│ 127\.0\.0\.1 /);
    expect(all.stdout).toMatch(/│.*mx-dual\.smtp\.test.*│ ::1 /);
    // Nothing listens on [::1]:port: refused (or no IPv6 here): no verdict for that address → exit 3.
    expect(all.code).toBe(3);
    const allJson = JSON.parse(
      (
        await runCli([
          'probe',
          'dual.smtp.test',
          ...ZONE,
          '--port',
          String(peer.port),
          '--ca',
          caFile,
          '--all',
          '--json',
        ])
      ).stdout,
    );
    expect(allJson.hosts.map((h: { address: string }) => h.address).sort()).toEqual(['127.0.0.1', '::1']);
  });

  it('exits 3 when nothing can be reached, 1 for a null MX', async () => {
    const down = await runCli(['probe', 'down.smtp.test', ...ZONE, '--port', String(peer.port), '--json']);
    expect(down.code).toBe(3);
    expect(JSON.parse(down.stdout).findings[0]).toMatchObject({ id: 'probe.connect.refused', temporary: true });
    const nul = await runCli(['probe', 'nullmx.smtp.test', ...ZONE, '--json']);
    expect(nul.code).toBe(1);
    expect(JSON.parse(nul.stdout)).toMatchObject({ hosts: [], findings: [{ id: 'probe.target.null-mx' }] });
  });

  it('a garbage greeting is escaped in the report and gives exit 1, not a crash', async () => {
    const bad = await startSmtpPeer({ mode: 'garbage-banner' });
    try {
      const r = await runCli(['probe', '127.0.0.1', '--offline', '--port', String(bad.port), '--transcript']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('[probe.protocol.malformed]');
      expect(r.stdout).toContain('\\x1b[31mHELLO\\x07');
      expect(r.stdout).not.toContain('\x1b');
      expect(r.stdout).not.toContain('\x07');
    } finally {
      await bad.close();
    }
  });

  it('--verbose shows every SMTP line live on stderr; stdout stays JSON', async () => {
    const r = await runCli([
      'probe',
      '127.0.0.1',
      '--offline',
      '--port',
      String(peer.port),
      '--ca',
      caFile,
      '--json',
      '-v',
    ]);
    JSON.parse(r.stdout);
    expect(r.stderr).toMatch(/^S: 220 mx1\.smtp\.test/m);
    expect(r.stderr).toMatch(/^C: STARTTLS$/m);
  });

  it('--relay-test reports an open relay (exit 1)', async () => {
    const r = await runCli([
      'probe',
      'smtp.test',
      ...ZONE,
      '--port',
      String(peer.port),
      '--ca',
      caFile,
      '--relay-test',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.hosts[0].relay).toMatchObject({ accepted: true, rcptTo: 'mailcheck-relay-test@example.net' });
    expect(j.findings.map((f: { id: string }) => f.id)).toContain('probe.relay.open');
  });

  it.each([
    [['probe', 'smtp.test', '--port', 'x'], /--port 'x' is not a port number/],
    [['probe', 'smtp.test', '--port', '70000'], /--port '70000'/],
    [['probe', 'smtp.test', '--tls', 'maybe'], /--tls.*maybe.*invalid|Allowed choices/i],
    [['probe', 'not a domain'], /not a valid domain name/],
    [['probe', 'smtp.test', '--ca', 'fixtures/zones/smtp.test.zone'], /holds no PEM certificate/],
    [['probe', 'smtp.test', '--ca', 'missing.pem'], /cannot read --ca file 'missing.pem': no such file$/m],
    [['probe', 'smtp.test', '--helo', 'bad name!'], /--helo/],
    [['probe', 'smtp.test', '--relay-test', '--relay-to', 'nobody'], /--relay-to/],
    [['probe', 'smtp.test', '--tls-audit', '--budget', '5s'], /--budget '5s' is not a whole number of milliseconds/],
  ])('exits 2 with one clear line for bad input: %j', async (args, message) => {
    const r = await runCli([...args, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('mailcheck probe --tls-audit (CLI)', () => {
  it('text: the probe, then one table per host (test · verdict · detail) and the summary line', async () => {
    const r = await runCli(
      ['probe', 'smtp.test', ...ZONE, '--port', String(peer.port), '--ca', caFile, '--tls-audit', '--no-transcript'],
      WIDE,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^TLS audit of mx1\.smtp\.test \[127\.0\.0\.1\]:\d+ {2}\d+ handshakes, \d+\.\d s$/m);
    expect(r.stdout).toMatch(/│ Test +│ Verdict +│ Detail +│/);
    expect(r.stdout).toMatch(/│ TLS versions +│ ! phase-out +│ offered: TLS 1\.3, TLS 1\.2, TLS 1\.1, TLS 1\.0;/);
    expect(r.stdout).toMatch(/│ Certificate name +│ ✓ good +│ covers mx1\.smtp\.test/);
    expect(r.stdout).toMatch(/^[!✗] TLS of mx1\.smtp\.test: \d+ phase-out, \d+ insufficient$/m);
    expect(r.stdout).toMatch(/Not tested \(the local OpenSSL [\d.]+ cannot offer them\): SSL 3, SSL 2, 12 suites/);
    expect(r.stdout).toMatch(/TLS versions of mx1\.smtp\.test \[127\.0\.0\.1\]:\d+: phase-out — .*\[tls\.versions\]/);
  }, 60_000);

  it('JSON: hosts[].tlsAudit with every test, and the number of handshakes', async () => {
    const r = await runCli([
      'probe',
      'smtp.test',
      ...ZONE,
      '--port',
      String(peer.port),
      '--ca',
      caFile,
      '--tls-audit',
      '--json',
    ]);
    const a = JSON.parse(r.stdout).hosts[0].tlsAudit;
    expect(Object.keys(a)).toEqual(
      expect.arrayContaining([
        'versions',
        'ciphers',
        'serverOrder',
        'groups',
        'renegotiation',
        'verdict',
        'handshakes',
        'tests',
        'summary',
      ]),
    );
    expect(a.versions[0]).toEqual({ version: 'TLSv1.3', offered: true, verdict: 'good' });
    expect(a.ciphers[0]).toMatchObject({
      name: 'TLS_AES_256_GCM_SHA384',
      version: 'TLSv1.3',
      offered: true,
      verdict: 'good',
    });
    expect(a.handshakes).toBeGreaterThan(10);
    // The peer takes TLS 1.0 (Node's test server at @SECLEVEL=0): phase-out, a warning, and more; never a crash.
    expect(r.code).toBe(1);
  }, 60_000);
});
