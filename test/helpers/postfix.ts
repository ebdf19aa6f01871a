// A private Postfix instance for integration tests: its own main.cf/master.cf, queue and log in a temp dir,
// smtpd on 127.0.0.1:<free port> with STARTTLS, every accepted message delivered to a Maildir we can read.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitForPort } from './wait-port.js';

const run = promisify(execFile);
export const POSTFIX = '/usr/sbin/postfix';

export interface PostfixOptions {
  /** Listening port on 127.0.0.1; default a free one. */
  port?: number;
  /** PEM text of the server certificate and key; without it, no STARTTLS. */
  tls?: { cert: string; key: string };
  /** myhostname: the greeting and EHLO name (default mx.postfix.test). */
  hostname?: string;
  /** Domains whose mail is delivered to the Maildir (default postfix.test). Anything else: relay denied. */
  domains?: string[];
  /** Extra main.cf settings (override ours). */
  main?: Record<string, string>;
}

export interface DeliveredMessage {
  file: string;
  content: string;
}

export interface RunningPostfix {
  host: string;
  port: number;
  hostname: string;
  /** The instance's directory (config in etc/, queue/, log, mail/). */
  dir: string;
  maildir: string;
  /** The Postfix log so far (maillog_file). */
  log(): Promise<string>;
  /** Messages delivered to the Maildir so far. */
  messages(): Promise<DeliveredMessage[]>;
  /** Waits until at least n messages are delivered (Postfix delivers asynchronously). */
  waitForMessages(n: number, timeoutMs?: number): Promise<DeliveredMessage[]>;
  stop(): Promise<void>;
}

/** Why Postfix cannot run here, or undefined when it can (it needs the binary, and root to start master). */
export function postfixUnavailable(): string | undefined {
  if (!existsSync(POSTFIX)) return `${POSTFIX} not found (Debian package postfix)`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return "Postfix's master must be started as root";
  return undefined;
}

/**
 * Maildir names are `<seconds>.V<dev>I<inode>M<microseconds>.<host>` (Postfix's virtual(8)): sorted as text, two
 * messages of the same second come in inode order, not in the order they arrived. Sort by seconds, then µs.
 */
function byDelivery(a: string, b: string): number {
  const key = (n: string) => {
    const m = /^(\d+)\.\S*?M(\d+)/.exec(n);
    return m ? Number(m[1]) * 1e6 + Number(m[2]) : Number.NaN;
  };
  const ka = key(a);
  const kb = key(b);
  if (Number.isNaN(ka) || Number.isNaN(kb) || ka === kb) return a.localeCompare(b);
  return ka - kb;
}

export async function startPostfix(opts: PostfixOptions = {}): Promise<RunningPostfix> {
  const why = postfixUnavailable();
  if (why) throw new Error(`cannot start Postfix: ${why}`);
  const { uid, gid } = await postfixUser();
  const dir = await mkdtemp(join(tmpdir(), 'mc-postfix-'));
  // The postfix user must be able to reach its data and mail directories below ours.
  await chmod(dir, 0o755);
  const etc = join(dir, 'etc');
  const maildir = join(dir, 'mail');
  for (const d of [etc, join(dir, 'queue'), join(dir, 'data'), maildir]) await mkdir(d, { recursive: true });
  await chown(join(dir, 'data'), uid, gid);
  await chown(maildir, uid, gid);
  const hostname = opts.hostname ?? 'mx.postfix.test';
  const domains = opts.domains ?? ['postfix.test'];

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.port ?? (await freePort());
    const main: Record<string, string> = {
      compatibility_level: '3.6',
      config_directory: etc,
      queue_directory: join(dir, 'queue'),
      data_directory: join(dir, 'data'),
      mail_owner: 'postfix',
      setgid_group: 'postdrop',
      inet_interfaces: '127.0.0.1',
      inet_protocols: 'ipv4',
      myhostname: hostname,
      mydomain: hostname.split('.').slice(1).join('.') || hostname,
      myorigin: '$myhostname',
      mydestination: '',
      // Not localhost: the relay test must see "Relay access denied" from 127.0.0.1.
      mynetworks: '192.0.2.254/32',
      relay_domains: '',
      alias_maps: '',
      alias_database: '',
      local_recipient_maps: '',
      smtpd_relay_restrictions: 'reject_unauth_destination',
      smtpd_recipient_restrictions: '',
      smtpd_client_restrictions: '',
      smtpd_banner: '$myhostname ESMTP Postfix (mailcheck test)',
      smtpd_peername_lookup: 'no',
      smtp_dns_support_level: 'disabled',
      maillog_file: join(dir, 'maillog'),
      maillog_file_prefixes: dir,
      virtual_mailbox_domains: domains.join(' '),
      virtual_mailbox_base: maildir,
      virtual_mailbox_maps: 'static:inbox/',
      virtual_uid_maps: `static:${uid}`,
      virtual_gid_maps: `static:${gid}`,
      ...(opts.tls
        ? {
            smtpd_tls_cert_file: join(etc, 'cert.pem'),
            smtpd_tls_key_file: join(etc, 'key.pem'),
            smtpd_tls_security_level: 'may',
            smtpd_tls_received_header: 'yes',
            smtpd_tls_loglevel: '1',
          }
        : { smtpd_tls_security_level: 'none' }),
      ...opts.main,
    };
    if (opts.tls) {
      await writeFile(join(etc, 'cert.pem'), opts.tls.cert);
      await writeFile(join(etc, 'key.pem'), opts.tls.key, { mode: 0o600 });
    }
    await writeFile(
      join(etc, 'main.cf'),
      Object.entries(main)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n') + '\n',
    );
    await writeFile(join(etc, 'master.cf'), masterCf(port));
    try {
      await run(POSTFIX, ['-c', etc, 'start'], { timeout: 30_000 });
      await waitForPort(port, 10_000);
      return running(dir, etc, maildir, port, hostname);
    } catch (e) {
      lastError = e;
      await stopInstance(dir, etc);
      if (opts.port) break;
    }
  }
  const log = await readFile(join(dir, 'maillog'), 'utf8').catch(() => '');
  await rm(dir, { recursive: true, force: true });
  throw new Error(`Postfix did not start: ${(lastError as Error)?.message ?? lastError}\n${log}`);
}

function running(dir: string, etc: string, maildir: string, port: number, hostname: string): RunningPostfix {
  const messages = async () => {
    const out: DeliveredMessage[] = [];
    const box = join(maildir, 'inbox', 'new');
    const files = await readdir(box).catch(() => [] as string[]);
    for (const f of files.sort(byDelivery))
      out.push({ file: join(box, f), content: await readFile(join(box, f), 'utf8') });
    return out;
  };
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    hostname,
    dir,
    maildir,
    log: () => readFile(join(dir, 'maillog'), 'utf8').catch(() => ''),
    messages,
    async waitForMessages(n, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = await messages();
        if (m.length >= n) return m;
        if (Date.now() > end) {
          throw new Error(
            `Postfix delivered ${m.length} of ${n} messages within ${timeoutMs} ms\n${await readFile(join(dir, 'maillog'), 'utf8').catch(() => '')}`,
          );
        }
        await new Promise((ok) => setTimeout(ok, 100));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopInstance(dir, etc);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `postfix stop`, then make sure our master (and only ours, by its pid file) is gone. */
async function stopInstance(dir: string, etc: string): Promise<void> {
  const pidFile = join(dir, 'queue', 'pid', 'master.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || undefined;
  await run(POSTFIX, ['-c', etc, 'stop'], { timeout: 20_000 }).catch(() => undefined);
  if (!pid) return;
  const end = Date.now() + 10_000;
  while (alive(pid) && Date.now() < end) await new Promise((ok) => setTimeout(ok, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function masterCf(port: number): string {
  // service type private unpriv chroot wakeup maxproc command (chroot off: no copies of /etc needed).
  return `127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;
}

async function postfixUser(): Promise<{ uid: number; gid: number }> {
  const { stdout: u } = await run('id', ['-u', 'postfix']);
  const { stdout: g } = await run('id', ['-g', 'postfix']);
  return { uid: Number(u.trim()), gid: Number(g.trim()) };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok, fail) => {
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => ok());
  });
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}
