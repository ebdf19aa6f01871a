// Mailboxes as users type them: "a@example.com" or "Name <a@example.com>" (RFC 5322 §3.4), with IDN domains
// converted to A-labels for DNS and SMTP, and UTF-8 local parts flagged as needing SMTPUTF8 (RFC 6531).
import { UsageError } from '../core/errors.js';
import { definedOnly } from '../core/object.js';
import { toALabel } from '../core/names.js';

export interface Mailbox {
  /** local@domain with the domain as an A-label: what goes in MAIL FROM / RCPT TO. */
  address: string;
  local: string;
  /** A-label, lowercase. */
  domain: string;
  /** Display name, if given. */
  name?: string;
  /** The local part is not ASCII: the envelope needs SMTPUTF8 (RFC 6531 §3.4). */
  utf8: boolean;
}

// RFC 5321 §4.1.2 dot-string, widened to UTF-8 (RFC 6531 §3.3 atext = … / UTF8-non-ascii).
const DOT_STRING = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e]|[^\x00-\x7f])*"$/u;

export function parseMailbox(input: string, what: string): Mailbox {
  const s = input.trim();
  let name: string | undefined;
  let addr = s;
  const angle = /^(.*?)\s*<([^<>]*)>$/.exec(s);
  if (angle) {
    name =
      angle[1]!
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .replace(/\\(.)/g, '$1') || undefined;
    addr = angle[2]!.trim();
  }
  const at = addr.lastIndexOf('@');
  if (at < 1 || at === addr.length - 1)
    throw new UsageError(`${what} '${printable(input)}' is not an email address (local@domain)`);
  const local = addr.slice(0, at);
  const rawDomain = addr.slice(at + 1);
  if (!DOT_STRING.test(local) && !QUOTED.test(local))
    throw new UsageError(`${what} '${printable(input)}' has an invalid local part`);
  if (Buffer.byteLength(local) > 64)
    throw new UsageError(`${what} '${printable(input)}' has a local part longer than 64 octets (RFC 5321 §4.5.3.1.1)`);
  const domain = toALabel(rawDomain, `${what} domain`);
  return definedOnly({ address: `${local}@${domain}`, local, domain, name, utf8: /[^\x00-\x7f]/.test(local) });
}

function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '?');
}
