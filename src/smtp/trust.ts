// The trust store a certificate is verified against: Node's bundled roots, the system bundle (as OpenSSL
// and Postfix see it), and any private CA given with --ca.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

let system: string[] | undefined;

/** PEM blocks of the system CA bundle (first readable of the usual paths), read once. */
export function systemCertificates(paths = SYSTEM_BUNDLES): string[] {
  if (system) return system;
  for (const p of paths) {
    try {
      system = splitPem(readFileSync(p, 'utf8'));
      return system;
    } catch {
      // try the next location
    }
  }
  system = [];
  return system;
}

/** All trust anchors: bundled roots, system roots and the extra PEM certificates. */
export function trustAnchors(extra: readonly string[] = []): string[] {
  return [...new Set([...rootCertificates, ...systemCertificates(), ...extra.flatMap(splitPem)])];
}

export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
