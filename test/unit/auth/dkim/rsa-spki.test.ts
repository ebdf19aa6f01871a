// rsaSpkiBits (the OpenSSL-free RSA key sizing) against OpenSSL itself: the same size for real keys of every usual
// size, undefined for every other form, and never "ok" where OpenSSL would refuse — checked on thousands of
// mutated keys (flipped, dropped, inserted and truncated bytes).
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDkimPublicKey } from '../../../../src/auth/dkim/public-key.js';
import { rsaSpkiBits } from '../../../../src/auth/dkim/rsa-spki.js';
import { KEYS_DIR } from './keys.js';

/** What OpenSSL makes of SPKI bytes: the RSA modulus size, or why not. */
function openssl(der: Buffer): number | 'rejected' | 'not-rsa' {
  try {
    const k = createPublicKey({ key: der, format: 'der', type: 'spki' });
    return k.asymmetricKeyType === 'rsa' ? k.asymmetricKeyDetails!.modulusLength! : 'not-rsa';
  } catch {
    return 'rejected';
  }
}

const derOf = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
const fixture = derOf(readFileSync(KEYS_DIR + 'rsa-2048.pem', 'utf8'));
const generated = [1024, 1536, 2048, 3072, 4096].map((bits) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }),
);

describe('rsaSpkiBits', () => {
  it('sizes real keys exactly as OpenSSL does', () => {
    for (const der of [fixture, ...generated]) expect(rsaSpkiBits(der)).toBe(openssl(der));
    // An odd size: the leading octet of the modulus is not full.
    const odd = generateKeyPairSync('rsa', { modulusLength: 2047 }).publicKey.export({ type: 'spki', format: 'der' });
    expect(rsaSpkiBits(odd)).toBe(2047);
  });

  it('leaves every other form to OpenSSL: PKCS#1, Ed25519, RSA-PSS, trailing bytes, BER lengths', () => {
    const pkcs1 = createPublicKey({ key: fixture, format: 'der', type: 'spki' }).export({
      type: 'pkcs1',
      format: 'der',
    });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    // The outer length written in long form with a needless extra octet (0x83 00 01 22): valid BER, not DER.
    const ber = Buffer.concat([Buffer.from([0x30, 0x83, 0x00, fixture[2]!, fixture[3]!]), fixture.subarray(4)]);
    for (const der of [
      pkcs1,
      ed,
      pss,
      Buffer.concat([fixture, Buffer.from([0])]),
      ber,
      fixture.subarray(0, 100),
      Buffer.alloc(0),
    ]) {
      expect(rsaSpkiBits(der)).toBeUndefined();
    }
  });

  it('never accepts what OpenSSL refuses, and agrees on the size when both accept (mutated keys)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), value: fc.constant(0) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(fixture, generated[0]!),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (base, ms) => {
          let b = Buffer.from(base);
          for (const m of ms) {
            const at = m.at % (b.length + 1);
            if (m.kind === 'flip' && at < b.length) b[at] = m.value;
            if (m.kind === 'drop') b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
            if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.value]), b.subarray(at)]);
            if (m.kind === 'truncate') b = b.subarray(0, at);
          }
          const fast = rsaSpkiBits(b);
          if (fast !== undefined) expect(openssl(b)).toBe(fast);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('decodeDkimPublicKey gives the same verdict with it, and still makes the key object on demand', () => {
    const d = decodeDkimPublicKey(fixture.toString('base64'));
    expect(d).toMatchObject({ ok: true, type: 'rsa', bits: 2048, format: 'spki' });
    if (!d.ok) throw new Error('unreachable');
    expect(d.key.asymmetricKeyType).toBe('rsa');
    expect(d.key.export({ type: 'spki', format: 'der' }).equals(fixture)).toBe(true);
  });
});
