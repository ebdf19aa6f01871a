// A message given as a file (--eml): CRLF-normalised (RFC 5322 §2.1), its header fields read for the report
// (Message-ID, From) and checked for a header/body boundary. Pure.
import { normalizeCrlf } from '../smtp/data.js';

export interface EmlInfo {
  message: Buffer;
  messageId: string | null;
  /** The From: field's address (first mailbox), lowercase domain; null if none. */
  fromAddress: string | null;
  fromDomain: string | null;
  /** Unfolded header fields, in order. */
  headers: { name: string; value: string }[];
  /** Raw UTF-8 in the header (RFC 6532): the envelope needs SMTPUTF8. */
  utf8Headers: boolean;
}

/** Why the bytes are not a message, or undefined. */
export function emlProblem(bytes: Buffer): string | undefined {
  if (!bytes.length) return 'is empty';
  const text = bytes.subarray(0, 64 * 1024).toString('latin1');
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  if (!/^[\x21-\x39\x3b-\x7e]+:/.test(firstLine)) return 'does not start with a header field (Name: value)';
  return undefined;
}

export function readEml(bytes: Buffer): EmlInfo {
  const message = normalizeCrlf(bytes);
  const end = message.indexOf('\r\n\r\n');
  const head = (end < 0 ? message : message.subarray(0, end)).toString('utf8');
  const headers: { name: string; value: string }[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1]!.value += line.replace(/^[ \t]+/, ' ');
    else {
      const i = line.indexOf(':');
      if (i > 0) headers.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
    }
  }
  const field = (n: string) => headers.find((h) => h.name.toLowerCase() === n)?.value ?? null;
  const from = field('from');
  const addr = from
    ? (/<([^<>@\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /([^\s<>",;:]+@[^\s<>",;:]+)/.exec(from)?.[1] ?? null)
    : null;
  return {
    message,
    messageId: field('message-id'),
    fromAddress: addr,
    fromDomain: addr
      ? addr
          .slice(addr.lastIndexOf('@') + 1)
          .toLowerCase()
          .replace(/\.$/, '')
      : null,
    headers,
    utf8Headers: /[^\x00-\x7f]/.test(head),
  };
}
