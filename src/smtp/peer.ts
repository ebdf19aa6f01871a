// What the other end gave us, read off the socket: a TCP error's meaning, the TLS key exchange, the certificate
// chain as sent (RFC 5246 §7.4.2 / RFC 8446 §4.4.2). Used by session.ts.
import { X509Certificate } from 'node:crypto';
import type { EphemeralKeyInfo, TLSSocket } from 'node:tls';
import { definedOnly } from '../core/object.js';

/** How messages name an SMTP peer: `mx.example.com [192.0.2.1]:25`, or `192.0.2.1:25` when it was given as an address. */
export function endpointLabel(name: string, address: string, port: number): string {
  return name === address ? `${address}:${port}` : `${name} [${address}]:${port}`;
}

export type ConnectFailureKind = 'refused' | 'timeout' | 'unreachable' | 'reset' | 'error';
export interface ConnectFailure {
  kind: ConnectFailureKind;
  code?: string;
  message: string;
}

export function connectFailure(e: NodeJS.ErrnoException): ConnectFailure {
  const code = e.code;
  switch (code) {
    case 'ECONNREFUSED':
      return {
        kind: 'refused',
        code,
        message: 'connection refused (nothing listens on that port, or a firewall rejects it)',
      };
    case 'ETIMEDOUT':
      return { kind: 'timeout', code, message: 'TCP connection timed out' };
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return { kind: 'unreachable', code, message: `no route to the host (${code})` };
    case 'ECONNRESET':
      return { kind: 'reset', code, message: 'connection reset during the TCP handshake' };
    default:
      return definedOnly({ kind: 'error', code: code || undefined, message: `${code ?? 'error'}: ${e.message}` });
  }
}

export function ephemeralKey(sock: TLSSocket): EphemeralKeyInfo | null {
  const k = sock.getEphemeralKeyInfo();
  return k && 'type' in k ? k : null;
}

/** The certificates the server sent, leaf first (issuer links followed until they repeat). */
export function peerChain(sock: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  // getPeerCertificate(true) gives plain objects linked by issuerCertificate; rebuild X509Certificate from DER.
  let c: { raw?: Buffer; fingerprint256?: string; issuerCertificate?: unknown } | undefined =
    sock.getPeerCertificate(true);
  while (c?.raw && c.fingerprint256 && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    try {
      out.push(new X509Certificate(c.raw));
    } catch {
      break;
    }
    c = c.issuerCertificate as typeof c;
  }
  return out;
}
