// `mailcheck verify <file|maildir|mbox...>`: read → verify (in workers for big folders) → render.
// One message file: the full report (or one JSON object); a folder, an mbox or several paths: a line each (NDJSON) and a summary.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { UsageError } from '../../core/errors.js';
import { definedOnly } from '../../core/object.js';
import { setFlagsFromString } from 'node:v8';
import { startPool, type VerifyPool } from '../../verify/pool.js';
import { adoptHelpers, threadsFor, v8FlagsFor } from '../../verify/prestart.js';
import type { VerifyItem } from '../../verify/types.js';
import { expandTargets } from '../../verify/sources.js';
import { bufferedStdout } from '../buffered-stdout.js';
import { parseInteger } from '../options.js';
import type { GlobalOptions } from '../global-options.js';

export interface VerifyCliOptions extends GlobalOptions {
  ip?: string;
  helo?: string;
  sender?: string;
  authservId?: string;
  jobs?: string;
  bulk?: boolean;
  strict?: boolean;
  allowEmpty?: boolean;
  all?: boolean;
}

/** Messages above which a TTY gets a progress bar and only the messages that did not pass. */
const QUIET_ABOVE = 20;

export async function run(files: string[], opts: VerifyCliOptions): Promise<number> {
  const verifyOpts = parseVerifyOptions(opts);
  const jobs = opts.jobs === undefined ? undefined : parseInteger(opts.jobs, '--jobs', 1, 256);
  const { tasks, errors, empty, stream } = await expandTargets(files);
  // An empty folder must not pass as "all 0 authenticated": a mistyped path or a Maildir that never filled.
  const refused = opts.allowEmpty ? [] : empty;
  if (refused.length && !tasks.length && !errors.length) {
    const names = refused.map((f) => `'${f}'`).join(', ');
    throw new UsageError(
      `no messages in ${names} (a Maildir's new/ and cur/, or the files of a folder); --allow-empty accepts that`,
    );
  }
  // Helper processes first — this module imports little so that they start early — and they load their
  // modules while this process loads the verifier and builds the context.
  const procs = threadsFor(tasks.length, jobs);
  // A short run verifies faster without V8's optimizing compiler (see v8FlagsFor): set here before the verifier
  // is loaded, and given to the helpers.
  const v8Flags = v8FlagsFor(Math.ceil(tasks.length / procs));
  if (v8Flags.length) setFlagsFromString(v8Flags.join(' '));
  // Helpers forked at start-up (verify/prestart.ts) that this run does not use are stopped here.
  let pool: VerifyPool | undefined;
  if (procs > 1) pool = startPool(procs - 1, verifyOpts, v8Flags);
  else adoptHelpers(0, []);
  const [{ createContext }, { unverifiable, verifyTasks }, { toJson, toPlainNdjsonLine }, { VerifyTally }] =
    await Promise.all([
      import('../context.js'),
      import('../../verify/run.js'),
      import('../../report/json.js'),
      import('../verify-tally.js'),
    ]);
  const ctx = await createContext(opts, { brief: !opts.all }).catch(async (e: unknown) => {
    await pool?.terminate();
    throw e;
  });
  // One message file: the full report (or one JSON object); a folder or mbox: a stream, even of one message.
  const total = tasks.length + errors.length + refused.length;
  const single = total === 1 && !stream;
  // Renderers only for text: a folder's lines without the table package, the full report (-v, --all) with it.
  const text = ctx.json ? undefined : await import('../../report/text/verify-line.js');
  const report =
    ctx.json || !(single || ctx.theme.detail === 'full') ? undefined : await import('../../report/text/verify.js');
  const tally = new VerifyTally();
  const unreadable: VerifyItem[] = [
    ...errors.map((e) => unverifiable(e, `cannot read: ${e.error}`)),
    ...refused.map((file) =>
      unverifiable({ file }, 'no messages in this folder (--allow-empty accepts that)', 'verify.input.empty'),
    ),
  ];
  // Output gathered and written once per turn of the event loop: results arrive in bursts (a helper's batch),
  // and one write for a burst costs one system call instead of one per message.
  const { write, flush } = bufferedStdout((f) => {
    setImmediate(f);
  });
  const toStderr = (s: string) => {
    flush(); // keeps stdout lines and stderr messages in the order they happened
    process.stderr.write(s);
  };
  const quiet = !ctx.json && ctx.interactive && total > QUIET_ABOVE;
  const start = performance.now();
  let lastDraw = 0;

  const show = (item: VerifyItem) => {
    if ('error' in item)
      toStderr(`mailcheck: ${item.index !== undefined ? `${item.file} #${item.index}` : item.file}: ${item.error}\n`);
    if (ctx.json) write(single ? toJson(item) : toPlainNdjsonLine(item));
    else if (single) write(report!.renderVerify(item, ctx.theme, { findings: ctx.theme.detail === 'full' }));
    else if ('error' in item)
      return; // already said on stderr
    else if (!quiet || item.findings.some((f) => f.severity === 'fail' || f.temporary)) {
      if (quiet) toStderr('\r\x1b[K');
      // The full report (-v, --all) of each message, or a line each.
      write(
        ctx.theme.detail === 'full'
          ? report!.renderVerify(item, ctx.theme, { findings: true }) + '\n'
          : text!.renderVerifyLine(item, ctx.theme),
      );
    }
  };
  for (const item of unreadable) {
    tally.add(item);
    show(item);
  }
  await verifyTasks(tasks, verifyOpts, ctx, {
    pool,
    jobs: 1, // only without a pool (one process asked for): then every message is verified in this thread
    onItem: (item, done) => {
      tally.add(item);
      show(item);
      const now = performance.now();
      if (quiet && (now - lastDraw > 100 || done === tasks.length)) {
        lastDraw = now;
        toStderr(`\r\x1b[K${text!.progressBar(done, tasks.length, (now - start) / 1000)}`);
      }
    },
  });
  if (quiet) toStderr('\r\x1b[K');
  if (text && !single) write(text.renderVerifySummary(tally.summary((performance.now() - start) / 1000), ctx.theme));
  flush();
  return tally.exitCode(!!opts.strict);
}

function parseVerifyOptions(opts: VerifyCliOptions) {
  if (opts.ip !== undefined && !isIP(opts.ip.replace(/^\[|\]$/g, '')))
    throw new UsageError(`--ip '${opts.ip}' is not an IP address`);
  // A HELO is whatever a client sent: any text goes to check_host(), which judges it (RFC 7208 §4.3, §7.3).
  if (opts.helo !== undefined && !opts.helo.trim())
    throw new UsageError('--helo is empty (give the HELO/EHLO argument the client sent)');
  let sender = opts.sender;
  if (sender !== undefined) {
    sender = sender.trim().replace(/^<(.*)>$/, '$1');
    if (sender !== '' && !/^[^\s@]+@[^\s@]+$/.test(sender))
      throw new UsageError(`--sender '${opts.sender}' is not an address (use '<>' for a null sender)`);
  }
  if ((opts.helo !== undefined || opts.sender !== undefined) && opts.ip === undefined) {
    throw new UsageError('--helo and --sender need --ip: SPF judges the client IP');
  }
  return definedOnly({
    authservId: opts.authservId ?? hostname(),
    ip: opts.ip?.replace(/^\[|\]$/g, ''),
    helo: opts.helo?.trim(),
    sender,
    bulk: opts.bulk || undefined,
  });
}
