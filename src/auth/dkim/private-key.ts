// A DKIM private key from text: PEM (PKCS#1, PKCS#8) or the bare base64 32-byte Ed25519 seed that dkimpy's
// dknewkey writes (RFC 8463 §3). Shared by `dkim --key` and `send --dkim-key`. Pure apart from node:crypto.
import { createPrivateKey, type KeyObject } from 'node:crypto';

// PKCS#8 PrivateKeyInfo header for a 32-byte Ed25519 seed (RFC 8410 §7).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The key, or undefined when the text is neither (the caller says which file and why). */
export function parseDkimPrivateKey(text: string): KeyObject | undefined {
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

/** The DKIM signing algorithms' key types (RFC 6376 rsa, RFC 8463 ed25519), with the size DKIM talks about. */
export function dkimKeyType(key: KeyObject): { type: 'rsa' | 'ed25519'; bits: number } | { type: string | undefined; bits: null } {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { type, bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  if (type === 'ed25519') return { type, bits: 256 };
  return { type, bits: null };
}
