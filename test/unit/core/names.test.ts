import { describe, expect, it } from 'vitest';
import { parseHostPort, toALabel } from '../../../src/core/names.js';
import { UsageError } from '../../../src/core/errors.js';
import { escapeControl } from '../../../src/core/text.js';
import { expandIpv6, reverseName } from '../../../src/dns/types.js';

describe('toALabel', () => {
  it.each([
    ['Example.COM.', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['_dmarc.example.com', '_dmarc.example.com'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
  ])('%s → %s', (input, out) => expect(toALabel(input)).toBe(out));

  it.each([
    '',
    'exa mple.com',
    'user@example.com',
    '-bad.com',
    'a..b',
    `${'a'.repeat(64)}.com`,
    '192.0.2.1',
    'http://x.com',
    `${'abc.'.repeat(70)}com`,
  ])('rejects %j with a UsageError', (input) => expect(() => toALabel(input)).toThrow(UsageError));
});

describe('parseHostPort', () => {
  it.each([
    ['192.0.2.1', { host: '192.0.2.1', port: 53 }],
    ['192.0.2.1:5353', { host: '192.0.2.1', port: 5353 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: 53 }],
  ])('%s', (input, out) => expect(parseHostPort(input, 53)).toEqual(out));
  it.each(['1.2.3.4:0', '1.2.3.4:99999', '1.2.3.4:x', ''])('rejects %j', (input) =>
    expect(() => parseHostPort(input, 53)).toThrow(UsageError),
  );
});

describe('reverse names', () => {
  it('builds in-addr.arpa and nibble ip6.arpa names', () => {
    expect(reverseName('192.0.2.10')).toBe('10.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::10')).toBe(
      '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    expect(expandIpv6('::ffff:192.0.2.1')).toBe('0000:0000:0000:0000:0000:ffff:c000:0201');
  });
});

describe('escapeControl', () => {
  it('neutralizes terminal escape sequences, C1 controls and bidi overrides', () => {
    expect(escapeControl('220 hi\x1b]0;pwned\x07\x1b[2J')).toBe('220 hi\\x1b]0;pwned\\x07\\x1b[2J');
    expect(escapeControl('a\u009bb\u202ec')).toBe('a\\x9bb\\u202ec');
    expect(escapeControl('line1\nline2\ttab')).toBe('line1\\nline2\\ttab');
    expect(escapeControl('line1\nline2', true)).toBe('line1\nline2');
    expect(escapeControl('ünïcödé ✓')).toBe('ünïcödé ✓');
  });
});
