// `mailcheck dkim keygen`: generate a key pair, write the private key (0600, never over an existing file
// without --force), print the record to publish. Needs no DNS, so it builds no resolver.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { generateDkimKey, MAX_RSA_BITS, MIN_RSA_BITS, type DkimKeygenResult } from '../../auth/dkim/keygen.js';
import { UsageError } from '../../core/errors.js';
import { toALabel } from '../../core/names.js';
import { toJson } from '../../report/json.js';
import { renderDkimKeygen } from '../../report/text/dkim-keygen.js';
import { createTheme } from '../../report/theme.js';
import { outputWidth, useColor } from '../context.js';
import { parseInteger } from '../options.js';
import type { GlobalOptions } from '../global-options.js';

export interface KeygenOptions extends GlobalOptions {
  domain: string;
  selector: string;
  type?: string;
  bits?: string;
  out?: string;
  force?: boolean;
}

export async function run(opts: KeygenOptions): Promise<number> {
  const domain = toALabel(opts.domain);
  const selector = toALabel(opts.selector, 'selector');
  const type = (opts.type ?? 'rsa').toLowerCase();
  if (type !== 'rsa' && type !== 'ed25519') throw new UsageError(`--type '${opts.type}' is not rsa or ed25519`);
  if (type === 'ed25519' && opts.bits !== undefined)
    throw new UsageError('--bits applies to RSA keys only (Ed25519 keys are always 256 bits)');
  const sizes = `a key size from ${MIN_RSA_BITS} to ${MAX_RSA_BITS}`;
  const bits = opts.bits === undefined ? 2048 : parseInteger(opts.bits, '--bits', MIN_RSA_BITS, MAX_RSA_BITS, sizes);
  const keyFile = opts.out ?? `${selector}.${domain}.pem`;
  const key = generateDkimKey({ domain, selector, type, bits });
  await writePrivateKey(keyFile, key.privateKeyPem, Boolean(opts.force));
  const result: DkimKeygenResult = {
    kind: 'dkim-keygen',
    domain,
    selector,
    keyFile,
    record: key.record,
    zoneLine: key.zoneLine,
    type: key.type,
    bits: key.bits,
    name: key.name,
    strings: key.strings,
  };
  process.stdout.write(
    opts.json ? toJson(result) : renderDkimKeygen(result, createTheme(useColor(opts), outputWidth())),
  );
  return 0;
}

/** Mode 0600 from the first byte; O_EXCL refuses an existing file, --force replaces it atomically. */
async function writePrivateKey(path: string, pem: string, force: boolean): Promise<void> {
  const target = force ? join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`) : path;
  let handle;
  try {
    handle = await open(target, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`key file '${path}' already exists; use --force to overwrite it`);
    throw new UsageError(
      `cannot write key file '${path}': ${code === 'ENOENT' ? 'no such directory' : (code ?? (e as Error).message)}`,
    );
  }
  try {
    await handle.chmod(0o600); // whatever the umask
    await handle.writeFile(pem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (force) {
    try {
      await rename(target, path);
    } catch (e) {
      await unlink(target).catch(() => {});
      throw new UsageError(
        `cannot write key file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
}
