// DKIM-Signature fields (RFC 6376 §3.5) parsed and checked as §6.1.1 says, before any DNS query.
// Pure: a bad signature is `{ error }` (result neutral, RFC 8601 §2.7.1), never a throw.
import type { HeaderField } from '../message.js';
import type { Canon } from './canonicalize.js';
import { stripFws, strictTagList } from '../../auth/shared/tag-list.js';

export interface DkimSignature {
  field: HeaderField;
  algorithm: string;
  keyType: 'rsa' | 'ed25519';
  hash: 'sha256' | 'sha1';
  headerCanon: Canon;
  bodyCanon: Canon;
  domain: string;
  selector: string;
  /** i= (default "@" + d=). */
  identity: string;
  signedHeaders: string[];
  bodyHash: string;
  signature: Buffer;
  /** b= as written (folding removed), for header.b in Authentication-Results (RFC 6008). */
  b: string;
  bodyLength?: number;
  timestamp?: number;
  expires?: number;
}

export type SignatureParse =
  | { ok: true; sig: DkimSignature }
  | { ok: false; reason: string; domain: string; selector: string; algorithm: string; b?: string };

const REQUIRED = ['v', 'a', 'b', 'bh', 'd', 'h', 's'];
/** h= names verified per signature; real signers list 5–60 (oversigning included). */
export const MAX_SIGNED_FIELDS = 256;
const ALGORITHMS: Record<string, { keyType: 'rsa' | 'ed25519'; hash: 'sha256' | 'sha1' }> = {
  'rsa-sha256': { keyType: 'rsa', hash: 'sha256' },
  'rsa-sha1': { keyType: 'rsa', hash: 'sha1' },
  'ed25519-sha256': { keyType: 'ed25519', hash: 'sha256' }, // RFC 8463 §3
};
const DOMAIN =
  /^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export function parseSignature(field: HeaderField, nowSeconds: number): SignatureParse {
  const value = field.raw.slice(field.raw.indexOf(':') + 1);
  const parsed = strictTagList(value);
  if ('error' in parsed)
    return { ok: false, reason: `signature syntax error: ${parsed.error}`, domain: '', selector: '', algorithm: '' };
  const t = parsed.tags;
  const domain = stripFws(t.get('d') ?? '')
    .toLowerCase()
    .replace(/\.$/, '');
  const selector = stripFws(t.get('s') ?? '').toLowerCase();
  const algorithm = stripFws(t.get('a') ?? '').toLowerCase();
  const b = stripFws(t.get('b') ?? '');
  const bad = (reason: string): SignatureParse => {
    const failed: SignatureParse = { ok: false, reason, domain, selector, algorithm };
    if (b) failed.b = b;
    return failed;
  };

  const missing = REQUIRED.filter((k) => !t.has(k));
  if (missing.length) return bad(`signature lacks required tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}=`);
  if (t.get('v') !== '1') return bad(`unsupported signature version v=${t.get('v')}`);
  const alg = ALGORITHMS[algorithm];
  if (!alg) return bad(`unsupported algorithm a=${algorithm}`);
  if (!DOMAIN.test(domain)) return bad(`d=${domain} is not a domain name`);
  if (!DOMAIN.test(selector)) return bad(`s=${selector} is not a valid selector`);
  const [hc = 'simple', bc = 'simple', ...extra] = (t.get('c') ?? 'simple/simple')
    .toLowerCase()
    .split('/')
    .map((x) => x.trim());
  if (extra.length || !isCanon(hc) || !isCanon(bc)) return bad(`unsupported canonicalization c=${t.get('c')}`);
  const q = t.get('q');
  if (q !== undefined && !q.split(':').some((x) => x.trim().toLowerCase() === 'dns/txt'))
    return bad(`unsupported query method q=${q}`);

  const names = t.get('h')!.split(':');
  // Bounded work per signature: every name is a header field to find and hash (issue #13).
  if (names.length > MAX_SIGNED_FIELDS)
    return bad(`h= names ${names.length} header fields, more than the ${MAX_SIGNED_FIELDS} verified per signature`);
  const signedHeaders = names.map((h) => stripFws(h).toLowerCase()).filter(Boolean);
  // §6.1.1: a signature that does not cover From: must be ignored (PERMFAIL "From field not signed").
  if (!signedHeaders.includes('from')) return bad('From: is not among the signed header fields (h=)');

  // §3.5: i= is dkim-quoted-printable (i=jlong=40example.com is jlong@example.com).
  const identity = t.has('i') ? decodeDkimQuotedPrintable(t.get('i')!) : `@${domain}`;
  if (identity === undefined) return bad(`i=${stripFws(t.get('i')!)} is not dkim-quoted-printable`);
  const iDomain = identity
    .slice(identity.lastIndexOf('@') + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  // §6.1.1: the i= domain must be d= or a subdomain of it.
  if (!identity.includes('@') || (iDomain !== domain && !iDomain.endsWith(`.${domain}`)))
    return bad(`i=${identity} is not within d=${domain}`);

  let bodyLength: number | undefined;
  if (t.has('l')) {
    const l = stripFws(t.get('l')!);
    if (!/^\d{1,76}$/.test(l)) return bad(`l=${l} is not a number`);
    bodyLength = Number(l);
  }
  const timestamp = t.has('t') ? Number(stripFws(t.get('t')!)) : undefined;
  const expires = t.has('x') ? Number(stripFws(t.get('x')!)) : undefined;
  if (timestamp !== undefined && !Number.isInteger(timestamp)) return bad('t= is not a number');
  if (expires !== undefined && !Number.isInteger(expires)) return bad('x= is not a number');
  // §3.5 x=: the value MUST be greater than t=; a signature past x= is expired (§6.1.1).
  if (expires !== undefined && timestamp !== undefined && expires < timestamp)
    return bad('x= (expiry) is before t= (signing time)');
  if (expires !== undefined && expires < nowSeconds)
    return bad(`signature expired at ${new Date(expires * 1000).toISOString()}`);

  const bodyHash = stripFws(t.get('bh')!);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(bodyHash) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b))
    return bad('b= or bh= is not base64');
  return {
    ok: true,
    sig: {
      field,
      algorithm,
      keyType: alg.keyType,
      hash: alg.hash,
      headerCanon: hc,
      bodyCanon: bc,
      domain,
      selector,
      identity,
      signedHeaders,
      bodyHash,
      signature: Buffer.from(b, 'base64'),
      b,
      bodyLength,
      timestamp,
      expires,
    },
  };
}

function isCanon(c: string): c is Canon {
  return c === 'simple' || c === 'relaxed';
}

/**
 * RFC 6376 §2.11 dkim-quoted-printable: FWS is ignored, "=" and two hex digits stand for an octet, anything else
 * from dkim-safe-char is itself; 8-bit octets pass through (UTF-8 local-parts, RFC 8616). Undefined when the value is
 * not that (a lone "=", "=4", a ";").
 */
export function decodeDkimQuotedPrintable(value: string): string | undefined {
  const s = stripFws(value);
  if (!/^(?:[\x21-\x3a\x3c\x3e-\x7e\x80-\xff]|=[0-9A-Fa-f]{2})*$/.test(s)) return undefined;
  return s.includes('=') ? s.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}
