// Property tests for the DNS decoder path (RFC 1035 §4.1): random bytes, truncation, bit flips, compression
// pointer loops and oversized messages are error values, never throws or hangs; well-formed answers round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeQuery,
  encodeResponse,
  extractAnswer,
  isReplyTo,
  type DnsRecord,
} from '../../../src/dns/codec.js';
import { FUZZ_TIMEOUT, fuzz } from './settings.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((l) => l.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const txt = fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 255 }), { minLength: 1, maxLength: 6 });

const record: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ name, ttl: fc.nat(86400), data: ipv4 }).map((r) => ({ ...r, type: 'A', class: 'IN' })),
  fc
    .record({ name, ttl: fc.nat(86400), data: fc.record({ preference: fc.nat(65535), exchange: name }) })
    .map((r) => ({ ...r, type: 'MX', class: 'IN' })),
  fc.record({ name, ttl: fc.nat(86400), data: txt }).map((r) => ({ ...r, type: 'TXT', class: 'IN' })),
  fc.record({ name, ttl: fc.nat(86400), data: name }).map((r) => ({ ...r, type: 'CNAME', class: 'IN' })),
);

/** Everything a caller does with a decoded message must not throw either. */
function useDecoded(bytes: Buffer): void {
  const d = decodeMessage(bytes);
  if (!d.ok) {
    expect(typeof d.error).toBe('string');
    return;
  }
  const q = d.message.questions[0];
  isReplyTo(d.message, encodeQuery('x.test', 'TXT'));
  if (q) for (const type of ['A', 'TXT', 'MX', 'CNAME'] as const) extractAnswer(d.message, q.name, type);
}

describe('DNS decoder (fuzz)', () => {
  it(
    'random bytes: an error value or a message, never a throw',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), (b) => useDecoded(Buffer.from(b))),
        fuzz(2000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'random bytes behind a valid header (counts that promise records): never a throw',
    () => {
      fc.assert(
        fc.property(
          fc.nat(0xffff),
          fc.array(fc.nat(0xffff), { minLength: 4, maxLength: 4 }),
          fc.uint8Array({ maxLength: 400 }),
          (id, counts, body) => {
            const h = Buffer.alloc(12);
            h.writeUInt16BE(id, 0);
            h.writeUInt16BE(0x8180, 2);
            counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
            useDecoded(Buffer.concat([h, body]));
          },
        ),
        fuzz(500),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'generated answers round-trip; every truncation and bit flip of them is an error value or a message',
    () => {
      fc.assert(
        fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), fc.nat(), fc.nat(255), (answers, at, v) => {
          const q = answers[0]!;
          const bytes = encodeResponse({
            id: 7,
            rcode: 'NOERROR',
            flags: { aa: true },
            questions: [{ name: q.name, type: q.type, class: 'IN' }],
            answers,
          });
          const d = decodeMessage(bytes);
          expect(d.ok).toBe(true);
          if (d.ok)
            expect(d.message.answers.map((a) => [a.name, a.type, a.ttl, a.data])).toEqual(
              answers.map((a) => [a.name, a.type, a.ttl, a.data]),
            );
          for (let cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length >> 5))
            useDecoded(bytes.subarray(0, cut));
          const flipped = Buffer.from(bytes);
          flipped[at % bytes.length] = v;
          useDecoded(flipped);
        }),
        fuzz(300),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'compression pointers to anywhere (loops, forward, past the end) are error values, not hangs',
    () => {
      // A question whose name is a few labels then a pointer to an arbitrary offset, possibly itself.
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.nat(80), fc.nat(0x3fff)), { minLength: 1, maxLength: 6 }),
          fc.array(label, { maxLength: 3 }),
          (pointers, labels) => {
            const h = Buffer.alloc(12);
            h.writeUInt16BE(0x8180, 2);
            h.writeUInt16BE(pointers.length, 4);
            const parts: Buffer[] = [h];
            for (const p of pointers) {
              for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l));
              parts.push(Buffer.from([0xc0 | (p >> 8), p & 0xff]), Buffer.from([0, 1, 0, 1]));
            }
            const started = performance.now();
            useDecoded(Buffer.concat(parts));
            expect(performance.now() - started).toBeLessThan(1000);
          },
        ),
        fuzz(1000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'oversized: a 64 KB message of thousands of records decodes; bigger garbage is an error value',
    () => {
      const many = Array.from({ length: 3000 }, (_, i): DnsRecord => ({
        name: 'big.test',
        type: 'A',
        class: 'IN',
        ttl: 60,
        data: `10.0.${i >> 8}.${i & 255}`,
      }));
      const bytes = encodeResponse({
        id: 1,
        rcode: 'NOERROR',
        flags: {},
        questions: [{ name: 'big.test', type: 'A', class: 'IN' }],
        answers: many,
      });
      expect(bytes.length).toBeGreaterThan(40_000);
      const d = decodeMessage(bytes);
      expect(d.ok && extractAnswer(d.message, 'big.test', 'A').records).toHaveLength(3000);
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 65_536, maxLength: 70_000 }), (b) => useDecoded(Buffer.from(b))),
        fuzz(20, 0.01),
      );
    },
    FUZZ_TIMEOUT,
  );
});
