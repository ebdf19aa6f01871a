// The one escaping function for network text on a terminal, and its JSON counterpart.
import { describe, expect, it } from 'vitest';
import { escapeControl, escapeJsonText } from '../../../src/core/text.js';
import { toJson, toNdjsonLine } from '../../../src/report/json.js';

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
    for (const text of [toJson(value), toNdjsonLine(value)]) {
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
