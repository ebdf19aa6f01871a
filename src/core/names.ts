// Domain names as users type them → canonical A-labels (RFC 5890 IDNA via WHATWG's domainToASCII).
// Invalid input is a UsageError: one clear line and exit 2.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { UsageError } from './errors.js';

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Canonical form for comparison and lookup: lowercase, no trailing dot. */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') && n.length > 1 ? n.slice(0, -1) : n;
}

/** A-label form of a user-supplied domain, or a UsageError saying why it is not one. */
export function toALabel(input: string, what = 'domain'): string {
  const raw = normalizeName(input);
  if (!raw) throw new UsageError(`${what} is empty`);
  if (isIP(raw) || isIP(raw.replace(/^\[|\]$/g, '')))
    throw new UsageError(`${what} '${input}' is an IP address, not a domain name`);
  if (/[\s/@:]/.test(raw)) throw new UsageError(`${what} '${printable(input)}' is not a valid domain name`);
  // domainToASCII drops underscores' legality checks for us only on ASCII; do the IDN part label by label.
  const labels = raw.split('.').map((label) => {
    if (/^[\x21-\x7e]*$/.test(label)) return label;
    const a = domainToASCII(label);
    if (!a) throw new UsageError(`${what} '${printable(input)}' is not a valid internationalized domain name`);
    return a;
  });
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw new UsageError(
        label.length > 63
          ? `${what} '${printable(input)}' has a label longer than 63 characters`
          : `${what} '${printable(input)}' is not a valid domain name (bad label '${printable(label)}')`,
      );
    }
  }
  const name = labels.join('.');
  if (name.length > 253)
    throw new UsageError(`${what} '${printable(input).slice(0, 40)}…' is longer than 253 characters`);
  return name;
}

/** True for names that are a syntactically valid hostname (no throw). */
export function isValidDomain(name: string): boolean {
  try {
    toALabel(name);
    return true;
  } catch {
    return false;
  }
}

export function ipFamily(s: string): 0 | 4 | 6 {
  return isIP(s) as 0 | 4 | 6;
}

/** Parses `ip`, `ip:port`, `[v6]:port`, bare v6; throws UsageError. */
export function parseHostPort(input: string, defaultPort: number, what = 'address'): { host: string; port: number } {
  const s = input.trim();
  let host = s;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(s) !== 6) {
    const i = s.lastIndexOf(':');
    if (i > 0) {
      host = s.slice(0, i);
      const p = s.slice(i + 1);
      if (!/^\d+$/.test(p)) throw new UsageError(`${what} '${printable(input)}' has an invalid port`);
      port = Number(p);
    }
  }
  if (!host) throw new UsageError(`${what} '${printable(input)}' is empty`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`${what} '${printable(input)}' has a port outside 1-65535`);
  return { host, port };
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
}
