// The connection a message came in on, read back from the Received: field `mailcheck receive` prepends
// (src/receive/trace-headers.ts, RFC 5321 §4.4): only the topmost Received: field, only in exactly that format,
// and only when its by-domain is the authserv-id we answer as. Lower fields, and a topmost one another host
// wrote, are the sender's to forge; trusting our own name only is RFC 8601 §5's rule for Authentication-Results.
import { isIP } from 'node:net';
import { fieldValue, type ParsedMessage } from './message.js';

export interface ReceivedTrace {
  ip: string;
  /** The HELO/EHLO argument; '' when the client sent none. */
  helo: string;
  /** The forward-confirmed client name the receiver wrote, if any. */
  clientName: string | null;
  /** RFC 3848 with-protocol: ESMTP, ESMTPS, ESMTPSA... */
  protocol: string;
  tls: boolean;
  tlsProtocol?: string;
  cipher?: string;
  by: string;
  id: string;
}

// from HELO (name [ip]) [(using PROTO with cipher CIPHER)] by HOST (mailcheck) with PROTOCOL id ID [for <rcpt>]; date
// Unfolded, so the separators are runs of spaces and tabs. Every token is \S+ between fixed words: no backtracking
// worth the name on hostile input.
const OURS =
  /^from (\S+)[ \t]+\((?:(\S+) )?\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]\)[ \t]+(?:\(using (\S+) with cipher (\S+)\)[ \t]+)?by (\S+) \(mailcheck\) with ([A-Za-z0-9]+) id (\S+?)(?:[ \t]+for <[^>]*>)?; \S/;

/** The topmost Received: field when it is ours (by `authservId`), else null. */
export function readOwnReceived(msg: ParsedMessage, authservId: string): ReceivedTrace | null {
  const field = msg.headers.find((h) => h.key === 'received');
  if (!field) return null;
  return parseOwnReceived(fieldValue(field), authservId);
}

export function parseOwnReceived(value: string, authservId: string): ReceivedTrace | null {
  const m = OURS.exec(value);
  if (!m) return null;
  const ip = m[3]!;
  const by = m[6]!;
  const protocol = m[7]!;
  if (!isIP(ip)) return null;
  if (by.toLowerCase().replace(/\.$/, '') !== authservId.toLowerCase().replace(/\.$/, '')) return null;
  const trace: ReceivedTrace = {
    ip,
    helo: m[1] === '[unknown]' ? '' : m[1]!,
    clientName: m[2] ?? null,
    protocol,
    // RFC 3848 / RFC 6531: ESMTPS, ESMTPSA, UTF8SMTPS, LMTPS... name TLS; the "(using ...)" comment says which version.
    tls: m[4] !== undefined || /MTPSA?$/i.test(protocol),
    by,
    id: m[8]!,
  };
  if (m[4] !== undefined) {
    trace.tlsProtocol = m[4];
    trace.cipher = m[5]!;
  }
  return trace;
}
