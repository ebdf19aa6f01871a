// A bounded ZIP reader (APPNOTE 6.3.x, the subset report senders use): the central directory, stored and
// deflated entries, no ZIP64, no encryption. Every entry is inflated with a hard output cap, so a zip bomb
// stops at the cap instead of filling memory.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export class ZipError extends Error {
  constructor(
    readonly code: 'format' | 'too-large' | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_ENTRIES = 256;

/**
 * The file entries of a ZIP archive (folders skipped), each inflated; `maxBytes` bounds every entry and
 * `maxTotal` their sum. `want(name)` picks entries by name before any is inflated.
 */
export function readZip(
  buf: Buffer,
  o: { maxBytes: number; maxTotal: number; want?: (name: string) => boolean },
): ZipEntry[] {
  const eocd = findEocd(buf);
  if (eocd < 0) throw new ZipError('format', 'not a whole ZIP archive (no end of central directory: truncated?)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipError('unsupported', 'ZIP64 archives are not read');
  if (cdOffset + cdSize > buf.length) throw new ZipError('format', 'the ZIP central directory lies past the end');
  if (count > MAX_ENTRIES) throw new ZipError('too-large', `the ZIP has ${count} entries (at most ${MAX_ENTRIES})`);
  const out: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL)
      throw new ZipError('format', 'a ZIP central directory entry is damaged');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    // Bit 11: the name is UTF-8; otherwise CP437, which for the ASCII names reports use is the same as latin1.
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/') || (o.want && !o.want(name))) continue;
    if (flags & 0x1) throw new ZipError('unsupported', `ZIP entry '${name}' is encrypted`);
    if (size > o.maxBytes || total + size > o.maxTotal)
      throw new ZipError(
        'too-large',
        `ZIP entry '${name}' unpacks to ${size} bytes, over the ${o.maxBytes}-byte limit`,
      );
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL)
      throw new ZipError('format', `ZIP entry '${name}': damaged local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw new ZipError('format', `ZIP entry '${name}' is cut off`);
    const raw = buf.subarray(start, start + compressed);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      // The declared size may lie: the cap on the inflater is what holds.
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.min(o.maxBytes, o.maxTotal - total) });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          throw new ZipError('too-large', `ZIP entry '${name}' unpacks to more than ${o.maxBytes} bytes`);
        throw new ZipError('format', `ZIP entry '${name}': ${(e as Error).message}`);
      }
    } else throw new ZipError('unsupported', `ZIP entry '${name}' uses compression method ${method}`);
    total += data.length;
    out.push({ name, data });
  }
  return out;
}

/** The end-of-central-directory record: in the last 22 + 65,535 bytes (its comment may be that long). */
function findEocd(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) return i;
  }
  return -1;
}
