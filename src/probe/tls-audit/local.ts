// What this machine's TLS client can put in a ClientHello: Node's OpenSSL (3.0 in Node 20, its own copy, not the
// system's) decides which versions and suites an audit can try. What it cannot offer is reported "not tested",
// never "not offered". Asked once per process, by building a client context for each (no network).
import { createSecureContext, type SecureVersion } from 'node:tls';
import { LEGACY_SUITES, TLS13_SUITES, type TlsVersion } from './suites.js';

export interface LocalTls {
  /** OpenSSL's version string (process.versions.openssl). */
  openssl: string;
  /** Versions a handshake can be limited to (min = max). */
  versions: Set<TlsVersion>;
  /** IANA names of the suites a client context accepts, at @SECLEVEL=0 (no key size or version floor). */
  suites: Set<string>;
}

let cached: LocalTls | undefined;

/** Versions Node's minVersion/maxVersion know; SSL 3 and SSL 2 are not built into OpenSSL 3.0. */
const NODE_VERSIONS: readonly SecureVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'];

export function localTls(): LocalTls {
  if (cached) return cached;
  const versions = new Set<TlsVersion>();
  for (const v of NODE_VERSIONS)
    if (builds({ minVersion: v, maxVersion: v, ciphers: 'ALL:@SECLEVEL=0' })) versions.add(v);
  // Node has no switch for SSL 3 at all; its legacy method tells whether OpenSSL was built with it.
  if (builds({ secureProtocol: 'SSLv3_method' })) versions.add('SSLv3');
  const suites = new Set<string>();
  for (const s of [...TLS13_SUITES, ...LEGACY_SUITES]) {
    if (!s.openssl) continue;
    // A TLS 1.3 name in `ciphers` goes to the TLS 1.3 list; ≤ 1.2 names need the security level off.
    const ciphers = s.since === 'TLSv1.3' ? s.openssl : `${s.openssl}:@SECLEVEL=0`;
    if (builds({ ciphers, minVersion: 'TLSv1', maxVersion: s.since === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2' }))
      suites.add(s.iana);
  }
  cached = { openssl: process.versions.openssl ?? 'unknown', versions, suites };
  return cached;
}

function builds(o: Parameters<typeof createSecureContext>[0]): boolean {
  try {
    createSecureContext(o);
    return true;
  } catch {
    return false;
  }
}
