// Who is being checked (RFC 7208 §2.4, §4.1, §4.3): <sender> with "postmaster" for a missing local-part or the
// null sender, <domain> from the sender or the HELO name, and the CLI's input checks (bad syntax → exit 2).
import { isIP } from 'node:net';
import { UsageError } from '../../core/errors.js';
import { definedOnly } from '../../core/object.js';
import { isValidDomain, toALabel } from '../../core/names.js';
import { parseIp } from './ip.js';

/** MAIL FROM as check_host() uses it: the null sender becomes postmaster@<helo>, "@d" becomes postmaster@d. */
export function normalizeSender(sender: string | undefined, helo: string | undefined): string {
  const s = (sender ?? '').trim().replace(/^<(.*)>$/, '$1');
  if (!s) return `postmaster@${helo ?? ''}`;
  const at = s.lastIndexOf('@');
  if (at < 0) return `postmaster@${s}`;
  if (at === 0) return `postmaster${s}`;
  return s;
}

export interface SpfInputs {
  domain: string;
  sender: string;
  helo?: string;
  ip?: string;
}

/**
 * Validates what a user typed and fills the defaults of shared/CONTRACT.md: the domain is the sender's domain,
 * or with an empty or absent sender the HELO name. Throws UsageError with one clear line.
 */
export function spfInputs(input: { domain?: string; ip?: string; sender?: string; helo?: string }): SpfInputs {
  let ip: string | undefined;
  if (input.ip !== undefined) {
    const raw = input.ip.trim().replace(/^\[(.*)\]$/, '$1');
    if (!isIP(raw) || !parseIp(raw))
      throw new UsageError(`--ip '${printable(input.ip)}' is not an IPv4 or IPv6 address`);
    ip = raw;
  }
  let helo: string | undefined;
  if (input.helo !== undefined) {
    // A HELO is whatever the client sent: any text is evaluated, and check_host() judges it (RFC 7208 §4.3 gives
    // none for a non-name, and %{h} of an invalid HELO matches nothing: the openspf suite's invalid-HELO cases).
    // A name is taken as an A-label, as every other domain here.
    const h = input.helo.trim();
    if (!h) throw new UsageError('--helo is empty (give the HELO/EHLO argument the client sent)');
    helo = isValidDomain(h) ? toALabel(h, '--helo') : h;
  }
  let sender = '';
  if (input.sender !== undefined) {
    const s = input.sender.trim().replace(/^<(.*)>$/, '$1');
    if (s) {
      const at = s.lastIndexOf('@');
      if (at < 0)
        throw new UsageError(
          `--sender '${printable(input.sender)}' is not an address (local@domain; '' or '<>' for the null sender)`,
        );
      const local = s.slice(0, at);
      if (/[\x00-\x1f\x7f]/.test(local) || local.length > 64)
        throw new UsageError(`--sender '${printable(input.sender)}' has an invalid local-part`);
      sender = `${local}@${toALabel(s.slice(at + 1), '--sender domain')}`;
    }
  }
  if (!sender && !helo && input.domain === undefined) {
    throw new UsageError('give a domain, a --sender address or a --helo name to check');
  }
  const normalized = normalizeSender(sender, helo ?? input.domain);
  let domain: string;
  if (input.domain !== undefined) domain = toALabel(input.domain);
  else if (sender) domain = normalized.slice(normalized.lastIndexOf('@') + 1);
  // With the null sender, <domain> is the HELO as sent, even an address literal: check_host() says none (§4.3).
  else domain = helo!;
  return definedOnly({
    domain,
    sender: normalizeSender(sender, helo ?? domain),
    helo: helo || undefined,
    ip: ip || undefined,
  });
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
