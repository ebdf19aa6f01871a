// The streamed body canonicalization (RFC 6376 §3.4.3/§3.4.4) gives, slice by slice, exactly the bytes of the
// whole-body reference below, whatever the slice size: a WSP run or a line end never straddles two slices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBody } from '../../../src/verify/dkim/canonicalize.js';

/** The straightforward whole-body version (what verify did before streaming). */
function reference(body: Buffer, canon: 'simple' | 'relaxed'): Buffer {
  if (canon === 'simple') {
    let end = body.length;
    while (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    return end === 0 ? Buffer.from('\r\n') : Buffer.concat([body.subarray(0, end), Buffer.from('\r\n')]);
  }
  let s = body
    .toString('latin1')
    .replace(/[ \t]+(?=\r\n|$)/g, '')
    .replace(/[ \t]+/g, ' ');
  let end = s.length;
  while (end >= 2 && s.charCodeAt(end - 2) === 13 && s.charCodeAt(end - 1) === 10) end -= 2;
  return end === 0 ? Buffer.alloc(0) : Buffer.from(`${s.slice(0, end)}\r\n`, 'latin1');
}

const piece = fc.constantFrom('a', 'b', ' ', '\t', '  ', '\r\n', '\r\n\r\n', ' \r\n', '\t\r\n', 'é', 'x y', '\r', '\n');
const body = fc.array(piece, { maxLength: 60 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));

describe('canonicalBody, streamed', () => {
  it('equals the whole-body canonicalization for any slice size, both canonicalizations', () => {
    fc.assert(
      fc.property(
        body,
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('simple' as const, 'relaxed' as const),
        (b, slice, canon) => {
          const pieces: Buffer[] = [];
          const length = canonicalBody(b, canon, (p) => pieces.push(p), slice);
          const out = Buffer.concat(pieces);
          expect(out.toString('latin1')).toBe(reference(b, canon).toString('latin1'));
          expect(length).toBe(out.length);
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('hands a large body over in slices, without one copy of the whole', () => {
    const big = Buffer.from(`${'word  and\tmore   \r\n'.repeat(200_000)}\r\n\r\n`, 'latin1');
    const sizes: number[] = [];
    const length = canonicalBody(big, 'relaxed', (p) => sizes.push(p.length));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1 << 20);
    expect(sizes.length).toBeGreaterThan(2);
    expect(length).toBe(reference(big, 'relaxed').length);
  });
});
