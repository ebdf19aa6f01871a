// DKIM signing through mailauth's signer (RFC 6376, RFC 8463 Ed25519), relaxed/relaxed, with the checks
// mailauth leaves out: From must be signed (§5.4), RSA keys of at least 1024 bits (RFC 8301 §3.2), one clock.
import type { KeyObject } from 'node:crypto';
import { parseDkimPrivateKey } from '../auth/dkim/private-key.js';
import { UsageError } from '../core/errors.js';

export interface SigningKey {
  key: KeyObject;
  type: 'rsa' | 'ed25519';
  bits: number;
}

export interface DkimSigned {
  message: Buffer;
  /** The DKIM-Signature field as prepended (folded, CRLF-terminated). */
  header: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  domain: string;
  selector: string;
  keyBits: number;
  /** Header fields the signature covers (h=). */
  signedHeaders: string[];
}

/**
 * The header fields to sign when present: mailauth 4.13's default list plus List-Unsubscribe-Post, which RFC 8058 §4
 * asks to be signed with List-Unsubscribe (and which Gmail and Yahoo need for one-click unsubscribe); mailauth's
 * default leaves it out. A string: mailauth ignores a list given as an array.
 */
export const SIGNED_FIELDS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
  'Content-ID:Content-Description:Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:Resent-Message-ID:' +
  'In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Unsubscribe-Post:List-Subscribe:List-Post:' +
  'List-Owner:List-Archive:BIMI-Selector';

/** RFC 8301 §3.2: signers MUST use RSA keys of at least 1024 bits (and SHOULD use 2048). */
export const MIN_SIGNING_RSA_BITS = 1024;

/** A private key from PEM (PKCS#1 or PKCS#8) or a base64 Ed25519 seed; anything else is a UsageError. */
export function parseSigningKey(text: string, source: string): SigningKey {
  const { key, type, bits } = parseDkimPrivateKey(text, source);
  if (type === 'rsa' && bits < MIN_SIGNING_RSA_BITS) {
    throw new UsageError(
      `${source} is a ${bits}-bit RSA key; RFC 8301 §3.2 requires at least ${MIN_SIGNING_RSA_BITS} bits (use 2048)`,
    );
  }
  return { key, type, bits };
}

export async function dkimSignMessage(
  message: Buffer,
  o: { key: SigningKey; domain: string; selector: string; now: Date },
): Promise<DkimSigned> {
  // RFC 6376 §5.4: the From header field MUST be signed; mailauth would sign without it and verifiers reject that.
  if (!/(^|\r\n)from:/i.test(headerOf(message))) {
    throw new UsageError('cannot DKIM-sign a message without a From: header field (RFC 6376 §5.4)');
  }
  const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
  // mailauth's types describe top-level options; at run time it reads signatureData (see its DkimSigner).
  const sign = dkimSign as unknown as (
    m: Buffer,
    opts: object,
  ) => Promise<{ signatures: string; errors?: { err?: Error }[] }>;
  const algorithm = o.key.type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256';
  const r = await sign(message, {
    // One clock: without signTime mailauth reads it twice and can write a t= it did not sign.
    signTime: o.now,
    headerList: SIGNED_FIELDS,
    signatureData: [
      {
        signingDomain: o.domain,
        selector: o.selector,
        algorithm,
        canonicalization: 'relaxed/relaxed',
        privateKey: o.key.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    ],
  });
  if (r.errors?.length || !r.signatures.trim()) {
    throw new UsageError(
      `DKIM signing failed: ${r.errors?.map((e) => e.err?.message ?? String(e)).join('; ') || 'no signature produced'}`,
    );
  }
  const header = r.signatures;
  const h = /\bh=([^;]+)/.exec(header.replace(/\r\n[ \t]+/g, ' '))?.[1] ?? '';
  return {
    message: Buffer.concat([Buffer.from(header, 'utf8'), message]),
    header,
    algorithm,
    domain: o.domain,
    selector: o.selector,
    keyBits: o.key.bits,
    signedHeaders: h
      .split(':')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  };
}

function headerOf(message: Buffer): string {
  const end = message.indexOf('\r\n\r\n');
  return `\r\n${(end < 0 ? message : message.subarray(0, end)).toString('latin1')}`;
}
