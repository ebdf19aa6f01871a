// `mailcheck demo`: flags → runDemo → the story (text or JSON); with --keep, the sandbox stays up until a signal.
import { UsageError } from '../../core/errors.js';
import { runDemo } from '../../demo/run.js';
import { toJson, toNdjsonLine } from '../../report/json.js';
import { renderDemo, renderKeep } from '../../report/text/demo.js';
import { renderReceived } from '../../report/text/receive.js';
import type { ReceivedMessage } from '../../receive/server.js';
import { createContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import { parsePortNumber } from '../options.js';
import type { GlobalOptions } from '../global-options.js';

export interface DemoCliOptions extends GlobalOptions {
  keep?: boolean;
  dnsPort?: string;
  smtpPort?: string;
  dir?: string;
  keyType: 'rsa' | 'ed25519';
}

const DEMO_DOMAIN = 'sandbox.test';

export async function run(opts: DemoCliOptions): Promise<number> {
  if (opts.zone?.length || opts.resolver?.length || opts.offline) {
    throw new UsageError('demo serves its own sandbox on loopback: --zone, --resolver and --offline do not apply');
  }
  const dnsPort = port(opts.dnsPort ?? '0', '--dns-port');
  const smtpPort = port(opts.smtpPort ?? '0', '--smtp-port');
  // Offline: the demo's resolvers are its own; nothing here may read resolv.conf or ask the network.
  const ctx = await createContext({ ...opts, offline: true });
  const { result, stage } = await runDemo(
    {
      domain: DEMO_DOMAIN,
      selector: 'demo',
      dnsPort,
      smtpPort,
      keyType: opts.keyType,
      keep: Boolean(opts.keep),
      dir: opts.dir,
    },
    ctx,
  ).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE')
      throw new UsageError(`cannot start the sandbox: port in use (${e.message.replace(/^.*EADDRINUSE\s*/, '')})`);
    if (e.code === 'EACCES') throw new UsageError(`cannot start the sandbox: permission denied (${e.message})`);
    throw e;
  });
  const code = exitCode([result]);
  // With --keep the command streams (the result, then a line per message the sandbox receives): NDJSON throughout.
  const json = stage ? toNdjsonLine(result) : toJson(result);
  process.stdout.write(
    ctx.json
      ? json
      : renderDemo(result, ctx.theme, { verbose: ctx.verbose }) + (stage ? renderKeep(result, ctx.theme) : ''),
  );
  if (!stage) return code;
  // Kept running: the receiver reports what the user sends to it, live, like `mailcheck receive`.
  let seen = 0;
  stage.detach();
  stage.receiver.on('message', (m: ReceivedMessage) => {
    seen++;
    process.stdout.write(ctx.json ? toNdjsonLine(m) : renderReceived(m, ctx.theme, seen));
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await stage.close();
  if (!ctx.json) process.stderr.write('mailcheck: sandbox stopped\n');
  return code;
}

function port(v: string, flag: string): number {
  return parsePortNumber(v, flag, 0);
}
