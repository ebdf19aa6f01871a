// The parts of a message that can hold a report (RFC 2045/2046 MIME; RFC 7489 §7.2.1.1 and RFC 8460 §5.3 name the
// media types): a bounded walk through multipart and message/rfc822 parts, decoding base64 and quoted-printable.

export interface MessagePart {
  contentType: string;
  filename?: string;
  data: Buffer;
}

export interface MessageInfo {
  /** Leaf parts that may hold a report, by media type or file name. */
  parts: MessagePart[];
  subject?: string;
  from?: string;
  /** The top-level media type, e.g. multipart/report; report-type=tlsrpt. */
  contentType: string;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 128;

/** Media types report senders use (and some they should not, but do). */
const REPORT_TYPES =
  /^(application\/(x-)?(gzip|gzip-compressed|zip|zip-compressed|xml|json|tlsrpt\+json|tlsrpt\+gzip|octet-stream)|text\/xml)$/;
const REPORT_NAMES = /\.(xml|json|zip|gz|gzip)$/i;

/** True when `buf` starts like an RFC 5322 message: a header field, or an mbox "From " line. */
export function looksLikeMessage(buf: Buffer): boolean {
  const head = buf.toString('latin1', 0, Math.min(buf.length, 200));
  return /^(From |[!-9;-~]{1,76}:)/.test(head);
}

export function messageParts(buf: Buffer): MessageInfo {
  const parts: MessagePart[] = [];
  const top = splitEntity(buf);
  walk(top.headers, top.body, 0, parts);
  const info: MessageInfo = { parts, contentType: top.headers.get('content-type') ?? 'text/plain' };
  const subject = top.headers.get('subject');
  if (subject) info.subject = subject;
  const from = top.headers.get('from');
  if (from) info.from = from;
  return info;
}

function walk(headers: Map<string, string>, body: Buffer, depth: number, out: MessagePart[]): void {
  if (depth > MAX_DEPTH || out.length >= MAX_PARTS) return;
  const ctHeader = headers.get('content-type') ?? 'text/plain';
  const type = ctHeader.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(ctHeader, 'boundary');
    if (!boundary) return;
    for (const part of splitMultipart(body, boundary)) {
      const e = splitEntity(part);
      walk(e.headers, e.body, depth + 1, out);
      if (out.length >= MAX_PARTS) return;
    }
    return;
  }
  if (type === 'message/rfc822' || type === 'message/global') {
    const e = splitEntity(decode(body, headers.get('content-transfer-encoding')));
    walk(e.headers, e.body, depth + 1, out);
    return;
  }
  const disposition = headers.get('content-disposition') ?? '';
  const filename = param(disposition, 'filename') ?? param(ctHeader, 'name');
  if (!REPORT_TYPES.test(type) && !(filename && REPORT_NAMES.test(filename))) return;
  const part: MessagePart = { contentType: type, data: decode(body, headers.get('content-transfer-encoding')) };
  if (filename) part.filename = filename;
  out.push(part);
}

/** Header fields (unfolded, lower-cased names, first occurrence wins) and the body after the empty line. */
export function splitEntity(buf: Buffer): { headers: Map<string, string>; body: Buffer } {
  let end = -1;
  let sep = 0;
  for (let i = 0; i < buf.length - 1; i++) {
    if (buf[i] === 0x0a && buf[i + 1] === 0x0a) {
      end = i;
      sep = 2;
      break;
    }
    if (buf[i] === 0x0a && buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) {
      end = i;
      sep = 3;
      break;
    }
  }
  if (buf.length && (buf[0] === 0x0a || (buf[0] === 0x0d && buf[1] === 0x0a))) {
    // No header section at all: the entity is all body.
    return { headers: new Map(), body: buf.subarray(buf[0] === 0x0a ? 1 : 2) };
  }
  const headText = buf.toString('latin1', 0, end === -1 ? buf.length : end);
  const body = end === -1 ? Buffer.alloc(0) : buf.subarray(end + sep);
  const headers = new Map<string, string>();
  let last = '';
  for (const line of headText.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last)} ${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      last = headers.has(name) ? '' : name;
      if (last) headers.set(name, line.slice(colon + 1).trim());
    }
  }
  return { headers, body };
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let pos = lineStart(text, delimiter, 0);
  while (pos !== -1 && parts.length < MAX_PARTS) {
    const afterDelim = pos + delimiter.length;
    if (text.startsWith('--', afterDelim)) break; // the close delimiter
    const contentStart = text.indexOf('\n', afterDelim);
    if (contentStart === -1) break;
    const next = lineStart(text, delimiter, contentStart + 1);
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    let contentEnd = next === -1 ? text.length : next - 1;
    if (contentEnd > contentStart && text[contentEnd - 1] === '\r') contentEnd--;
    parts.push(body.subarray(contentStart + 1, Math.max(contentStart + 1, contentEnd)));
    pos = next;
  }
  return parts;
}

function lineStart(text: string, delimiter: string, from: number): number {
  for (let i = text.indexOf(delimiter, from); i !== -1; i = text.indexOf(delimiter, i + 1)) {
    if (i === 0 || text[i - 1] === '\n') return i;
  }
  return -1;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (e === 'quoted-printable') {
    const s = body
      .toString('latin1')
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(s, 'latin1');
  }
  return body;
}

/** A parameter of a structured header (RFC 2045 §5.1), quoted or not; RFC 2231 `name*=charset''value` decoded. */
export function param(header: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}(\\*)?\\s*=\\s*("((?:[^"\\\\]|\\\\.)*)"|[^;\\s]+)`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  let v = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!;
  if (m[1]) {
    const ext = /^[^']*'[^']*'(.*)$/.exec(v);
    if (ext) {
      try {
        v = decodeURIComponent(ext[1]!);
      } catch {
        v = ext[1]!;
      }
    }
  }
  return v;
}
