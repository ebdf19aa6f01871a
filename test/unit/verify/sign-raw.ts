// A small DKIM signer for tests that need signatures no signer library writes (i= in dkim-quoted-printable, l=
// with content appended, hundreds of signatures, a bare CR in From:, hand-made ARC sets). Written from RFC 6376
// §3.4/§3.7 directly, with none of src/verify's code, and checked against mailauth's verifier in its own test.
import { createHash, sign, type KeyObject } from 'node:crypto';

/** §3.4.2 relaxed header canonicalization of one field as written ("Name: value", folding included). */
export function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}\r\n`;
}

/** §3.4.4 relaxed body canonicalization, on the whole body at once. */
export function relaxedBody(body: Buffer): Buffer {
  let s = body
    .toString('latin1')
    .replace(/[ \t]+(?=\r\n|$)/g, '')
    .replace(/[ \t]+/g, ' ');
  while (s.endsWith('\r\n')) s = s.slice(0, -2);
  return Buffer.from(s === '' ? '' : `${s}\r\n`, 'latin1');
}

export function bodyHash(body: Buffer, limit?: number): string {
  const c = relaxedBody(body);
  return createHash('sha256')
    .update(limit === undefined ? c : c.subarray(0, limit))
    .digest('base64');
}

/** Header fields (unfolded into whole fields) and body of a CRLF message. */
export function split(message: Buffer): { fields: string[]; body: Buffer } {
  const end = message.indexOf('\r\n\r\n');
  const head = message.toString('latin1', 0, end);
  const fields: string[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  return { fields, body: message.subarray(end + 4) };
}

/** §5.4.2: each name takes the last unused field of that name, bottom up. */
export function selectFields(fields: readonly string[], names: readonly string[]): string[] {
  const used = new Set<number>();
  const out: string[] = [];
  for (const n of names) {
    for (let i = fields.length - 1; i >= 0; i--) {
      const name = fields[i]!.slice(0, fields[i]!.indexOf(':')).trim().toLowerCase();
      if (name === n.toLowerCase() && !used.has(i)) {
        used.add(i);
        out.push(fields[i]!);
        break;
      }
    }
  }
  return out;
}

/** Signs `data` as DKIM/ARC do: RSA over the data, Ed25519 over its SHA-256 (RFC 8463 §3). */
export function signData(data: string, key: KeyObject): string {
  const bytes = Buffer.from(data, 'latin1');
  return key.asymmetricKeyType === 'ed25519'
    ? sign(null, createHash('sha256').update(bytes).digest(), key).toString('base64')
    : sign('sha256', bytes, key).toString('base64');
}

/**
 * Prepends `DKIM-Signature: <tags>; b=<sig>` (c=relaxed/relaxed) to the message. `tags` must hold h= (the names to
 * sign) and everything else but b=; pass bh= yourself, or `bh: true` to have it computed (with `l` if given).
 */
export function signDkim(
  message: Buffer,
  tags: string,
  key: KeyObject,
  opts: { bh?: boolean; l?: number; name?: string } = {},
): Buffer {
  const { fields, body } = split(message);
  let t = tags;
  if (opts.bh !== false && !/(^|;)\s*bh=/.test(tags)) t += `; bh=${bodyHash(body, opts.l)}`;
  const names = /(?:^|;)\s*h=([^;]*)/
    .exec(t)![1]!
    .split(':')
    .map((n) => n.trim())
    .filter(Boolean);
  const header = `${opts.name ?? 'DKIM-Signature'}: ${t}; b=`;
  const data = selectFields(fields, names).map(relaxedHeader).join('') + relaxedHeader(header).slice(0, -2);
  return Buffer.concat([Buffer.from(`${header}${signData(data, key)}\r\n`, 'latin1'), message]);
}
