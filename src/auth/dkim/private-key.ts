// A DKIM private key from text: PEM (PKCS#1, PKCS#8) or the bare base64 32-byte Ed25519 seed that dkimpy's
// dknewkey writes (RFC 8463 §3). Shared by `dkim --key` and `send --dkim-key`. Pure apart from node:crypto; bad input
// is a UsageError (one line, exit 2).
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { UsageError } from '../../core/errors.js';

// PKCS#8 PrivateKeyInfo header for a 32-byte Ed25519 seed (RFC 8410 §7).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface DkimPrivateKeyParsed {
  key: KeyObject;
  type: 'rsa' | 'ed25519';
  /** The size DKIM talks about: the RSA modulus, 256 for Ed25519. */
  bits: number;
}

/**
 * The key in `text`, or a UsageError naming `source` (a file, a flag) when it is not a private key or not one of
 * DKIM's signing key types (RFC 6376 rsa, RFC 8463 ed25519).
 */
export function parseDkimPrivateKey(text: string, source: string): DkimPrivateKeyParsed {
  const key = readKey(text.trim());
  if (!key) throw new UsageError(`${source} is not a PEM private key (RSA or Ed25519)`);
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { key, type, bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  if (type === 'ed25519') return { key, type, bits: 256 };
  throw new UsageError(`${source} holds a ${type} key; DKIM signs with RSA or Ed25519 (RFC 6376, RFC 8463)`);
}

function readKey(trimmed: string): KeyObject | undefined {
  try {
    if (trimmed.includes('-----BEGIN')) return createPrivateKey(trimmed);
    if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
      return createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(trimmed, 'base64')]),
        format: 'der',
        type: 'pkcs8',
      });
    }
  } catch {
    // falls through: not a key we can read
  }
  return undefined;
}
