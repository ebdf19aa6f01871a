// TLSA records for SMTP (RFC 6698 §2, RFC 7671, RFC 7672 §3.1): which ones an SMTP client can use, and whether one
// matches a served certificate chain. Pure apart from hashing.
import { createHash, X509Certificate } from 'node:crypto';
import type { TlsaRecord } from '../../dns/types.js';

export const USAGES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };
export const SELECTORS: Record<number, string> = { 0: 'Cert', 1: 'SPKI' };
export const MATCHING: Record<number, string> = { 0: 'Full', 1: 'SHA2-256', 2: 'SHA2-512' };
const DIGEST_BYTES: Record<number, number> = { 1: 32, 2: 64 };

/** "3 1 1 (DANE-EE SPKI SHA2-256) 2a4f…". */
export function describeTlsa(r: TlsaRecord): string {
  const names = [
    USAGES[r.usage] ?? r.usage,
    SELECTORS[r.selector] ?? r.selector,
    MATCHING[r.matchingType] ?? r.matchingType,
  ].join(' ');
  return `${r.usage} ${r.selector} ${r.matchingType} (${names}) ${r.data.length > 16 ? `${r.data.slice(0, 16)}…` : r.data}`;
}

/** Why an SMTP client must ignore this record, or null when it is usable. */
export function tlsaProblem(r: TlsaRecord): string | null {
  // RFC 7672 §3.1.3: there is no shared set of public CAs for SMTP, so PKIX usages are "unusable" there.
  if (r.usage === 0 || r.usage === 1)
    return `usage ${r.usage} (${USAGES[r.usage]}) is unusable for SMTP; use 3 (DANE-EE) or 2 (DANE-TA)`;
  if (r.usage !== 2 && r.usage !== 3) return `usage ${r.usage} is not defined`;
  if (r.selector !== 0 && r.selector !== 1) return `selector ${r.selector} is not defined`;
  if (!(r.matchingType in MATCHING)) return `matching type ${r.matchingType} is not defined`;
  const bytes = r.data.length / 2;
  const want = DIGEST_BYTES[r.matchingType];
  if (!/^[0-9a-f]*$/i.test(r.data) || r.data.length % 2) return 'the association data is not hexadecimal';
  if (want && bytes !== want) return `a ${MATCHING[r.matchingType]} digest is ${want} bytes, this one is ${bytes}`;
  if (r.matchingType === 0 && bytes < 64) return 'the full certificate or key data is implausibly short';
  return null;
}

/** The association data a certificate gives for selector/matching type (hex): what a TLSA record must hold. */
export function associationData(der: Buffer, selector: number, matchingType: number): string | null {
  let data: Buffer;
  if (selector === 0) data = der;
  else if (selector === 1) {
    try {
      data = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
    } catch {
      return null;
    }
  } else return null;
  if (matchingType === 0) return data.toString('hex');
  if (matchingType === 1) return createHash('sha256').update(data).digest('hex');
  if (matchingType === 2) return createHash('sha512').update(data).digest('hex');
  return null;
}

/**
 * Does the record match the chain the server sent (leaf first)? DANE-EE (3) is matched against the leaf only;
 * DANE-TA (2) against the certificates above the leaf, which the server must include (RFC 7671 §5.2.2).
 */
export function tlsaMatches(r: TlsaRecord, chain: readonly Buffer[]): boolean {
  if (tlsaProblem(r)) return false;
  let candidates = chain;
  if (r.usage === 3) candidates = chain.slice(0, 1);
  else if (chain.length > 1) candidates = chain.slice(1);
  const want = r.data.toLowerCase();
  return candidates.some((der) => associationData(der, r.selector, r.matchingType) === want);
}
