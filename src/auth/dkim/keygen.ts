// DKIM key pairs and the TXT record that publishes them (RFC 6376 §3.6.1 RSA, RFC 8463 §4.2 Ed25519),
// split into ≤255-byte character-strings (RFC 1035 §3.3.14) with a ready zone-file line. Pure apart from crypto.
import { generateKeyPairSync } from 'node:crypto';
import { dkimPublicKeyValue } from './public-key.js';

export type DkimKeyType = 'rsa' | 'ed25519';

export interface DkimKeygenOptions {
  domain: string;
  selector: string;
  type?: DkimKeyType;
  /** RSA modulus size (default 2048; ignored for Ed25519). */
  bits?: number;
  /** TTL for the zone-file line (default 3600). */
  ttl?: number;
}

export interface GeneratedDkimKey {
  type: DkimKeyType;
  bits: number;
  /** RSA: PKCS#1 ("BEGIN RSA PRIVATE KEY"), which OpenDKIM, Mail::DKIM and dkimpy all read; Ed25519: PKCS#8. */
  privateKeyPem: string;
  /** <selector>._domainkey.<domain> */
  name: string;
  /** The record text as verifiers see it (strings joined). */
  record: string;
  /** The record split into character-strings of at most 255 bytes. */
  strings: string[];
  /** `name. TTL IN TXT "…" "…"` for a zone file. */
  zoneLine: string;
}

export const MIN_RSA_BITS = 1024;
export const MAX_RSA_BITS = 4096;

export function generateDkimKey(opts: DkimKeygenOptions): GeneratedDkimKey {
  const type = opts.type ?? 'rsa';
  const bits = type === 'rsa' ? (opts.bits ?? 2048) : 256;
  if (type === 'rsa' && (!Number.isInteger(bits) || bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)) {
    throw new RangeError(`RSA key size must be an integer from ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits`);
  }
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 })
      : generateKeyPairSync('ed25519');
  const privateKeyPem = privateKey
    .export(type === 'rsa' ? { type: 'pkcs1', format: 'pem' } : { type: 'pkcs8', format: 'pem' })
    .toString();
  const record = `v=DKIM1; k=${type}; p=${dkimPublicKeyValue(publicKey)}`;
  const name = `${opts.selector}._domainkey.${opts.domain}`;
  const strings = splitTxt(record);
  const zoneLine = `${name}. ${opts.ttl ?? 3600} IN TXT ${strings.map((s) => `"${s}"`).join(' ')}`;
  return { type, bits, privateKeyPem, name, record, strings, zoneLine };
}

/** Splits text into character-strings of at most `max` bytes (the record is ASCII: base64 and tags). */
export function splitTxt(text: string, max = 255): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += max) out.push(text.slice(i, i + max));
  return out.length ? out : [''];
}

/** What `mailcheck dkim keygen` reports (the contract's JSON: domain, selector, keyFile, record, zoneLine). */
export interface DkimKeygenResult {
  kind: 'dkim-keygen';
  domain: string;
  selector: string;
  keyFile: string;
  record: string;
  zoneLine: string;
  type: DkimKeyType;
  bits: number;
  name: string;
  strings: string[];
}
