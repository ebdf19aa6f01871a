// A received message's bytes, as DATA brings them. Small messages are chunks joined once at the end. Past
// SHARE_FROM they are copied as they arrive into blocks of shared memory: a verify thread and a Maildir writer
// thread read those very blocks, and the main thread never copies the whole message at once — a 24 MB memcpy
// into fresh memory took 50–100 ms here (page faults), twice (the join, then the writer's copy), each time
// holding up every client.
export const SHARE_FROM = 64 * 1024;
const BLOCK = 1024 * 1024;

export class MessageBytes {
  length = 0;
  private chunks: Buffer[] = [];
  private blocks: Buffer[] = [];
  /** Bytes used in the last block. */
  private fill = 0;
  private joined: Buffer | undefined;

  push(chunk: Buffer): void {
    this.length += chunk.length;
    this.joined = undefined;
    if (!this.blocks.length && this.length <= SHARE_FROM) {
      this.chunks.push(chunk);
      return;
    }
    for (const c of this.chunks.splice(0)) this.copy(c);
    this.copy(chunk);
  }

  /** True when the bytes are in shared memory (another thread can read them without a copy). */
  get shared(): boolean {
    return this.blocks.length > 0;
  }

  /** The message in order: shared blocks (the last one trimmed), or one ordinary buffer. */
  parts(): Buffer[] {
    if (!this.blocks.length) return [this.whole()];
    return this.blocks.map((b, i) => (i === this.blocks.length - 1 ? b.subarray(0, this.fill) : b));
  }

  /** The message as one buffer: a copy when it is in blocks (what inline verification of a big one needs). */
  whole(): Buffer {
    this.joined ??=
      this.blocks.length || this.chunks.length !== 1
        ? Buffer.concat(this.blocks.length ? this.parts() : this.chunks, this.length)
        : this.chunks[0]!;
    return this.joined;
  }

  private copy(c: Buffer): void {
    for (let off = 0; off < c.length;) {
      if (!this.blocks.length || this.fill === BLOCK) {
        this.blocks.push(Buffer.from(new SharedArrayBuffer(BLOCK)));
        this.fill = 0;
      }
      const n = c.copy(
        this.blocks[this.blocks.length - 1]!,
        this.fill,
        off,
        Math.min(c.length, off + BLOCK - this.fill),
      );
      this.fill += n;
      off += n;
    }
  }
}

/** A message from bytes already in memory (tests, and callers with a whole message). */
export function messageBytes(raw: Buffer): MessageBytes {
  const m = new MessageBytes();
  m.push(raw);
  return m;
}
