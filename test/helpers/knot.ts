// Knot DNS (Debian's `knot`) as an independent authoritative peer for integration tests: a private instance on
// 127.0.0.1 and a free port, with its own config, rundir and storage in a temp dir, serving copies of zone files.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { encodeQuery } from '../../src/dns/codec.js';
import { queryUdp } from '../../src/dns/transport-udp.js';

export interface KnotServer {
  host: string;
  port: number;
  /** Zone origins it serves, lowercase, no trailing dot. */
  zones: string[];
  /** What knotd wrote to stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Path of knotd ($KNOTD, else PATH and the sbin dirs, often not on PATH), or undefined when not installed. */
export function findKnotd(): string | undefined {
  const candidates =
    process.env.KNOTD !== undefined
      ? [process.env.KNOTD]
      : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'].map((d) =>
          join(d, 'knotd'),
        );
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The zone's origin: its first $ORIGIN, else the file name without .zone (as loadZoneFile does). */
async function originOf(file: string): Promise<string> {
  const m = /^\$ORIGIN\s+(\S+)/im.exec(await readFile(file, 'utf8'));
  return (m ? m[1]! : basename(file).replace(/\.(zone|db)$/i, '')).replace(/\.$/, '').toLowerCase();
}

/** A port free for both UDP and TCP on 127.0.0.1 right now (knot binds both). */
async function freePort(host: string): Promise<number> {
  for (;;) {
    const tcp = createServer();
    const port = await new Promise<number>((ok, fail) => {
      tcp.once('error', fail);
      tcp.listen(0, host, () => ok((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((ok) => {
      udp.once('error', () => ok(false));
      udp.bind(port, host, () => ok(true));
    });
    udp.close();
    await new Promise<void>((ok) => tcp.close(() => ok()));
    if (udpFree) return port;
  }
}

function config(dir: string, host: string, port: number, zones: { origin: string; file: string }[]): string {
  // zonefile-sync -1 and journal-content none: knot never writes back to the zone files or keeps state.
  return `server:
    rundir: "${dir}/run"
    listen: ${host}@${port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "${dir}/run/knot.sock"
database:
    storage: "${dir}/db"
log:
  - target: stderr
    any: info
template:
  - id: default
    storage: "${dir}/zones"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
${zones.map((z) => `  - domain: "${z.origin}."\n    file: "${z.file}"`).join('\n')}
`;
}

/** Starts knotd serving `zoneFiles` and resolves once every zone answers its SOA with AA. */
export async function startKnot(
  zoneFiles: string[],
  opts: { host?: string; readyTimeoutMs?: number } = {},
): Promise<KnotServer> {
  const knotd = findKnotd();
  if (!knotd) throw new Error('knotd is not installed (Debian package `knot`; .ci/run installs it)');
  const host = opts.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'mailcheck-knot-'));
  await Promise.all(['run', 'db', 'zones'].map((d) => mkdir(join(dir, d))));
  const zones = await Promise.all(
    zoneFiles.map(async (f, i) => {
      const file = join(dir, 'zones', `${i}-${basename(f)}`);
      await copyFile(f, file);
      return { origin: await originOf(f), file };
    }),
  );

  for (let tries = 0; ; tries++) {
    const port = await freePort(host);
    await writeFile(join(dir, 'knot.conf'), config(dir, host, port, zones));
    const child = spawn(knotd, ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    };
    const stop = async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    };
    const ready = await waitReady(
      exited,
      host,
      port,
      zones.map((z) => z.origin),
      opts.readyTimeoutMs ?? 15000,
    );
    if (ready === true) return { host, port, zones: zones.map((z) => z.origin), log: () => log, stop };
    await kill();
    // Someone took the port between our probe and knot's bind: try another one.
    if (/bind|address already in use/i.test(log) && tries < 3) continue;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`knotd did not become ready: ${ready}\n${log.trim().split('\n').slice(-15).join('\n')}`);
  }
}

/** true once every origin answers SOA with AA; otherwise why not. */
async function waitReady(
  exited: Promise<number | null>,
  host: string,
  port: number,
  origins: string[],
  timeoutMs: number,
): Promise<true | string> {
  let gone: string | undefined;
  void exited.then((code) => (gone = `knotd exited (code ${code})`));
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(origins);
  while (Date.now() < deadline) {
    if (gone) return gone;
    for (const origin of [...pending]) {
      const r = await queryUdp({ host, port }, encodeQuery(origin, 'SOA'), { timeoutMs: 200 });
      if (
        r.kind === 'response' &&
        r.message.rcode === 'NOERROR' &&
        r.message.flags.aa &&
        r.message.answers.some((a) => a.type === 'SOA')
      )
        pending.delete(origin);
    }
    if (pending.size === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return `zones not loaded within ${timeoutMs} ms: ${[...pending].join(', ')}`;
}
