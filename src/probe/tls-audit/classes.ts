// How the NCSC-NL "ICT-beveiligingsrichtlijnen voor Transport Layer Security (TLS)" v2.1 (2021) class TLS
// settings, as internet.nl's mail test implements them: checks/tasks/tls/tls_constants.py and evaluation.py of
// github.com/internetstandards/Internet.nl at 53d0ad23, the last revision before "Update to NCSC 2025
// requirements" (397777a2). Where we part from that code, the comment says why. Pure.
import { suiteFamily } from './suites.js';

/** The four classes of the guidelines, best first. */
export type Verdict = 'good' | 'sufficient' | 'phase-out' | 'insufficient';

export const VERDICTS: readonly Verdict[] = ['good', 'sufficient', 'phase-out', 'insufficient'];

/** The worse of verdicts (null when there is none). */
export function worst(vs: readonly (Verdict | null | undefined)[]): Verdict | null {
  let out: Verdict | null = null;
  for (const v of vs) if (v && (out === null || VERDICTS.indexOf(v) > VERDICTS.indexOf(out))) out = v;
  return out;
}

/** NCSC table 1 (PROTOCOLS_GOOD / _SUFFICIENT / _PHASE_OUT; anything older is insufficient). */
export function versionVerdict(v: string): Verdict {
  switch (v) {
    case 'TLSv1.3':
      return 'good';
    // The issue that asked for this audit calls TLS 1.2 good; the guidelines and internet.nl call it sufficient.
    case 'TLSv1.2':
      return 'sufficient';
    case 'TLSv1.1':
    case 'TLSv1':
      return 'phase-out';
    default:
      return 'insufficient';
  }
}

// NCSC appendix C with footnotes 31 and 52, as CIPHERS_GOOD / _SUFFICIENT / _PHASE_OUT; anything else (NULL,
// anonymous, export, RC4, DES, IDEA, SEED, ARIA, CCM_8, DSS) is insufficient.
const GOOD = new Set([
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CCM',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CCM',
]);
const SUFFICIENT = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256',
  'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384',
  'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384',
  'TLS_DHE_RSA_WITH_AES_128_CCM',
  'TLS_DHE_RSA_WITH_AES_256_CCM',
]);
const PHASE_OUT = new Set([
  'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  // internet.nl lists TLS_RSA_WITH_CAMELLIA_* as sufficient, beside the forward-secret Camellia suites; the
  // guidelines put key exchange by RSA in phase-out (table 2), as internet.nl does for TLS_RSA_WITH_AES_*.
  'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA',
  'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256',
  'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA',
  'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256',
]);

export function suiteVerdict(iana: string): Verdict {
  if (GOOD.has(iana)) return 'good';
  if (PHASE_OUT.has(iana)) return 'phase-out';
  if (SUFFICIENT.has(iana)) return 'sufficient';
  return 'insufficient';
}

/** Why a suite is in its class, in a few words (the table's detail and the findings). */
export function suiteReason(iana: string): string {
  const { kex, auth } = suiteFamily(iana);
  if (/_NULL_/.test(iana)) return 'no encryption';
  if (auth === 'none') return 'no authentication (anonymous)';
  if (/EXPORT/.test(iana)) return 'export strength';
  if (/RC4|_DES_CBC|IDEA|SEED/.test(iana)) return 'broken or obsolete cipher';
  if (/3DES/.test(iana)) return '3DES (64-bit blocks)';
  if (/CCM_8/.test(iana)) return 'short (64-bit) authentication tag';
  if (/ARIA/.test(iana)) return 'ARIA is not in the guidelines';
  if (auth === 'DSS') return 'DSA authentication';
  if (kex === 'RSA') return 'no forward secrecy (RSA key exchange)';
  if (/GCM|CHACHA|CCM/.test(iana))
    return kex === 'DHE' ? 'AEAD, forward secrecy by finite-field DH' : 'AEAD with forward secrecy';
  return 'CBC with forward secrecy';
}

/** ECDHE groups: FS_EC_GOOD / FS_EC_PHASE_OUT; every other curve is insufficient (brainpool included, in v2.1). */
export function curveVerdict(name: string): Verdict {
  switch (name.toLowerCase()) {
    case 'x25519':
    case 'x448':
    case 'prime256v1':
    case 'secp256r1':
    case 'secp384r1':
    case 'secp521r1':
      return 'good';
    case 'secp224r1':
      return 'phase-out';
    default:
      return 'insufficient';
  }
}

/**
 * Finite-field DH (NCSC table 10): under 2048 bits insufficient, ffdhe2048 phase-out, ffdhe3072 and larger
 * sufficient. TLS 1.3 names the group; in TLS 1.2 Node tells the size but not the prime, so a custom 3072-bit
 * group counts as ffdhe3072 here where internet.nl (which reads the prime) would call it insufficient.
 */
export function dhVerdict(bits: number): Verdict {
  if (bits < 2048) return 'insufficient';
  if (bits < 3072) return 'phase-out';
  return 'sufficient';
}

/**
 * The certificate's public key (NCSC tables 8 and 9; internet.nl check_pubkey): RSA and DSA from 3072 bits good,
 * 2048 sufficient, less insufficient; ECDSA on P-256, P-384 (and P-521, which the issue allows) good, P-224
 * phase-out, other curves insufficient; Ed25519 and Ed448 good.
 */
export function keyVerdict(type: string | null, bits: number | null, curve?: string | null): Verdict {
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      if (bits === null || bits < 2048) return 'insufficient';
      return bits >= 3072 ? 'good' : 'sufficient';
    case 'ec':
      if (curve === 'secp224r1') return 'phase-out';
      return ['prime256v1', 'secp384r1', 'secp521r1'].includes(curve ?? '') ? 'good' : 'insufficient';
    case 'ed25519':
    case 'ed448':
      return 'good';
    default:
      return 'insufficient';
  }
}

/** The certificate signature's hash (NCSC table 5 via CERT_SIGALG_GOOD): SHA-256 and stronger, or EdDSA. */
export function signatureVerdict(hash: string | null): Verdict {
  return hash && ['sha256', 'sha384', 'sha512', 'ed25519', 'ed448'].includes(hash) ? 'good' : 'insufficient';
}
