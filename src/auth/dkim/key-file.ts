// Reads a DKIM private key file (--key): PEM (PKCS#1, PKCS#8) or the bare base64 Ed25519 seed that
// dkimpy's dknewkey writes (RFC 8463 §3). Bad input is a UsageError: one line, exit 2.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { parseDkimPrivateKey } from './private-key.js';

export interface DkimPrivateKey {
  path: string;
  type: 'rsa' | 'ed25519';
  bits: number;
  publicKey: KeyObject;
}

export async function readDkimPrivateKey(path: string): Promise<DkimPrivateKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read key file '${path}': ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`,
    );
  }
  const { key, type, bits } = parseDkimPrivateKey(text, `key file '${path}'`);
  return { path, type, bits, publicKey: createPublicKey(key) };
}
