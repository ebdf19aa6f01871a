// `mailcheck send`: read flags and files → sendMessage → render. Bad input is one line and exit 2.
import { isIP } from 'node:net';
import { UsageError } from '../../core/errors.js';
import { readUserFile } from '../../core/user-file.js';
import { parseHostPort, toALabel } from '../../core/names.js';
import { definedOnly } from '../../core/object.js';
import { toJson } from '../../report/json.js';
import { renderSend } from '../../report/text/send.js';
import { parseMailbox } from '../../send/address.js';
import { sendMessage, type SendInput } from '../../send/check.js';
import { parseHeaderOption } from '../../send/compose.js';
import { parseSigningKey } from '../../send/dkim-sign.js';
import { emlProblem } from '../../send/eml.js';
import type { SendAuth, SendTlsMode } from '../../send/transaction.js';
import type { AuthMechanism } from '../../smtp/auth.js';
import { AUTH_PASS_ENV } from '../defs/send.js';
import { createContext } from '../context.js';
import { exitCode } from '../exit-code.js';
import type { GlobalOptions } from '../global-options.js';
import { readCaFiles } from '../ca-files.js';
import { parseHelo, parsePort, spinner } from './probe.js';

export interface SendCliOptions extends GlobalOptions {
  from: string;
  to: string[];
  server?: string;
  port?: string;
  subject?: string;
  body?: string;
  eml?: string;
  header?: string[];
  dkimKey?: string;
  dkimSelector?: string;
  dkimDomain?: string;
  tls?: SendTlsMode;
  helo?: string;
  ca?: string[];
  allowPrivate?: boolean;
  authUser?: string;
  authPass?: string;
  authPassFile?: string;
  authMech?: AuthMechanism;
  authInsecure?: boolean;
  transcript?: boolean;
}

export async function run(opts: SendCliOptions): Promise<number> {
  const input = await readInput(opts);
  const server = opts.server !== undefined ? parseServer(opts.server) : undefined;
  const port = parsePort(opts.port ?? '25');
  const tls: SendTlsMode = opts.tls ?? ((server?.port ?? port) === 465 ? 'implicit' : 'starttls');
  const helo = parseHelo(opts.helo);
  const ca = await readCaFiles(opts.ca ?? []);
  const auth = await readAuth(opts);
  // A login goes to the submission server the user names, never to whatever MX each recipient's domain names:
  // that would hand the password to every recipient domain's mail host.
  if (auth && !server)
    throw new UsageError(
      "--auth-user logs in to your submission server: name it with --server (a password never goes to recipients' MX hosts)",
    );
  const ctx = await createContext(opts);
  const spin = await spinner(ctx, `Sending to ${input.to.map((m) => m.address).join(', ')}`);
  try {
    const result = await sendMessage(
      input,
      spin.ctx,
      definedOnly({
        server: server || undefined,
        port,
        tls,
        helo: helo || undefined,
        ca,
        allowPrivate: Boolean(opts.allowPrivate),
        implicitTls: (server?.port ?? port) === 465,
        auth,
      }),
    );
    spin.stop();
    process.stdout.write(
      ctx.json
        ? toJson(result)
        : renderSend(result, ctx.theme, { steps: ctx.verbose, transcript: opts.transcript !== false && !ctx.verbose }),
    );
    return exitCode([result]);
  } finally {
    spin.stop();
  }
}

async function readInput(opts: SendCliOptions): Promise<SendInput> {
  const from = parseMailbox(opts.from, '--from');
  if (!opts.to?.length) throw new UsageError('--to is required');
  const to = opts.to
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => parseMailbox(t, '--to'));
  if (opts.eml !== undefined) {
    for (const [flag, v] of [
      ['--body', opts.body],
      ['--subject', opts.subject],
      ['--header', opts.header],
    ] as const) {
      if (v !== undefined) throw new UsageError(`${flag} cannot be used with --eml: the file is sent as is`);
    }
  }
  const input: SendInput = { from, to };
  if (opts.subject !== undefined) input.subject = opts.subject;
  if (opts.header) input.headers = opts.header.map(parseHeaderOption);
  if (opts.body !== undefined) input.body = opts.body === '-' ? await readStdin() : opts.body;
  if (opts.eml !== undefined) {
    const bytes = await readUserFile(opts.eml, '--eml file');
    const problem = emlProblem(bytes);
    if (problem) throw new UsageError(`--eml file '${opts.eml}' ${problem}`);
    input.eml = bytes;
  }
  if ((opts.dkimKey === undefined) !== (opts.dkimSelector === undefined)) {
    throw new UsageError('--dkim-key and --dkim-selector go together');
  }
  if (opts.dkimDomain !== undefined && opts.dkimKey === undefined)
    throw new UsageError('--dkim-domain needs --dkim-key and --dkim-selector');
  if (opts.dkimKey !== undefined && opts.dkimSelector !== undefined) {
    if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*$/.test(opts.dkimSelector)) {
      throw new UsageError(`--dkim-selector '${opts.dkimSelector}' is not a valid selector (RFC 6376 §3.1)`);
    }
    const text = await readUserFile(opts.dkimKey, '--dkim-key file', 'utf8');
    input.dkim = {
      key: parseSigningKey(text, `--dkim-key '${opts.dkimKey}'`),
      selector: opts.dkimSelector,
    };
    if (opts.dkimDomain !== undefined) input.dkim.domain = toALabel(opts.dkimDomain, '--dkim-domain');
  }
  return input;
}

/**
 * --auth-user and its password: from --auth-pass-file (first line), MAILCHECK_AUTH_PASS, or --auth-pass (which
 * lands in shell history and `ps`). Error messages never repeat the password.
 */
export async function readAuth(
  opts: Pick<SendCliOptions, 'authUser' | 'authPass' | 'authPassFile' | 'authMech' | 'authInsecure'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SendAuth | undefined> {
  const envPass = env[AUTH_PASS_ENV];
  if (opts.authUser === undefined) {
    for (const [flag, v] of [
      ['--auth-pass', opts.authPass],
      ['--auth-pass-file', opts.authPassFile],
      ['--auth-mech', opts.authMech],
      ['--auth-insecure', opts.authInsecure],
    ] as const) {
      if (v !== undefined) throw new UsageError(`${flag} needs --auth-user`);
    }
    return undefined;
  }
  const user = opts.authUser;
  if (!user || /[\0\r\n]/.test(user)) throw new UsageError('--auth-user must be a non-empty name on one line');
  if (opts.authPass !== undefined && opts.authPassFile !== undefined)
    throw new UsageError('give the password once: --auth-pass or --auth-pass-file');
  let password: string | undefined;
  let source: string;
  if (opts.authPassFile !== undefined) {
    source = `--auth-pass-file '${opts.authPassFile}'`;
    const text = await readUserFile(opts.authPassFile, '--auth-pass-file', 'utf8');
    password = /^[^\r\n]*/.exec(text)![0];
  } else if (opts.authPass !== undefined) {
    source = '--auth-pass';
    password = opts.authPass;
  } else {
    source = AUTH_PASS_ENV;
    password = envPass;
  }
  if (password === undefined)
    throw new UsageError(
      `--auth-user needs a password: --auth-pass-file <file>, the ${AUTH_PASS_ENV} environment variable, or --auth-pass`,
    );
  if (!password) throw new UsageError(`the password from ${source} is empty`);
  if (/[\0\r\n]/.test(password)) throw new UsageError(`the password from ${source} holds a NUL or line break`);
  return definedOnly({ user, password, mechanism: opts.authMech || undefined, insecure: Boolean(opts.authInsecure) });
}

/** host[:port], [v6]:port: an IP address, "localhost", or a host name (to A-labels). */
function parseServer(v: string): { host: string; port: number } {
  const hp = parseHostPort(v, 25, '--server');
  if (isIP(hp.host)) return hp;
  if (hp.host.toLowerCase() === 'localhost') return { host: 'localhost', port: hp.port };
  return { host: toALabel(hp.host, '--server'), port: hp.port };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
