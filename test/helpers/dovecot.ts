// A private Dovecot (Debian: dovecot-core) that only authenticates: its auth service on a unix socket for
// Postfix's SASL (smtpd_sasl_type = dovecot), users from a passwd-file, its own base_dir, config and log in a
// temp dir. No IMAP/POP3 listeners. Started in the foreground (-F) as a child; stop() ends that child.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOVECOT = '/usr/sbin/dovecot';

export interface DovecotAuth {
  /** The auth socket (give it to Postfix as smtpd_sasl_path). */
  socket: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Why Dovecot cannot run here, or undefined when it can. */
export function dovecotUnavailable(): string | undefined {
  if (!existsSync(DOVECOT)) return `${DOVECOT} not found (Debian package dovecot-core)`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'Dovecot must be started as root';
  return undefined;
}

/**
 * Starts Dovecot's auth service with a socket at `socket` (e.g. <postfix queue>/private/auth), owned by
 * `owner` (the postfix user) so that smtpd can connect. `users`: name → password (stored {PLAIN}: a test).
 */
export async function startDovecotAuth(o: {
  socket: string;
  users: Record<string, string>;
  owner?: string;
}): Promise<DovecotAuth> {
  const why = dovecotUnavailable();
  if (why) throw new Error(`cannot start Dovecot: ${why}`);
  const dir = await mkdtemp(join(tmpdir(), 'mc-dovecot-'));
  await chmod(dir, 0o755);
  const base = join(dir, 'run');
  await mkdir(base);
  const passwd = join(dir, 'passwd');
  await writeFile(
    passwd,
    Object.entries(o.users)
      .map(([user, password]) => `${user}:{PLAIN}${password}::::::`)
      .join('\n') + '\n',
    { mode: 0o644 },
  );
  const owner = o.owner ?? 'postfix';
  const conf = join(dir, 'dovecot.conf');
  await writeFile(
    conf,
    `# mailcheck integration test: SASL for Postfix only
base_dir = ${base}
state_dir = ${join(dir, 'state')}
log_path = ${join(dir, 'dovecot.log')}
info_log_path = ${join(dir, 'dovecot.log')}
protocols =
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=/nonexistent
}
service auth {
  unix_listener ${o.socket} {
    mode = 0660
    user = ${owner}
    group = ${owner}
  }
}
service anvil {
  chroot =
}
`,
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const log = async () => `${output}${await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '')}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready when the socket exists (or failed when the process is gone).
  const deadline = Date.now() + 15_000;
  while (!existsSync(o.socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = await log();
      await stop();
      throw new Error(`Dovecot did not start (${child.exitCode ?? 'timeout'}):\n${text}`);
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return { socket: o.socket, log, stop };
}
