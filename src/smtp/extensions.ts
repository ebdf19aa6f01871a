// The EHLO reply (RFC 5321 §4.1.1.1): the server's name on the first line, one service extension per
// following line (keyword, then parameters). Pure.
import type { Reply } from './reply.js';

export interface Ehlo {
  /** The domain the server names itself with on the first line (null if the line is empty). */
  hostname: string | null;
  /** Extension lines as sent: "PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN". */
  extensions: string[];
}

export function parseEhlo(reply: Reply): Ehlo {
  const [first = '', ...rest] = reply.lines;
  const hostname = first.trim().split(/\s+/)[0] || null;
  return { hostname, extensions: rest.map((l) => l.trim()).filter(Boolean) };
}

/** Parameters of an extension keyword (case-insensitive), or undefined when not offered. */
export function extension(e: Pick<Ehlo, 'extensions'>, keyword: string): string[] | undefined {
  const k = keyword.toUpperCase();
  for (const line of e.extensions) {
    const [word = '', ...params] = line.split(/\s+/);
    if (word.toUpperCase() === k) return params;
    // Some old servers announce "AUTH=LOGIN PLAIN" (pre-RFC 4954 form).
    if (k === 'AUTH' && word.toUpperCase().startsWith('AUTH=')) return [word.slice(5), ...params];
  }
  return undefined;
}

export function offers(e: Pick<Ehlo, 'extensions'>, keyword: string): boolean {
  return extension(e, keyword) !== undefined;
}

/** RFC 1870 SIZE: the declared maximum in octets; 0 or absent means no fixed limit. */
export function sizeLimit(e: Pick<Ehlo, 'extensions'>): number | undefined {
  const p = extension(e, 'SIZE');
  if (!p) return undefined;
  const n = Number(p[0]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** RFC 4954 AUTH mechanisms, uppercase. */
export function authMechanisms(e: Pick<Ehlo, 'extensions'>): string[] {
  return (extension(e, 'AUTH') ?? []).map((m) => m.toUpperCase());
}

/** First word after the code in a 220 banner: the name the server claims (RFC 5321 §4.3.1 "220 domain"). */
export function bannerHostname(lines: readonly string[]): string | null {
  const word = (lines[0] ?? '').trim().split(/\s+/)[0] ?? '';
  return word ? word : null;
}

/** RFC 5321 §4.1.3: "[192.0.2.1]" or "[IPv6:2001:db8::1]", the EHLO argument of a client without an FQDN. */
export function addressLiteral(address: string | undefined): string {
  if (!address) return '[127.0.0.1]';
  const a = address.replace(/^::ffff:(?=\d+\.)/, '');
  return a.includes(':') ? `[IPv6:${a}]` : `[${a}]`;
}
