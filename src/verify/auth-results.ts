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

/** The whole field, folded with CRLF + tab between results, without the final CRLF. */
export function formatAuthenticationResults(r: AuthResultsInput): string {
  const items: string[] = [];
  for (const d of r.dkim) {
    const props = d.domain
      ? [
          prop('header.d', d.domain),
          d.identity ? prop('header.i', d.identity) : '',
          d.selector ? prop('header.s', d.selector) : '',
          d.algorithm ? prop('header.a', d.algorithm) : '',
          d.b ? prop('header.b', d.b) : '',
        ]
      : [];
    items.push(join(`dkim=${d.result}`, d.result !== 'pass' && d.reason ? comment(d.reason) : '', ...props));
  }
  if (r.spf) {
    const id =
      r.spf.identity === 'mailfrom'
        ? prop('smtp.mailfrom', r.spf.sender)
        : prop('smtp.helo', r.spf.helo ?? r.spf.domain);
    items.push(join(`spf=${r.spf.result}`, comment(spfComment(r.spf)), id));
  }
  const dm = r.dmarc;
  const dmComment = dm.policy ? `p=${dm.policy.toUpperCase()} dis=${dm.disposition.toUpperCase()}` : (dm.reason ?? '');
  items.push(
    join(`dmarc=${dm.result}`, dmComment ? comment(dmComment) : '', dm.domain ? prop('header.from', dm.domain) : ''),
  );
  items.push(join(`arc=${r.arc.result}`, r.arc.result === 'fail' && r.arc.reason ? comment(r.arc.reason) : ''));
  return `Authentication-Results: ${sanitize(r.authservId)};\r\n\t${items.join(';\r\n\t')}`;
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

function join(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}

/** RFC 8601 §2.2: a property value is a token, an address, or a quoted-string. */
function prop(name: string, value: string): string {
  const v = sanitize(value);
  return /^[A-Za-z0-9!#$%&'*+\-./=?^_`{|}~@]+$/.test(v) && v !== ''
    ? `${name}=${v}`
    : `${name}="${v.replace(/["\\]/g, '\\$&')}"`;
}

/** A comment (RFC 5322 §3.2.2) with its parentheses and backslashes escaped. */
function comment(text: string): string {
  return `(${sanitize(text).replace(/[()\\]/g, '\\$&')})`;
}

/** Nothing from the message may break the field: no CR, LF or other controls. */
function sanitize(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]+/g, ' ');
}
