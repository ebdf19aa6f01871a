// `mailcheck receive`: flags → startReceiver → a live line (or an NDJSON event) per message, until --count
// messages are stored or SIGINT/SIGTERM; then the receiver finishes what is in flight and we exit 0.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { availableParallelism, hostname as osHostname } from 'node:os';
import { UsageError } from '../../core/errors.js';
import { readUserFile } from '../../core/user-file.js';
import { isValidDomain } from '../../core/names.js';
import { jsonTextBytes } from '../../core/text.js';
import { toNdjsonLine, toPlainNdjsonText } from '../../report/json.js';
import {
  renderListening,
  renderReceived,
  renderReceiveSummary,
  renderRejected,
  type ListeningInfo,
} from '../../report/text/receive.js';
import { MaildirError } from '../../receive/maildir.js';
import { selfSignedCertificate } from '../../receive/self-signed.js';
import { startReceiver, type ReceivedMessage, type ReceiverOptions } from '../../receive/server.js';
import { bufferedStdout } from '../buffered-stdout.js';
import { createContext } from '../context.js';
import { parseInteger, parseMilliseconds, parsePortNumber } from '../options.js';
import type { GlobalOptions } from '../global-options.js';
import type { Theme } from '../../report/theme.js';

export interface ReceiveCliOptions extends GlobalOptions {
  port: string;
  host: string;
  maildir: string;
  count?: string;
  once?: boolean;
  tls?: string | boolean;
  cert?: string;
  key?: string;
  maxSize: string;
  maxRecipients: string;
  maxConnections: string;
  maxConnectionsPerClient: string;
  hostname?: string;
  reports?: boolean;
  bulk?: boolean;
}

/** RFC 5321 §4.5.3.2.7 lets a server wait 5 minutes; a test receiver is stricter by default. */
const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const OUTPUT_EVERY_MS = 20;

export async function run(opts: ReceiveCliOptions): Promise<number> {
  const port = parsePortNumber(opts.port, '--port', 0);
  const host = opts.host.replace(/^\[|\]$/g, '');
  if (!isIP(host)) throw new UsageError(`--host '${opts.host}' is not an IP address to bind`);
  let count: number | undefined;
  if (opts.once) count = 1;
  else if (opts.count !== undefined) count = parseInteger(opts.count, '--count', 1, 1e9);
  if (opts.once && opts.count !== undefined) throw new UsageError('--once and --count do not go together');
  const tls = tlsMode(opts.tls, port);
  const name = opts.hostname ?? osHostname();
  if (!isValidDomain(name) && !isIP(name)) throw new UsageError(`--hostname '${opts.hostname}' is not a host name`);
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new UsageError('--cert and --key go together');
  if (opts.cert !== undefined && tls === 'none') throw new UsageError('--cert/--key need --tls (or --port 465)');
  const commandTimeoutMs =
    opts.timeout !== undefined ? parseMilliseconds(opts.timeout, '--timeout') : DEFAULT_COMMAND_TIMEOUT_MS;
  // Read (or made) before the limits are parsed: a bad --cert is the first error a user sees.
  const certAndKey = tls === 'none' ? undefined : await certificate(opts, name);
  const receiverOpts: ReceiverOptions = {
    host,
    port,
    maildir: opts.maildir,
    hostname: name,
    tls,
    ...certAndKey,
    maxSize: byteSize(opts.maxSize),
    maxRecipients: parseInteger(opts.maxRecipients, '--max-recipients', 1, 100_000),
    maxConnections: parseInteger(opts.maxConnections, '--max-connections', 1, 100_000),
    maxConnectionsPerClient: parseInteger(opts.maxConnectionsPerClient, '--max-connections-per-client', 1, 100_000),
    commandTimeoutMs,
    dataTimeoutMs: commandTimeoutMs * 10,
    bulk: !!opts.bulk,
    // Signed and big messages are verified off the thread that greets clients: one thread per core, at most two.
    verifyThreads: Math.min(2, availableParallelism()),
  };
  const ctx = await createContext(opts);
  // Lines are gathered and written together every few milliseconds: under load many messages finish in a
  // burst, and one write for them all costs one system call instead of one each (system calls are the
  // receiver's largest cost on slow virtual machines). 20 ms is still live to a reader.
  // With --json every line leaves escaped there (jsonTextBytes: message lines are not escaped one by one).
  const { write: out, flush } = bufferedStdout(
    (f) => {
      const timer = setTimeout(f, OUTPUT_EVERY_MS);
      return () => clearTimeout(timer);
    },
    ctx.json ? jsonTextBytes : undefined,
  );
  if (ctx.verbose)
    receiverOpts.onLine = (dir, line, session) => ctx.onEvent({ type: 'smtp.line', dir, line, host: session });
  // Anything but loopback is reachable by others: say so, this is a test receiver.
  if (!/^(127\.|::1$|::ffff:127\.)/.test(host))
    process.stderr.write(
      `mailcheck: warning: listening on ${host}, reachable from other hosts: anyone who can connect can make this receiver store mail\n`,
    );

  const receiver = await startReceiver(receiverOpts, ctx).catch((e: NodeJS.ErrnoException) => {
    // The Maildir is opened before the port: its errors are its own, already in words.
    if (e instanceof MaildirError) throw new UsageError(e.message);
    if (e.code === 'EADDRINUSE') throw new UsageError(`cannot listen on ${host}:${port}: the port is in use`);
    if (e.code === 'EACCES')
      throw new UsageError(`cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`);
    if (e.code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${host}: not an address of this machine`);
    throw e;
  });
  if (ctx.json)
    out(
      toNdjsonLine({
        event: 'listening',
        host: receiver.host,
        port: receiver.port,
        maildir: receiver.maildir,
        hostname: name,
        tls,
        staleTmp: receiver.tmpSweep,
      }),
    );
  else {
    const listening: ListeningInfo = {
      ...receiverOpts,
      host: receiver.host,
      port: receiver.port,
      maildir: receiver.maildir,
      certificate: certificateSource(tls, opts),
    };
    if (count) listening.count = count;
    out(renderListening(listening, ctx.theme));
  }
  // Left by deliveries that never finished (a crash, kill -9): the Maildir rule removes them after 36 hours.
  const { removed, kept } = receiver.tmpSweep;
  if (!ctx.json && (removed || kept)) {
    out(
      `  ${ctx.theme.dim('tmp/')} ${removed} unfinished deliver${removed === 1 ? 'y' : 'ies'} older than 36 h removed, ${kept} younger left in place (an interrupted delivery, or another writer's)\n`,
    );
  }

  let failed = 0;
  let rejected = 0;
  let seen = 0;
  // --reports reads each stored message back and recognizes reports in it; lines stay in arrival order.
  const reports = opts.reports ? await reportHook(ctx.theme, ctx.json) : undefined;
  let pending: Promise<void> = Promise.resolve();
  return new Promise<number>((resolve, reject) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      receiver.close().then(async () => {
        await pending;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (!ctx.json) out(renderReceiveSummary(seen, failed, rejected, ctx.theme));
        flush();
        resolve(0);
      }, reject);
    };
    const onSignal = () => {
      // A second Ctrl-C does not wait for messages in flight.
      if (stopping) process.exit(130);
      stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    receiver.on('message', (m: ReceivedMessage) => {
      seen++;
      const n = seen;
      if (m.findings.some((f) => f.severity === 'fail' || f.temporary)) failed++;
      if (reports) {
        pending = pending.then(async () => {
          const report = await reports.recognize(m.file);
          if (ctx.json) out(toNdjsonLine(report ? { ...m, report } : m));
          else out(renderReceived(m, ctx.theme, n) + (report ? reports.render(report) : ''));
        });
      } else out(ctx.json ? toPlainNdjsonText(m) : renderReceived(m, ctx.theme, n));
      if (count !== undefined && seen >= count) stop();
    });
    receiver.on('rejected', (r) => {
      rejected++;
      if (ctx.json) process.stderr.write(`mailcheck: refused (${r.code}) from ${r.remoteAddress}: ${r.reason}\n`);
      else out(renderRejected(r, ctx.theme));
    });
    receiver.on('error', (e) => process.stderr.write(`mailcheck: receiver error: ${e.message}\n`));
  });
}

/** The report recognizer and its line renderer, loaded only with --reports. */
async function reportHook(theme: Theme, json: boolean) {
  const [{ recognizeReport }, text] = await Promise.all([
    import('../../reports/recognize.js'),
    json ? undefined : import('../../report/text/report.js'),
  ]);
  return {
    // A message that cannot be read back or recognized is still reported as stored, just without a summary.
    recognize: async (file: string) => {
      const raw = await readFile(file).catch(() => undefined);
      try {
        return raw ? recognizeReport(raw) : undefined;
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
    render: (r: NonNullable<ReturnType<typeof recognizeReport>>) => (text ? text.renderReportArrival(r, theme) : ''),
  };
}

/** Which certificate the listening line names: none without TLS, else --cert's or a self-signed one. */
function certificateSource(tls: string, opts: ReceiveCliOptions): 'given' | 'self-signed' | null {
  if (tls === 'none') return null;
  return opts.cert ? 'given' : 'self-signed';
}

function tlsMode(v: string | boolean | undefined, port: number): ReceiverOptions['tls'] {
  if (v === undefined || v === false) return port === 465 ? 'implicit' : 'none';
  if (v === true || v === 'starttls') return 'starttls';
  if (v === 'implicit' || v === 'none') return v;
  throw new UsageError(`--tls '${v}' is not one of starttls, implicit, none`);
}

async function certificate(
  opts: ReceiveCliOptions,
  name: string,
): Promise<{ cert: string | Buffer; key: string | Buffer }> {
  if (opts.cert === undefined || opts.key === undefined) return selfSignedCertificate(name);
  const read = async (path: string, what: string) => {
    const text = await readUserFile(path, what);
    if (!text.includes('-----BEGIN')) throw new UsageError(`${what} '${path}' is not a PEM file`);
    return text;
  };
  const [cert, key] = await Promise.all([read(opts.cert, '--cert'), read(opts.key, '--key')]);
  const { createPrivateKey, X509Certificate } = await import('node:crypto');
  try {
    const x = new X509Certificate(cert);
    if (!x.checkPrivateKey(createPrivateKey(key)))
      throw new UsageError(`--key '${opts.key}' does not belong to the certificate in '${opts.cert}'`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--cert/--key: ${(e as Error).message}`);
  }
  return { cert, key };
}

/** "1000", "64k", "25m", "1g" → bytes. */
export function byteSize(v: string): number {
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--max-size '${v}' is not a size in bytes (e.g. 1000, 64k, 25m)`);
  const n = Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  if (n < 1 || n > 2 ** 40) throw new UsageError(`--max-size '${v}' is out of range`);
  return n;
}
