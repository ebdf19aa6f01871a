// The Authentication-Results header field a receiver would add (RFC 8601; dkim §2.7.1 with header.b from
// RFC 6008, spf §2.7.2, dmarc RFC 7489 §11.2, arc RFC 8617 §10.2). Pure.
import type { ArcVerdict } from './arc.js';
import type { DkimSignatureResult } from './dkim/verify.js';
import type { DmarcVerdict } from './dmarc.js';
import type { SpfVerdict } from './spf.js';

export interface AuthResultsInput {
  authservId: string;
  dkim: readonly DkimSignatureResult[];
  spf: SpfVerdict | null;
  dmarc: DmarcVerdict;
  arc: ArcVerdict;
}

/**
 * The whole field, folded with CRLF + tab between results, without the final CRLF. Built by concatenation: receive
 * writes one a message, mostly before V8 optimizes it, where each rest array, filter and join is paid in full.
 */
export function formatAuthenticationResults(r: AuthResultsInput): string {
  let out = `Authentication-Results: ${sanitize(r.authservId)};`;
  for (let k = 0; k < r.dkim.length; k++) {
    const d = r.dkim[k]!;
    out += `\r\n\tdkim=${d.result}`;
    if (d.result !== 'pass' && d.reason) out += ` ${comment(d.reason)}`;
    if (d.domain) {
      out += ` ${prop('header.d', d.domain)}`;
      if (d.identity) out += ` ${prop('header.i', d.identity)}`;
      if (d.selector) out += ` ${prop('header.s', d.selector)}`;
      if (d.algorithm) out += ` ${prop('header.a', d.algorithm)}`;
      if (d.b) out += ` ${prop('header.b', d.b)}`;
    }
    out += ';';
  }
  if (r.spf) {
    const id =
      r.spf.identity === 'mailfrom'
        ? prop('smtp.mailfrom', r.spf.sender)
        : prop('smtp.helo', r.spf.helo ?? r.spf.domain);
    out += `\r\n\tspf=${r.spf.result} ${comment(spfComment(r.spf))} ${id};`;
  }
  const dm = r.dmarc;
  out += `\r\n\tdmarc=${dm.result}`;
  const dmComment = dm.policy ? `p=${dm.policy.toUpperCase()} dis=${dm.disposition.toUpperCase()}` : (dm.reason ?? '');
  if (dmComment) out += ` ${comment(dmComment)}`;
  if (dm.domain) out += ` ${prop('header.from', dm.domain)}`;
  out += `;\r\n\tarc=${r.arc.result}`;
  if (r.arc.result === 'fail' && r.arc.reason) out += ` ${comment(r.arc.reason)}`;
  return out;
}

function spfComment(s: SpfVerdict): string {
  const who = `${s.ip}`;
  switch (s.result) {
    case 'pass':
      return `domain of ${s.sender} designates ${who} as permitted sender`;
    case 'fail':
      return `domain of ${s.sender} does not designate ${who} as permitted sender`;
    case 'softfail':
      return `domain of transitioning ${s.sender} does not designate ${who} as permitted sender`;
    case 'neutral':
      return `${who} is neither permitted nor denied by domain of ${s.sender}`;
    default:
      return s.reason ?? `${s.domain || 'the sender'} gives no SPF verdict`;
  }
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-./=?^_`{|}~@]+$/;

/** RFC 8601 §2.2: a property value is a token, an address, or a quoted-string. */
function prop(name: string, value: string): string {
  const v = sanitize(value);
  return TOKEN.test(v) ? `${name}=${v}` : `${name}="${v.replace(/["\\]/g, '\\$&')}"`;
}

const COMMENT_SPECIAL = /[()\\]/;

/** A comment (RFC 5322 §3.2.2) with its parentheses and backslashes escaped. */
function comment(text: string): string {
  const s = sanitize(text);
  return `(${COMMENT_SPECIAL.test(s) ? s.replace(/[()\\]/g, '\\$&') : s})`;
}

const CONTROL = /[\x00-\x1f\x7f]/;

/** Nothing from the message may break the field: no CR, LF or other controls. */
function sanitize(s: string): string {
  return CONTROL.test(s) ? s.replace(/[\x00-\x1f\x7f]+/g, ' ') : s;
}
