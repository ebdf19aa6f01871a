// The one escaping function for network text on a terminal, and its JSON counterpart.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detached, escapeControl, escapeJsonText, jsonTextBytes } from '../../../src/core/text.js';
import { toJson, toNdjsonLine, toPlainNdjsonLine } from '../../../src/report/json.js';

const BIDI = [
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];

describe('escapeControl', () => {
  it('escapes C0, DEL and C1 as \\xHH, keeping printable text (Latin-1 letters too)', () => {
    expect(escapeControl('a\x1b[2Jb\x07c\x7fd\x9be\u00e9')).toBe('a\\x1b[2Jb\\x07c\\x7fd\\x9be\u00e9');
  });

  it('escapes every bidi control (embeddings, overrides, isolates, and the LRM/RLM/ALM marks) as \\uHHHH', () => {
    for (const c of BIDI) expect(escapeControl(`x${c}y`)).toBe(`x\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}y`);
  });
});

describe('JSON output', () => {
  const value = { name: 'ev\x1b[2jil\x9bx', bidi: `a${BIDI.join('')}b`, del: '\x7f', fine: 'é ü ✓' };

  it('has no raw C1, DEL or bidi control, and parses back to the same strings', () => {
    for (const text of [toJson(value), toNdjsonLine(value), toPlainNdjsonLine(value)]) {
      expect(text).not.toMatch(/[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
      expect(text).toContain('\\u009b');
      expect(text).toContain('\\u202e');
      expect(JSON.parse(text)).toEqual(value);
    }
  });

  it('leaves text without such characters as it is', () => {
    const s = JSON.stringify({ a: 'plain ascii', b: 'é ü ✓ 日本' });
    expect(escapeJsonText(s)).toBe(s);
  });
});

describe('jsonTextBytes', () => {
  it('is escapeJsonText in UTF-8, for any text (each unsafe character, its neighbours, and what shares its lead byte)', () => {
    const near = [
      ...BIDI,
      '\x7e',
      '\x7f',
      '\x80',
      '\x9f',
      '\xa0',
      '§',
      '\u0600',
      '\u061b',
      '\u061c',
      '\u061d',
      '\u200d',
      '\u2010',
      '\u2027',
      '\u202f',
      '\u2065',
      '\u206a',
      '→',
      '…',
      '—',
      '✓',
      '日',
      '\u{1f600}',
    ];
    const char = fc.oneof(fc.constantFrom(...near), fc.string({ unit: 'binary', maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(char, { maxLength: 20 }), (parts) => {
        const text = JSON.stringify({ s: parts.join('') });
        expect(jsonTextBytes(text).equals(Buffer.from(escapeJsonText(text), 'utf8'))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    for (const c of near) expect(jsonTextBytes(c).toString('utf8')).toBe(escapeJsonText(c));
  });
});

describe('toPlainNdjsonLine', () => {
  it('writes the same line as toNdjsonLine for plain data', () => {
    const value = { a: 1, b: ['x', null, true], c: { d: 'é\u202e', e: [{ f: 2.5 }] }, g: undefined };
    expect(toPlainNdjsonLine(value)).toBe(toNdjsonLine(value));
  });

  it('refuses, at compile time, data that only the replacer can write', () => {
    // @ts-expect-error a Buffer would leave as {"type":"Buffer",…} instead of base64
    expect(() => toPlainNdjsonLine({ raw: Buffer.from('x') })).not.toThrow();
    // @ts-expect-error an Error would leave as {}
    expect(() => toPlainNdjsonLine({ nested: [{ e: new Error('x') }] })).not.toThrow();
    // @ts-expect-error a bigint throws in JSON.stringify
    expect(() => toPlainNdjsonLine({ n: 1n })).toThrow(TypeError);
  });
});

describe('detached', () => {
  it('is the same string, whatever it holds (the copy is what test/unit/verify/cache-retention.test.ts sees)', () => {
    for (const s of [
      '',
      'short',
      'a'.repeat(13),
      'é ü \u202e 日本 \u{1f600}',
      '\ud800 lone \udfff',
      '\x00\xff'.repeat(20),
    ])
      expect(detached(s)).toBe(s);
  });
});

describe('escapeControl', () => {
  it('changes exactly what the replace chain changes (its fast path only skips text with no control at all)', () => {
    const CONTROL =
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
    const reference = (s: string, multiline: boolean) => {
      const out = s.replace(CONTROL, (c) => {
        const code = c.charCodeAt(0);
        return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
      });
      return multiline ? out : out.replace(/\n/g, '\\n').replace(/\t/g, '\\t');
    };
    const chars = [
      'a',
      ' ',
      '\t',
      '\n',
      '\r',
      '\x00',
      '\x1b',
      '\x7f',
      '\x80',
      '\x9f',
      '\xa0',
      'é',
      '\u061c',
      '\u200e',
      '\u2028',
      '\u202e',
      '\u2066',
      '\u206a',
      '日',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 8 }), fc.boolean(), (parts, multiline) => {
        const s = parts.join('');
        expect(escapeControl(s, multiline)).toBe(reference(s, multiline));
      }),
      { numRuns: 3000 },
    );
  });
});
