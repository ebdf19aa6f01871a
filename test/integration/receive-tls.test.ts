// openssl s_client (Debian's OpenSSL, an independent TLS client) against `receive --tls` with an RSA certificate:
// the profile offers TLS 1.2 and 1.3 only and, on TLS 1.2, only ECDHE with an AEAD cipher — no static RSA key
// exchange, no CBC. The client is told to accept anything (SECLEVEL 0), so every refusal is the server's.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl } from '../helpers/test-ca.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';

const suite = !hasOpenssl() && !process.env.CI ? describe.skip : describe;
const dir = mkdtempSync(join(tmpdir(), 'mc-receive-tls-'));

/** One STARTTLS handshake; resolves with "protocol cipher" as s_client reports it, or null when it failed. */
function sClient(port: number, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const p = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-starttls', 'smtp', '-name', 'client.mail.test', ...args],
      { timeout: 10_000 },
      (_err, stdout) => {
        // "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"; "New, (NONE), Cipher is (NONE)" when it failed.
        const m = /^New, (TLSv1\.\d), Cipher is (\S+)/m.exec(stdout);
        resolve(m ? `${m[1]} ${m[2]}` : null);
      },
    );
    p.stdin?.end('QUIT\r\n');
  });
}

suite('receive --tls: the server profile, seen by openssl s_client', () => {
  let r: TestReceiver;
  beforeAll(async () => {
    if (!hasOpenssl()) throw new Error('openssl not found: install the Debian package `openssl` (.ci/run does)');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '2',
        '-subj',
        '/CN=mx.mail.test',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    r = await startTestReceiver({
      tls: 'starttls',
      cert: readFileSync(join(dir, 'cert.pem')),
      key: readFileSync(join(dir, 'key.pem')),
    });
  });
  afterAll(async () => {
    await r?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses TLS 1.0 and 1.1', async () => {
    for (const v of ['-tls1', '-tls1_1']) expect(await sClient(r.port, [v, '-cipher', 'ALL@SECLEVEL=0']), v).toBeNull();
  });

  it('refuses static RSA key exchange and CBC suites (with SHA-1 or SHA-2) on TLS 1.2', async () => {
    for (const suiteName of [
      'AES128-GCM-SHA256', // static RSA, even with an AEAD cipher
      'AES256-SHA', // static RSA, CBC, SHA-1
      'ECDHE-RSA-AES128-SHA', // forward secret, but CBC with SHA-1
      'ECDHE-RSA-AES256-SHA384', // forward secret, CBC
    ])
      expect(await sClient(r.port, ['-tls1_2', '-cipher', `${suiteName}@SECLEVEL=0`]), suiteName).toBeNull();
  });

  it('agrees on ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, and on TLS 1.3', async () => {
    for (const suiteName of [
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ])
      expect(await sClient(r.port, ['-tls1_2', '-cipher', suiteName])).toBe(`TLSv1.2 ${suiteName}`);
    expect(await sClient(r.port, ['-tls1_3'])).toMatch(
      /^TLSv1\.3 TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/,
    );
  });
});
