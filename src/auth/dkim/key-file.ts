// Reads a DKIM private key file (--key): PEM (PKCS#1, PKCS#8) or the bare base64 Ed25519 seed that
// dkimpy's dknewkey writes (RFC 8463 §3). Bad input is a UsageError: one line, exit 2.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readUserFile } from '../../core/user-file.js';
import { parseDkimPrivateKey } from './private-key.js';

export interface DkimPrivateKey {
  path: string;
  type: 'rsa' | 'ed25519';
  bits: number;
  publicKey: KeyObject;
}

export async function readDkimPrivateKey(path: string): Promise<DkimPrivateKey> {
  const text = await readUserFile(path, 'key file', 'utf8');
  const { key, type, bits } = parseDkimPrivateKey(text, `key file '${path}'`);
  return { path, type, bits, publicKey: createPublicKey(key) };
}
