// Public keys of fixtures/keys/*.pem in the forms DKIM records use (shared by the DKIM unit tests).
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const KEYS_DIR = new URL('../../../../fixtures/keys/', import.meta.url).pathname;

export function spki(file: string): string {
  return createPublicKey(readFileSync(KEYS_DIR + file, 'utf8'))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
}

export function pkcs1(file: string): string {
  return createPublicKey(readFileSync(KEYS_DIR + file, 'utf8'))
    .export({ type: 'pkcs1', format: 'der' })
    .toString('base64');
}

/** RFC 8463 §4.2: the bare 32-byte Ed25519 key. */
export function ed25519Raw(file = 'ed25519.pem'): string {
  const der = createPublicKey(readFileSync(KEYS_DIR + file, 'utf8')).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32).toString('base64');
}
