// SMTP reply framing (RFC 5321 §4.2): an incremental parser with no socket. feed(bytes) → complete replies,
// joining `250-` continuation lines, reading enhanced status codes (RFC 3463, RFC 2034), bounding line length.

export type ReplyFailureKind =
  /** Not an SMTP reply: no 3-digit code, or a continuation line with another code. */
  | 'malformed'
  /** A line longer than the parser accepts (a server that never sends LF). */
  | 'too-long'
  /** No reply within the step's timeout. */
  | 'timeout'
  /** The server closed the connection (or it was reset) before replying. */
  | 'closed'
  /** The session was already unusable (after a timeout or garbage) or could not write. */
  | 'error';

export interface ReplyFailure {
  kind: ReplyFailureKind;
  message: string;
}

/** One SMTP reply. Errors are replies too (as in smtp-server): code 0 and a `failure`, never a throw. */
export interface Reply {
  /** 200–599, or 0 when there was no well-formed reply (see `failure`). */
  code: number;
  /** RFC 3463 class.subject.detail, when the first line carries one that matches the code's class. */
  enhanced?: string;
  /** The text after "250-"/"250 " of each line, in order (the enhanced code included, as sent). */
  lines: string[];
  failure?: ReplyFailure;
}

/** RFC 5321 §4.5.3.1.5 says 512 octets; real servers send more, so the hard limit is generous. */
export const MAX_REPLY_LINE = 4096;
/** A reply of more lines than this is a server talking without end, not an EHLO list. */
export const MAX_REPLY_LINES = 512;

const LINE = /^([2-5]\d\d)([ -]|$)(.*)$/s;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)/;

export class ReplyParser {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { code: number; lines: string[] } | null = null;
  /** After an over-long line: drop bytes until the next LF, then resume. */
  private skipping = false;

  constructor(
    private readonly maxLine = MAX_REPLY_LINE,
    private readonly maxLines = MAX_REPLY_LINES,
  ) {}

  /** Bytes received so far that do not yet form a whole line. */
  get partial(): number {
    return this.buffer.length;
  }

  /** True when a multi-line reply has started but not finished. */
  get inReply(): boolean {
    return this.pending !== null;
  }

  feed(chunk: Buffer | string): Reply[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, bytes]) : bytes;
    const out: Reply[] = [];
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf < 0) {
        if (this.skipping) this.buffer = Buffer.alloc(0);
        // + 1: the CR of a line of exactly maxLine bytes may arrive before its LF, in another chunk.
        else if (this.buffer.length > this.maxLine + 1) {
          out.push(this.tooLong());
          this.buffer = Buffer.alloc(0);
          this.skipping = true;
        }
        return out;
      }
      // Bare LF is accepted as a line end (lenient), a CR before it is dropped.
      const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      const raw = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(lf + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (raw.length > this.maxLine) {
        out.push(this.tooLong());
        continue;
      }
      const reply = this.line(raw.toString('utf8'));
      if (reply) out.push(reply);
    }
  }

  /** Forget everything buffered (after STARTTLS: plaintext read before the handshake must not be used, RFC 3207 §4.2). */
  reset(): number {
    const dropped = this.buffer.length + (this.pending ? 1 : 0);
    this.buffer = Buffer.alloc(0);
    this.pending = null;
    this.skipping = false;
    return dropped;
  }

  private line(text: string): Reply | undefined {
    const m = LINE.exec(text);
    if (!m) {
      this.pending = null;
      return malformed(`not an SMTP reply line: ${JSON.stringify(text.slice(0, 80))}`, text);
    }
    const code = Number(m[1]);
    const last = m[2] !== '-';
    const body = m[3] ?? '';
    if (this.pending && this.pending.code !== code) {
      // RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
      const was = this.pending.code;
      this.pending = null;
      return malformed(`a line with code ${code} inside a multi-line ${was} reply`, text);
    }
    const pending = this.pending ?? { code, lines: [] };
    pending.lines.push(body);
    if (!last) {
      if (pending.lines.length > this.maxLines) {
        this.pending = null;
        return {
          code: 0,
          lines: pending.lines.slice(0, 3),
          failure: { kind: 'too-long', message: `a reply of more than ${this.maxLines} lines` },
        };
      }
      this.pending = pending;
      return undefined;
    }
    this.pending = null;
    return makeReply(code, pending.lines);
  }

  private tooLong(): Reply {
    this.pending = null;
    return {
      code: 0,
      lines: [],
      failure: { kind: 'too-long', message: `a reply line longer than ${this.maxLine} bytes` },
    };
  }
}

export function makeReply(code: number, lines: string[]): Reply {
  const e = ENHANCED.exec(lines[0] ?? '');
  // RFC 3463 §2: the class digit must match the reply code's first digit, or it is just text.
  const enhanced = e && e[1] === String(code)[0] ? `${e[1]}.${Number(e[2])}.${Number(e[3])}` : undefined;
  return enhanced ? { code, enhanced, lines } : { code, lines };
}

function malformed(message: string, line: string): Reply {
  return { code: 0, lines: [line], failure: { kind: 'malformed', message } };
}

/** The reply as it was on the wire: "250-a", "250 b". For failures, the failure. */
export function replyToLines(r: Reply): string[] {
  if (r.code === 0) return r.failure ? [`(${r.failure.kind}: ${r.failure.message})`] : [];
  if (!r.lines.length) return [String(r.code)];
  return r.lines.map((l, i) => `${r.code}${i === r.lines.length - 1 ? ' ' : '-'}${l}`.trimEnd());
}

/** One line for reports: "550 5.1.1 <x@y>: Recipient address rejected". */
export function replyText(r: Reply): string {
  if (r.code === 0) return r.failure ? `${r.failure.kind}: ${r.failure.message}` : 'no reply';
  return `${r.code} ${r.lines.join(' ')}`.trim();
}

export function isPositive(r: Reply): boolean {
  return r.code >= 200 && r.code < 400;
}
export function isTransient(r: Reply): boolean {
  return r.code >= 400 && r.code < 500;
}
export function isPermanent(r: Reply): boolean {
  return r.code >= 500;
}
