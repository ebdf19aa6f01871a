// Macro expansion (RFC 7208 §7): the examples of §7.4, transformers, URL escaping, truncation to 253 octets.
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../../src/auth/spf/ip.js';
import {
  expandMacros,
  MacroUnavailable,
  parseMacroString,
  toTargetName,
  urlEscape,
  usesClientIp,
} from '../../../../src/auth/spf/macro.js';

const values = (ip: string) => ({
  sender: 'strong-bad@email.example.com',
  domain: 'email.example.com',
  ip: parseIp(ip),
  helo: 'mx.example.org',
});
const expand = (s: string, ip = '192.0.2.3', exp = false) =>
  expandMacros(parseMacroString(s, { exp }).tokens, values(ip));

describe('RFC 7208 §7.4 examples', () => {
  it.each([
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
  ])('%s → %s', async (macro, expected) => {
    expect(await expand(macro)).toBe(expected);
  });

  it('IPv6: %{ir}.%{v}._spf.%{d2} gives the nibble form', async () => {
    expect(await expand('%{ir}.%{v}._spf.%{d2}', '2001:db8::cb01')).toBe(
      '1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com',
    );
  });
});

describe('macro details (RFC 7208 §7.1-§7.3)', () => {
  it('%% %_ %- are a percent, a space and a URL-encoded space', async () => {
    expect(await expand('macro%%percent%_%_space%-url-space.example.com')).toBe(
      'macro%percent  space%20url-space.example.com',
    );
  });
  it('splits on several delimiters and joins with dots', async () => {
    const v = { ...values('192.0.2.3'), sender: 'foo-bar+zip+quux@e12.example.com' };
    expect(
      await expandMacros(parseMacroString('%{l2r+-}.user.%{d2}').tokens, { ...v, domain: 'e12.example.com' }),
    ).toBe('bar.foo.user.example.com');
  });
  it('upper-case letters URL-escape everything outside the unreserved set', async () => {
    const v = { ...values('192.0.2.3'), sender: '~jack&jill=up-a_b3.c@e8.example.com' };
    expect(await expandMacros(parseMacroString('l=%{L}', { exp: true }).tokens, v)).toBe('l=~jack%26jill%3Dup-a_b3.c');
    expect(urlEscape("JUMPIN' JUPITER")).toBe('JUMPIN%27%20JUPITER');
  });
  it('c is the RFC 5952 text of the client, i the dotted form; an IPv4-mapped client is IPv4', async () => {
    expect(await expand('%{c} %{i}', 'CAFE:BABE::1', true)).toBe(
      'cafe:babe::1 C.A.F.E.B.A.B.E.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1',
    );
    expect(await expand('%{c} %{v}', '::ffff:192.0.2.9', true)).toBe('192.0.2.9 in-addr');
  });
  it('r is "unknown" unless the receiver is known, t is the clock in seconds', async () => {
    const tokens = parseMacroString('%{r} %{t}', { exp: true }).tokens;
    expect(await expandMacros(tokens, { ...values('192.0.2.3'), now: () => new Date(1700000000123) })).toBe(
      'unknown 1700000000',
    );
  });
  it('an empty local-part is postmaster (RFC 7208 §4.3)', async () => {
    expect(await expandMacros(parseMacroString('%{l}').tokens, { sender: '@example.net', domain: 'example.net' })).toBe(
      'postmaster',
    );
  });
  it('without a client IP, i/c/v/p cannot be expanded and say so', async () => {
    const tokens = parseMacroString('%{ir}.x.example.com').tokens;
    expect(usesClientIp(tokens)).toBe(true);
    await expect(expandMacros(tokens, { sender: 'a@b.example', domain: 'b.example' })).rejects.toBeInstanceOf(
      MacroUnavailable,
    );
  });
  it.each([
    ['%', /'%' must be followed/],
    ['%{', /unterminated/],
    ['%{d', /unterminated/],
    ['%{}', /malformed/],
    ['%{x}', /unknown macro letter/],
    ['%{d0}', /non-zero/],
    ['%{c}', /only in explanation/],
    ['a b', /U\+0020/],
  ])('parse error: %j', (s, message) => {
    expect(parseMacroString(s).error?.message).toMatch(message);
  });
});

describe('toTargetName (RFC 7208 §7.3)', () => {
  it('drops the trailing dot', () => expect(toTargetName('o.spf.example.com.')).toBe('o.spf.example.com'));
  it('drops left-hand labels until the name fits 253 octets', () => {
    const long = `foobar.${'somewhat.long.exp.example.com.'.repeat(8)}example.com`;
    const name = toTargetName(long)!;
    expect(name).toBe(`${'somewhat.long.exp.example.com.'.repeat(8)}example.com`);
    expect(name.length).toBeLessThanOrEqual(253);
  });
  it('gives undefined when no DNS query can be made from the name', () => {
    expect(toTargetName('mail.example...com')).toBeUndefined();
    expect(toTargetName(`${'a'.repeat(64)}.example.com`)).toBeUndefined();
    expect(toTargetName('')).toBeUndefined();
  });
});
