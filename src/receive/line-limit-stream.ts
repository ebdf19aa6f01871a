// smtp-server's command parser, with RFC 5321 §4.5.3.1.4's answer to an over-long command line: "500 Line too
// long" and the session goes on (as Postfix and Exim do), where smtp-server errors the stream (421, connection
// closed) and drops whatever was pipelined after the line. The line is read to its end and dropped without being
// kept; what came before it reaches the parser first, so a DATA among those lines still turns the rest into
// message text (where long lines are allowed).
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

type Next = (err?: Error | null) => void;

export class LineLimitStream extends SMTPStream {
  /** Called once an over-long command line has been read to its LF (and dropped); `next` reads on. */
  onlinetoolong: (length: number, next: () => void) => void = (_length, next) => next();
  /** Inside an over-long line: bytes are dropped until its LF. */
  private discarding = false;
  private dropped = 0;

  override _write(chunk: Buffer, encoding: BufferEncoding | 'buffer', next: Next): void {
    if (this._dataMode || this.isClosed || !chunk?.length) return super._write(chunk, encoding, next);
    if (this.discarding) {
      const lf = chunk.indexOf(0x0a);
      if (lf === -1) {
        this.dropped += chunk.length;
        return next();
      }
      const length = this.dropped + lf;
      this.discarding = false;
      this.dropped = 0;
      const rest = chunk.subarray(lf + 1);
      return this.onlinetoolong(length, () => this._write(rest, encoding, next));
    }
    // A command chunk (MAIL, RCPT, DATA: tens of bytes) that cannot hold an over-long line, with what the parser
    // holds, goes straight on: no walk over its lines.
    if (this._remainder.length + chunk.length <= this._maxCommandLength) return super._write(chunk, encoding, next);
    const long = this.overLongLineAt(chunk);
    if (long === -1) return super._write(chunk, encoding, next);
    if (long > 0) {
      // The lines before it first: one of them may be DATA, and then the long line is message text.
      return super._write(chunk.subarray(0, long), encoding, (err) =>
        err ? next(err) : this._write(chunk.subarray(long), encoding, next),
      );
    }
    // The over-long line starts here, or started with what the parser holds of it.
    this.dropped = this._remainder.length;
    this._remainder = '';
    this.discarding = true;
    this._write(chunk, encoding, next);
  }

  /**
   * Where in `chunk` the first line over the limit starts (0 also when it began in an earlier chunk), or -1.
   * Lengths as the parser counts them: without the line end, and a partial line whole (a trailing CR too).
   */
  private overLongLineAt(chunk: Buffer): number {
    const max = this._maxCommandLength;
    let start = 0;
    let carried = this._remainder.length;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf === -1) return carried + chunk.length - start > max ? start : -1;
      let length = carried + lf - start;
      // The CR of the CRLF may be the last byte of the previous chunk, still held by the parser.
      const cr = lf > start ? chunk[lf - 1] === 0x0d : carried > 0 && this._remainder.endsWith('\r');
      if (cr) length--;
      if (length > max) return start;
      start = lf + 1;
      carried = 0;
      if (start === chunk.length) return -1;
    }
  }
}
