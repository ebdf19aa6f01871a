// Reads a DKIM private key file (--key): PEM (PKCS#1, PKCS#8) or the bare base64 Ed25519 seed that
// dkimpy's dknewkey writes (RFC 8463 §3). Bad input is a UsageError: one line, exit 2.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';

export interface DkimPrivateKey {
  path: string;
  type: 'rsa' | 'ed25519';
  bits: number;
  publicKey: KeyObject;
}

// PKCS#8 PrivateKeyInfo header for a 32-byte Ed25519 seed (RFC 8410 §7).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export async function readDkimPrivateKey(path: string): Promise<DkimPrivateKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read key file '${path}': ${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message}`);
  }
  const key = parsePrivateKey(text);
  if (!key) throw new UsageError(`key file '${path}' is not a PEM private key (RSA or Ed25519)`);
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') throw new UsageError(`key file '${path}' holds a ${type} key; DKIM signs with RSA or Ed25519`);
  return { path, type, bits: type === 'rsa' ? key.asymmetricKeyDetails?.modulusLength ?? 0 : 256, publicKey: createPublicKey(key) };
}

function parsePrivateKey(text: string): KeyObject | undefined {
  const trimmed = text.trim();
  try {
    if (trimmed.includes('-----BEGIN')) return createPrivateKey(trimmed);
    if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
      return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(trimmed, 'base64')]), format: 'der', type: 'pkcs8' });
    }
  } catch {
    // falls through: not a key we can read
  }
  return undefined;
}
