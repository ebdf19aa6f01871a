// Test keys made at run time and the zone text that publishes them (no private key lives in the repo).
import { generateKeyPairSync } from 'node:crypto';
import { parseZone } from '../../../src/dns/zone/parse.js';
import { zoneResolver } from '../../../src/dns/zone/resolver.js';

export interface TestKey {
  type: 'rsa' | 'ed25519';
  privatePem: string;
  p: string;
}

export function makeKey(type: 'rsa' | 'ed25519', bits = 2048): TestKey {
  if (type === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    return {
      type,
      privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      p: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    type,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    p: publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64'),
  };
}

/** A TXT rdata in 255-byte strings, as zone files (and knot) need. */
export function txt(value: string): string {
  const parts = value.match(/.{1,250}/g) ?? [''];
  return `( ${parts.map((s) => `"${s}"`).join(' ')} )`;
}

export function keyRecord(k: TestKey, extra = ''): string {
  return txt(`v=DKIM1; k=${k.type}; ${extra}p=${k.p}`);
}

export function resolverFor(zoneText: string) {
  return zoneResolver([parseZone(zoneText)]);
}

export const SOA = `@ SOA ns hostmaster 1 3600 600 604800 300\n@ NS ns\nns A 192.0.2.53\n`;

/** mailauth's dkimSign as it behaves at run time (its index.d.ts describes the options without signatureData). */
export interface MailauthSignature {
  signingDomain: string;
  selector: string;
  privateKey: string;
  algorithm?: string;
  canonicalization?: string;
  headerList?: string[];
  /** l= (the canonical body length covered). */
  maxBodyLength?: number;
}
export async function mailauthSign(
  message: Buffer,
  signatureData: MailauthSignature[],
  signTime?: Date,
): Promise<Buffer> {
  const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
  const sign = dkimSign as unknown as (m: Buffer, o: object) => Promise<{ signatures: string; errors?: unknown[] }>;
  // mailauth reads the clock twice without signTime and, across a second boundary, writes a t= it did not sign.
  const r = await sign(message, { signatureData, signTime: signTime ?? new Date() });
  if (r.errors?.length) throw new Error(`mailauth could not sign: ${JSON.stringify(r.errors)}`);
  return Buffer.concat([Buffer.from(r.signatures), message]);
}
