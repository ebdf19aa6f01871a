// The streamed body canonicalization (RFC 6376 §3.4.3/§3.4.4) gives, slice by slice, exactly the bytes of the
// whole-body reference below, whatever the slice size: slices are cut inside lines and inside WSP runs too (the
// run's state is carried across the edge), and never between CR and LF.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyCanonicalizer, canonicalBody, canonicalizeHeader } from '../../../src/verify/dkim/canonicalize.js';

/** The straightforward whole-body version (what verify did before streaming). */
function reference(body: Buffer, canon: 'simple' | 'relaxed'): Buffer {
  if (canon === 'simple') {
    let end = body.length;
    while (end >= 2 && body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    return end === 0 ? Buffer.from('\r\n') : Buffer.concat([body.subarray(0, end), Buffer.from('\r\n')]);
  }
  const s = body
    .toString('latin1')
    .replace(/[ \t]+(?=\r\n|$)/g, '')
    .replace(/[ \t]+/g, ' ');
  let end = s.length;
  while (end >= 2 && s.charCodeAt(end - 2) === 13 && s.charCodeAt(end - 1) === 10) end -= 2;
  return end === 0 ? Buffer.alloc(0) : Buffer.from(`${s.slice(0, end)}\r\n`, 'latin1');
}

const piece = fc.constantFrom('a', 'b', ' ', '\t', '  ', '\r\n', '\r\n\r\n', ' \r\n', '\t\r\n', 'é', 'x y', '\r', '\n');
// Long lines and long WSP runs, so that slices of 1–12 bytes cut through both.
const long = fc.constantFrom(' \t  \t   \t', 'x'.repeat(17), ' \t \r\n', 'ab  cd\t\tef   gh', '\r\r \r\n');
const body = fc.array(fc.oneof(piece, long), { maxLength: 60 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));

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

  it('cuts a 3 MB line into slices too: no piece is bigger than a slice (plus a CRLF kept whole)', () => {
    const line = Buffer.from(`${'word  and\tmore   '.repeat(200_000)}\r\n`, 'latin1');
    const sizes: number[] = [];
    const pieces: Buffer[] = [];
    const length = canonicalBody(line, 'relaxed', (p) => {
      sizes.push(p.length);
      pieces.push(p);
    });
    expect(line.length).toBeGreaterThan(3 << 20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual((1 << 20) + 1);
    expect(Buffer.concat(pieces).equals(reference(line, 'relaxed'))).toBe(true);
    expect(length).toBe(reference(line, 'relaxed').length);
  });

  it('can be stopped early: the pieces are made as they are asked for', () => {
    const big = Buffer.from('a b\r\n'.repeat(1 << 20), 'latin1');
    const cursor = new BodyCanonicalizer(big, 'relaxed', 1024);
    expect(cursor.next()!.length).toBeLessThanOrEqual(1025);
    expect(cursor.next()!.length).toBeLessThanOrEqual(1025);
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

describe('canonicalizeHeader, relaxed (RFC 6376 §3.4.2)', () => {
  /** The three steps as the RFC lists them: unfold, WSP runs to one SP, trim. */
  const reference = (raw: string) =>
    raw
      .slice(raw.indexOf(':') + 1)
      .replace(/\r\n/g, '')
      .replace(/[ \t]+/g, ' ')
      .replace(/^ | $/g, '');
  // Parsed fields only fold: a CRLF inside one is always followed by WSP.
  const valuePiece = fc.constantFrom('a', 'b', ' ', '\t', '  ', '\r\n ', '\r\n\t', '\r', ':', 'x y', 'é', ';');

  it('equals unfold + compress + trim for any folded field', () => {
    fc.assert(
      fc.property(fc.array(valuePiece, { maxLength: 30 }), (parts) => {
        const raw = `X-Test:${parts.join('')}`;
        expect(canonicalizeHeader({ key: 'x-test', raw }, 'relaxed')).toBe(`x-test:${reference(raw)}\r\n`);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
