// One-click unsubscribe (RFC 8058, asked of bulk senders by Gmail and Yahoo): a List-Unsubscribe field
// (RFC 2369) with an https URI, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and both fields covered by
// the h= of a DKIM signature that verified (RFC 8058 §4), so a forger cannot point the click elsewhere. Pure.
import type { DkimSignatureResult } from '../dkim/verify.js';
import { fieldValue, type HeaderField, type ParsedMessage } from '../message.js';

export interface UnsubscribeJudgement {
  ok: boolean;
  reason: string;
  /** A DKIM key lookup failed: the signature that would cover the fields might have verified. */
  temporary?: boolean;
}

const MAX_URIS = 20;

/** RFC 2369 §2: a comma-separated list of <URI>s (comments and folding allowed); returns the URIs. */
export function listUnsubscribeUris(value: string): string[] {
  const uris: string[] = [];
  const re = /<([^<>]*)>/g;
  for (let m = re.exec(value); m && uris.length < MAX_URIS; m = re.exec(value)) uris.push(m[1]!.replace(/\s+/g, ''));
  return uris;
}

/**
 * A URI's scheme for a reason (RFC 3986 §3.1), or "not a URI": never the sender's text itself — a 20 kB
 * List-Unsubscribe without a colon became a 20 kB reason, and verify's text report spent 43 s wrapping it.
 */
function scheme(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]{0,19}):/i.exec(uri);
  return m ? m[1]!.toLowerCase() : 'not a URI';
}

function isHttpsUri(uri: string): boolean {
  if (!/^https:/i.test(uri)) return false;
  try {
    return new URL(uri).hostname !== '';
  } catch {
    return false;
  }
}

export function judgeOneClick(msg: ParsedMessage, dkim: readonly DkimSignatureResult[]): UnsubscribeJudgement {
  // One pass over the fields, and none at all kept for a message without them (most that are not bulk mail).
  const lu: HeaderField[] = [];
  const post: HeaderField[] = [];
  for (let i = 0; i < msg.headers.length; i++) {
    const h = msg.headers[i]!;
    if (h.key === 'list-unsubscribe') lu.push(h);
    else if (h.key === 'list-unsubscribe-post') post.push(h);
  }
  if (!lu.length) return { ok: false, reason: 'there is no List-Unsubscribe field (RFC 2369, RFC 8058)' };
  if (lu.length > 1 || post.length > 1)
    return {
      ok: false,
      reason: `${lu.length > 1 ? `List-Unsubscribe appears ${lu.length} times` : `List-Unsubscribe-Post appears ${post.length} times`}: a receiver cannot tell which one to use`,
    };
  const uris = listUnsubscribeUris(fieldValue(lu[0]!));
  const https = uris.find(isHttpsUri);
  if (!https)
    return {
      ok: false,
      reason: uris.length
        ? `List-Unsubscribe has no https URI (${[...new Set(uris.map(scheme))].join(', ')} only): one-click needs one (RFC 8058 §3.1)`
        : 'List-Unsubscribe holds no <URI> (RFC 2369 §2)',
    };
  if (!post.length)
    return { ok: false, reason: 'there is no List-Unsubscribe-Post: List-Unsubscribe=One-Click field (RFC 8058 §3.1)' };
  const postValue = fieldValue(post[0]!);
  if (postValue.toLowerCase() !== 'list-unsubscribe=one-click')
    return {
      ok: false,
      reason: `List-Unsubscribe-Post is '${postValue.slice(0, 60)}', not List-Unsubscribe=One-Click (RFC 8058 §3.1)`,
    };
  // §4: both fields in the h= of a valid signature. One name in h= covers one instance, from the bottom (RFC 6376
  // §5.4.2): there is one of each here, so one mention each is enough.
  const covers = (d: DkimSignatureResult) =>
    !!d.signedHeaders?.includes('list-unsubscribe') && !!d.signedHeaders.includes('list-unsubscribe-post');
  const signer = dkim.find((d) => d.result === 'pass' && covers(d));
  if (signer) return { ok: true, reason: `https URI and One-Click, both signed by d=${signer.domain} (RFC 8058)` };
  const unverified = dkim.find((d) => d.result !== 'pass' && covers(d));
  if (unverified?.result === 'temperror')
    return {
      ok: false,
      temporary: true,
      reason: `the signature covering them (d=${unverified.domain}) could not be checked: ${unverified.reason ?? 'DNS failure'}`,
    };
  const passing = dkim.filter((d) => d.result === 'pass');
  let reason: string;
  if (unverified)
    reason = `the DKIM signature covering them (d=${unverified.domain}) did not verify (${unverified.result})`;
  else if (passing.length)
    reason = `no passing DKIM signature has both List-Unsubscribe and List-Unsubscribe-Post in h=`;
  else reason = 'no DKIM signature verified, so nothing vouches for them';
  return { ok: false, reason: `https URI and One-Click present, but ${reason} (RFC 8058 §4)` };
}
