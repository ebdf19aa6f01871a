// The header fields a final-delivery MTA prepends (pure): Return-Path (RFC 5321 §4.4), Received (RFC 5321
// §4.4 Stamp, with-protocol per RFC 3848, TLS version and cipher as a comment) and Authentication-Results
// (RFC 8601). The message's own bytes follow them unchanged, so its signatures still verify.
import { isIP } from 'node:net';
import { isHostName } from './client-name.js';

export interface TraceInput {
  /** Our name: the by-domain. */
  hostname: string;
  helo: string;
  ip: string;
  /** The client's forward-confirmed reverse DNS name, if it has one. */
  clientName: string | null;
  /** RFC 3848: SMTP, ESMTP, ESMTPS... (smtp-server's session.transmissionType). */
  protocol: string;
  tls?: { protocol: string; cipher: string };
  id: string;
  mailFrom: string;
  rcptTo: readonly string[];
  date: Date;
  /** The whole Authentication-Results field, folded, without the final CRLF. */
  authenticationResults?: string;
}

export function traceHeaders(t: TraceInput): Buffer {
  let text = `Return-Path: <${clean(t.mailFrom)}>\r\n`;
  if (t.authenticationResults) text += `${t.authenticationResults}\r\n`;
  return Buffer.from(`${text}${received(t)}\r\n`, 'utf8');
}

// Built by concatenation, each value tested before it is replaced: a field a message, mostly before V8 optimizes it.
export function received(t: TraceInput): string {
  const literal = isIP(t.ip) === 6 ? `[IPv6:${t.ip}]` : `[${t.ip}]`;
  // RFC 5321 TCP-info: the verified name and the address literal, or the literal alone — also when the name is
  // not a host name (DNS names may hold any byte; this one would be inside a trace header).
  const tcpInfo = t.clientName && isHostName(t.clientName) ? `${t.clientName} ${literal}` : literal;
  let field = `Received: from ${heloName(t.helo)} (${tcpInfo})`;
  if (t.tls) field += `\r\n\t(using ${clean(t.tls.protocol)} with cipher ${clean(t.tls.cipher)})`;
  // "for" only with a single recipient: listing all of them would disclose Bcc recipients to each other.
  field += `\r\n\tby ${clean(t.hostname)} (mailcheck) with ${clean(t.protocol)} id ${clean(t.id)}`;
  if (t.rcptTo.length === 1) field += `\r\n\tfor <${clean(t.rcptTo[0]!)}>`;
  return `${field}; ${rfc5322Date(t.date)}`;
}

let lastSecond = -1;
let lastDate = '';

/** RFC 5322 §3.3 date-time in UTC: "Sat, 29 Nov 2025 10:00:00 +0000" (formatted once per second). */
export function rfc5322Date(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    const [wd, day, mon, year, time] = d.toUTCString().replace(',', '').split(' ');
    lastDate = `${wd}, ${day} ${mon} ${year} ${time} +0000`;
    lastSecond = second;
  }
  return lastDate;
}

/** The HELO argument as the client sent it, minus anything that would break the field's structure. */
function heloName(helo: string): string {
  const h = HELO_BREAKS.test(helo) ? helo.replace(/[\x00-\x1f\x7f]/g, '?').replace(/[()\s;]/g, '?') : helo;
  return h || '[unknown]';
}

const HELO_BREAKS = /[\x00-\x1f\x7f()\s;]/;
const CONTROL = /[\x00-\x1f\x7f]/;

/** Values from the network never carry CR, LF or other controls into a header. */
function clean(s: string): string {
  return CONTROL.test(s) ? s.replace(/[\x00-\x1f\x7f]/g, '?') : s;
}
