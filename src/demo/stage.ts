// The demo's stage, all on loopback: a DKIM key for the sandbox domain, its zones served by our embedded DNS
// server (the resolvers ask it over UDP, as they would ask the internet), and `mailcheck receive` as its MX.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDkimKey, type GeneratedDkimKey } from '../auth/dkim/keygen.js';
import type { Context } from '../core/context.js';
import { networkResolver } from '../dns/network.js';
import { startDnsServer, type RunningDnsServer } from '../dns/server.js';
import { formatRecord, traceResolver, type TracedResolver } from '../dns/trace.js';
import type { Resolver } from '../dns/types.js';
import { parseZone } from '../dns/zone/parse.js';
import { zoneResolver } from '../dns/zone/resolver.js';
import { selfSignedCertificate } from '../receive/self-signed.js';
import { startReceiver, type ReceivedMessage, type Receiver, type RejectedMessage } from '../receive/server.js';
import { sandboxZones, type SandboxZones } from './sandbox.js';
import type { DemoStep } from './types.js';

export interface StageOptions {
  domain: string;
  selector: string;
  /** 0: any free port. */
  dnsPort: number;
  smtpPort: number;
  /** Where the Maildir, zone files and key go; a fresh temporary folder when absent. */
  dir?: string;
  keyType: 'rsa' | 'ed25519';
  timeoutMs: number;
  now: () => Date;
  onEvent: Context['onEvent'];
  /** The forger's address; undefined: 127.0.0.2 when it can be bound, else none (the look-alike story). */
  forger?: string | null;
}

export interface Stage {
  domain: string;
  selector: string;
  /** Whether the folder (a fresh temporary one) is ours to remove. */
  temporary: boolean;
  key: GeneratedDkimKey;
  keyFile: string;
  zoneFiles: string[];
  zones: SandboxZones;
  /** The PEM certificate the receiver presents (self-signed for mx.<domain>): the sender trusts it. */
  cert: string;
  dns: RunningDnsServer;
  receiver: Receiver;
  /** What the receiving side asked DNS, in order (the sender's questions are in its own trace). */
  receiverDns: TracedResolver;
  /** A resolver that asks the sandbox's DNS server over the wire. */
  resolver(): Resolver;
  /** The forger's source address: 127.0.0.2 when this system routes it to loopback (Linux does). */
  forgerAddress: string | null;
  lookalike: string;
  nextMessage(timeoutMs: number): Promise<ReceivedMessage | RejectedMessage | null>;
  /** Stops queueing the receiver's events for nextMessage (the acts are over; --keep reports them live). */
  detach(): void;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function setStage(o: StageOptions, steps: DemoStep[]): Promise<Stage> {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'mailcheck-demo-')));
  await mkdir(dir, { recursive: true });
  const cleanup: (() => Promise<void>)[] = [];
  // Servers in the reverse order they started, then the folder if it is ours: on close, or when setting up fails.
  const teardown = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    if (o.dir === undefined) await rm(dir, { recursive: true, force: true });
  };
  try {
    let t = performance.now();
    const key = generateDkimKey({ domain: o.domain, selector: o.selector, type: o.keyType, bits: 2048, ttl: 300 });
    const keyFile = join(dir, `${o.selector}.${o.domain}.pem`);
    await writeFile(keyFile, key.privateKeyPem, { mode: 0o600 });
    steps.push(
      step(
        'keygen',
        `DKIM key pair generated (${key.type === 'rsa' ? `RSA ${key.bits}-bit` : 'Ed25519'}); the public half is published at ${key.name}`,
        t,
        { keyFile },
      ),
    );

    let forgerAddress = o.forger;
    if (forgerAddress === undefined) forgerAddress = (await canBind('127.0.0.2')) ? '127.0.0.2' : null;
    const lookalike = `${o.domain.split('.')[0]}-secure.test`;
    const zones = sandboxZones({
      domain: o.domain,
      address: LOOPBACK,
      dkim: { selector: o.selector, strings: key.strings },
      stsId: o.now().toISOString().replace(/\D/g, '').slice(0, 14),
      // Without a second loopback address the forger sends from a look-alike domain instead.
      lookalike: forgerAddress ? undefined : lookalike,
    });
    const zoneFiles: string[] = [];
    for (const z of zones.files) {
      const file = join(dir, `${z.origin}.zone`);
      await writeFile(file, z.text);
      zoneFiles.push(file);
    }
    t = performance.now();
    const parsed = zones.files.map((z) => parseZone(z.text, { source: `${z.origin}.zone` }));
    const dns = await startDnsServer({ host: LOOPBACK, port: o.dnsPort, resolver: zoneResolver(parsed) });
    cleanup.push(() => dns.close());
    const records = parsed.flatMap((z) =>
      z.records.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, data: formatRecord(r.data) })),
    );
    steps.push(
      step(
        'listen',
        `DNS server for ${zones.files.map((z) => z.origin).join(', ')} answering on ${LOOPBACK}:${dns.port} (UDP and TCP)`,
        t,
        { host: LOOPBACK, port: dns.port, zoneFiles, records },
      ),
    );

    const resolver = () =>
      networkResolver({ servers: [{ host: LOOPBACK, port: dns.port }], timeoutMs: o.timeoutMs, onEvent: o.onEvent });
    const receiverDns = traceResolver(resolver());
    t = performance.now();
    const { cert, key: tlsKey } = selfSignedCertificate(zones.names.mx, o.now());
    const receiver = await startReceiver(
      {
        host: LOOPBACK,
        port: o.smtpPort,
        maildir: join(dir, 'inbox'),
        hostname: zones.names.mx,
        tls: 'starttls',
        cert,
        key: tlsKey,
        maxSize: 10 * 1024 * 1024,
        maxRecipients: 100,
        maxConnections: 50,
        commandTimeoutMs: 60_000,
        dataTimeoutMs: 600_000,
      },
      { resolver: receiverDns, now: o.now },
    );
    cleanup.push(() => receiver.close());
    steps.push(
      step(
        'listen',
        `Receiver (mailcheck receive) for ${zones.names.mx} listening on ${LOOPBACK}:${receiver.port} with STARTTLS, storing into ${receiver.maildir}`,
        t,
        { host: LOOPBACK, port: receiver.port, maildir: receiver.maildir },
      ),
    );

    const queue: (ReceivedMessage | RejectedMessage)[] = [];
    let wake: (() => void) | null = null;
    const push = (m: ReceivedMessage | RejectedMessage) => {
      queue.push(m);
      wake?.();
    };
    receiver.on('message', push);
    receiver.on('rejected', push);

    return {
      domain: o.domain,
      selector: o.selector,
      temporary: o.dir === undefined,
      key,
      keyFile,
      zoneFiles,
      zones,
      cert,
      dns,
      receiver,
      receiverDns,
      resolver,
      forgerAddress,
      lookalike,
      async nextMessage(timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        while (!queue.length && Date.now() < deadline) {
          await new Promise<void>((r) => {
            const timer = setTimeout(r, Math.max(1, deadline - Date.now()));
            wake = () => {
              clearTimeout(timer);
              r();
            };
          });
          wake = null;
        }
        return queue.shift() ?? null;
      },
      detach() {
        receiver.off('message', push);
        receiver.off('rejected', push);
        queue.length = 0;
      },
      close: teardown,
    };
  } catch (e) {
    await teardown();
    throw e;
  }
}

function step(kind: DemoStep['kind'], summary: string, start: number, detail?: unknown): DemoStep {
  const s: DemoStep = {
    act: 'setup',
    actor: 'sandbox',
    kind,
    summary,
    ok: true,
    ms: Math.round(performance.now() - start),
  };
  if (detail) s.detail = detail;
  return s;
}

/** Linux routes all of 127/8 to loopback; other systems have only 127.0.0.1 unless configured. */
async function canBind(address: string): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(0, address, () => s.close(() => resolve(true)));
  });
}
