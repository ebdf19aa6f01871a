// What a server's TLS certificate says (RFC 5280): names, validity against ctx.now(), self-signed or not,
// the RFC 6125 name check (tls.checkServerIdentity) and the handshake's chain verdict. Pure apart from crypto.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { definedOnly } from '../core/object.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Subject alternative names without their "DNS:" / "IP Address:" prefix. */
  altNames: string[];
  selfSigned: boolean;
  /** Does the certificate cover the name we connected to? null when there was no name to check (an IP target). */
  hostnameMatch: boolean | null;
  /** Chain verified against the trust store (system CAs plus --ca) by the handshake. */
  trusted: boolean;
  /** The name the certificate was checked against. */
  checkedName: string | null;
  /** Why the chain did not verify (OpenSSL's code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  trustError?: string;
  /** Why the name did not match. */
  hostnameError?: string;
  expired: boolean;
  notYetValid: boolean;
  /** Whole days from now until validTo (negative once expired). */
  daysLeft: number;
  serialNumber: string;
  fingerprint256: string;
  keyType: string | null;
  keyBits: number | null;
  /** Certificates the server sent, leaf included. */
  chainLength: number;
}

export interface InspectOptions {
  /** The name we meant to reach (MX exchange or host name); an IP address is checked against IP SANs. */
  hostname?: string;
  now: Date;
  authorized: boolean;
  authorizationError?: string;
  chainLength?: number;
}

const DAY = 86_400_000;
/** Dates are judged against ctx.now(), not the handshake's clock; their errors are findings of their own. */
export const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

export function inspectCertificate(cert: X509Certificate, o: InspectOptions): CertificateInfo {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const now = o.now.getTime();
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails;
  const name = o.hostname ?? null;
  const identityError = name ? hostnameError(cert, name) : undefined;
  return definedOnly({
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    validFrom: from.toISOString(),
    validTo: to.toISOString(),
    altNames: altNames(cert.subjectAltName),
    selfSigned: isSelfSigned(cert),
    hostnameMatch: name ? identityError === undefined : null,
    hostnameError: identityError || undefined,
    trusted: o.authorized,
    trustError: o.authorizationError || undefined,
    checkedName: name,
    expired: now > to.getTime(),
    notYetValid: now < from.getTime(),
    daysLeft: Math.floor((to.getTime() - now) / DAY),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    keyType: key.asymmetricKeyType ?? null,
    keyBits: details?.modulusLength ?? (key.asymmetricKeyType === 'ec' ? curveBits(details?.namedCurve) : null),
    chainLength: o.chainLength ?? 1,
  });
}

/** RFC 6125 through Node's checkServerIdentity (wildcards in the left-most label only, IP SANs for IPs). */
export function hostnameError(cert: X509Certificate, hostname: string): string | undefined {
  const legacy = cert.toLegacyObject() as PeerCertificate & { subjectaltname?: string };
  // toLegacyObject leaves out the SANs that checkServerIdentity reads; put them back.
  if (cert.subjectAltName) legacy.subjectaltname = cert.subjectAltName;
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const err = checkServerIdentity(isIP(host) ? host : host.toLowerCase(), legacy);
  return err ? err.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '') : undefined;
}

/** Issuer name equals subject name and the signature verifies with its own key. (Not checkIssued: OpenSSL's
 *  issuer check also wants keyCertSign, which a self-signed server certificate usually lacks.) */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.issuer === cert.subject && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** "CN=mx.example\nO=Example" → "CN=mx.example, O=Example". */
function dn(s: string): string {
  return s.split('\n').filter(Boolean).join(', ');
}

function altNames(s: string | undefined): string[] {
  if (!s) return [];
  return s
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address|email|URI):/, '').trim())
    .filter(Boolean);
}

function curveBits(curve: string | undefined): number | null {
  const m = /(\d{3})/.exec(curve ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * Why a certificate does not authenticate the server, for a sender that verifies (RFC 7672 §3.2 would use DANE;
 * without it, RFC 8461 §4.2 / RFC 6125: a chain to a trusted CA, a name that matches, dates that hold).
 * Empty when it verifies. Dates are judged against the caller's clock (inspectCertificate's `now`).
 */
export function verificationProblems(c: CertificateInfo): string[] {
  const out: string[] = [];
  if (c.expired) out.push(`it expired on ${c.validTo.slice(0, 10)}`);
  else if (c.notYetValid) out.push(`it is not valid before ${c.validFrom.slice(0, 10)}`);
  if (c.hostnameMatch === false)
    out.push(`it is for ${c.altNames.length ? c.altNames.join(', ') : c.subject}, not ${c.checkedName}`);
  // A self-signed certificate given with --ca is a trust anchor of its own: the chain verdict decides.
  if (!c.trusted && !DATE_ERRORS.has(c.trustError ?? ''))
    out.push(
      c.selfSigned
        ? 'it is self-signed'
        : `its chain does not lead to a trusted CA (${c.trustError ?? 'unknown reason'})`,
    );
  return out;
}
