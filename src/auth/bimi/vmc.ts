// The BIMI evidence document: a Verified Mark Certificate (or Common Mark Certificate) in PEM. We check what can be
// checked offline — it parses, its dates against ctx.now(), the BIMI EKU, and that it names the domain (RFC 5280
// names). Chain validation against the mark verifying authorities' roots is not done here. Pure.
import { X509Certificate } from 'node:crypto';
import { splitPem } from '../../smtp/trust.js';

/** id-kp-BrandIndicatorforMessageIdentification, from the IANA SMI registry for PKIX extended key purposes. */
export const BIMI_EKU = '1.3.6.1.5.5.7.3.31';

export interface VmcInspection {
  certificates: number;
  subject: string | null;
  issuer: string | null;
  validFrom: string | null;
  validTo: string | null;
  altNames: string[];
  /** The BIMI extended key usage is present on the leaf. */
  bimiEku: boolean;
  expired: boolean;
  notYetValid: boolean;
  /** A subjectAltName equals the domain or its organizational domain. */
  coversDomain: boolean;
  error?: string;
}

export function inspectVmc(pem: string, o: { domain: string; orgDomain: string; now: Date }): VmcInspection {
  const blocks = splitPem(pem);
  const empty: VmcInspection = {
    certificates: blocks.length,
    subject: null,
    issuer: null,
    validFrom: null,
    validTo: null,
    altNames: [],
    bimiEku: false,
    expired: false,
    notYetValid: false,
    coversDomain: false,
  };
  if (!blocks.length) return { ...empty, error: 'no PEM certificate in the file' };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(blocks[0]!);
  } catch (e) {
    return { ...empty, error: `the first certificate does not parse: ${(e as Error).message}` };
  }
  const altNames = (leaf.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4).toLowerCase());
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  const now = o.now.getTime();
  return {
    ...empty,
    subject: leaf.subject.split('\n').join(', '),
    issuer: leaf.issuer.split('\n').join(', '),
    validFrom: from.toISOString(),
    validTo: to.toISOString(),
    altNames,
    bimiEku: (leaf.keyUsage ?? []).includes(BIMI_EKU),
    expired: now > to.getTime(),
    notYetValid: now < from.getTime(),
    coversDomain: altNames.includes(o.domain) || altNames.includes(o.orgDomain),
  };
}
