// send as a submission client against a real Postfix (Debian) with Dovecot SASL (dovecot-core, passwd-file):
// AUTH PLAIN and LOGIN after STARTTLS (smtpd_tls_auth_only), relaying only for authenticated clients; and
// --tls verify against the certificate Postfix serves.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dovecotUnavailable, startDovecotAuth, type DovecotAuth } from '../helpers/dovecot.js';
import { postfixUnavailable, startPostfix, type RunningPostfix } from '../helpers/postfix.js';
import { generateCertificate, type GeneratedCert } from '../helpers/smtp-peer.js';

const missing = postfixUnavailable() ?? dovecotUnavailable();
const suite = missing && !process.env.CI ? describe.skip : describe;

const PASSWORD = 'Submission passphrase 7';

suite('send --auth-user to Postfix with Dovecot SASL', () => {
  let pf: RunningPostfix;
  let dovecot: DovecotAuth;
  let ca: GeneratedCert;
  let cert: GeneratedCert;
  const dir = mkdtempSync(join(tmpdir(), 'mc-send-auth-'));
  const caFile = join(dir, 'ca.pem');
  const passFile = join(dir, 'password');

  beforeAll(async () => {
    if (missing) throw new Error(`send AUTH integration test needs Debian peers: ${missing}`);
    ca = generateCertificate({ cn: 'mailcheck submission CA', isCa: true });
    cert = generateCertificate({ cn: 'mx.postfix.test', altNames: ['mx.postfix.test', '127.0.0.1'], ca, rsa: true });
    writeFileSync(caFile, ca.cert);
    writeFileSync(passFile, `${PASSWORD}\n`, { mode: 0o600 });
    pf = await startPostfix({
      tls: cert,
      hostname: 'mx.postfix.test',
      domains: ['postfix.test'],
      main: {
        smtpd_sasl_auth_enable: 'yes',
        smtpd_sasl_type: 'dovecot',
        // Relative to the queue directory (no chroot): Dovecot's listener below.
        smtpd_sasl_path: 'private/auth',
        smtpd_tls_auth_only: 'yes',
        smtpd_sasl_authenticated_header: 'yes',
        // Submission: nothing is accepted from a client that has not logged in.
        smtpd_relay_restrictions: 'permit_sasl_authenticated, reject',
      },
    });
    dovecot = await startDovecotAuth({
      socket: join(pf.dir, 'queue', 'private', 'auth'),
      users: { alice: PASSWORD },
    });
  });
  afterAll(async () => {
    await pf?.stop();
    await dovecot?.stop();
    ca?.cleanup();
    cert?.cleanup();
  });

  const send = (extra: string[]) =>
    runCli([
      'send',
      '--from',
      'alice@postfix.test',
      '--to',
      'bob@postfix.test',
      '--server',
      `127.0.0.1:${pf.port}`,
      '--subject',
      'submitted',
      '--body',
      'Sent with SMTP AUTH.\n',
      '--offline',
      '--json',
      ...extra,
    ]);
  const ids = (stdout: string) => (JSON.parse(stdout).findings as { id: string }[]).map((f) => f.id);

  for (const mech of ['PLAIN', 'LOGIN']) {
    it(`AUTH ${mech} after STARTTLS, certificate verified: Postfix logs the SASL login and delivers`, async () => {
      const before = (await pf.messages()).length;
      const r = await send([
        '--auth-user',
        'alice',
        '--auth-pass-file',
        passFile,
        '--auth-mech',
        mech,
        '--tls',
        'verify',
        '--ca',
        caFile,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.auth).toEqual({ user: 'alice', mechanism: mech, authenticated: true });
      expect(j.tls).toMatchObject({ mode: 'verify', encrypted: true, verified: true });
      expect(ids(r.stdout)).toEqual(['send.delivered', 'send.auth.ok']);
      expect(r.stdout).not.toContain(PASSWORD);
      const message = (await pf.waitForMessages(before + 1))[before]!;
      expect(message.content).toMatch(/\(Authenticated sender: alice\)/);
      expect(await pf.log()).toMatch(new RegExp(`sasl_method=${mech}, sasl_username=alice`));
    });
  }

  it('a wrong password: Postfix answers 535, nothing is sent, exit 1', async () => {
    const r = await runCli(
      [
        'send',
        '--from',
        'alice@postfix.test',
        '--to',
        'bob@postfix.test',
        '--server',
        `127.0.0.1:${pf.port}`,
        '--auth-user',
        'alice',
        '--tls',
        'verify',
        '--ca',
        caFile,
        '--offline',
        '--json',
      ],
      { env: { MAILCHECK_AUTH_PASS: 'not the password' } },
    );
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(ids(r.stdout)).toEqual(['send.auth.failed']);
    expect(j.rejected[0].response).toMatch(/^535 5\.7\.8 .*authentication failed/);
    expect(j.sessions[0].transcript.map((l: { line: string }) => l.line)).toContain('AUTH PLAIN ****');
  });

  it('without a login Postfix refuses the recipient; without TLS the password is never offered', async () => {
    const anonymous = await send(['--tls', 'require', '--ca', caFile]);
    expect(anonymous.code).toBe(1);
    expect(JSON.parse(anonymous.stdout).rejected[0].response).toMatch(
      /^554 5\.7\.1 .*(Relay access denied|Access denied)/,
    );
    // --tls none: we keep the password (no AUTH on the wire) ...
    const clear = await send(['--tls', 'none', '--auth-user', 'alice', '--auth-pass-file', passFile]);
    expect(ids(clear.stdout)).toEqual(['send.auth.unavailable']);
    expect(JSON.parse(clear.stdout).rejected[0].response).toMatch(/not sending the password .* in clear/);
    // ... and with --auth-insecure, Postfix itself offers no AUTH before TLS (smtpd_tls_auth_only).
    const insecure = await send([
      '--tls',
      'none',
      '--auth-user',
      'alice',
      '--auth-pass-file',
      passFile,
      '--auth-insecure',
    ]);
    expect(ids(insecure.stdout)).toEqual(['send.auth.unavailable']);
    expect(JSON.parse(insecure.stdout).rejected[0].response).toMatch(/does not offer AUTH/);
  });

  it('--tls verify without the CA: the certificate Postfix serves is not trusted, nothing is sent', async () => {
    const before = await pf.log();
    const r = await send(['--auth-user', 'alice', '--auth-pass-file', passFile, '--tls', 'verify']);
    expect(r.code).toBe(1);
    expect(ids(r.stdout)).toEqual(['send.tls.verify-failed']);
    expect(JSON.parse(r.stdout).rejected[0].response).toMatch(/does not lead to a trusted CA/);
    // No login was tried on an unverified server: no SASL line since.
    expect((await pf.log()).slice(before.length)).not.toMatch(/sasl_/);
  });
});
