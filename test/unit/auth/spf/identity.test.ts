// spfInputs / normalizeSender: the contract's defaults (sender domain, then HELO; postmaster@<helo>) and exit-2 input checks.
import { describe, expect, it } from 'vitest';
import { normalizeSender, spfInputs } from '../../../../src/auth/spf/identity.js';
import { UsageError } from '../../../../src/core/errors.js';

describe('normalizeSender (RFC 7208 §2.4, §4.3)', () => {
  it.each([
    ['', 'mail.example', 'postmaster@mail.example'],
    ['<>', 'mail.example', 'postmaster@mail.example'],
    ['@example.net', 'h', 'postmaster@example.net'],
    ['a@b.example', 'h', 'a@b.example'],
    ['Macro Error@e8.example.com', 'h', 'Macro Error@e8.example.com'],
  ])('%j with HELO %j → %j', (sender, helo, expected) => expect(normalizeSender(sender, helo)).toBe(expected));
});

describe('spfInputs', () => {
  it('defaults the domain to the sender domain, else the HELO name', () => {
    expect(spfInputs({ sender: 'User@Example.COM', helo: 'mx.example.org' })).toEqual({
      domain: 'example.com',
      sender: 'User@example.com',
      helo: 'mx.example.org',
    });
    expect(spfInputs({ sender: '', helo: 'mx.example.org', ip: '192.0.2.1' })).toEqual({
      domain: 'mx.example.org',
      sender: 'postmaster@mx.example.org',
      helo: 'mx.example.org',
      ip: '192.0.2.1',
    });
    expect(spfInputs({ domain: 'bücher.example' }).domain).toBe('xn--bcher-kva.example');
    expect(spfInputs({ domain: 'example.com', ip: '[2001:db8::1]' }).ip).toBe('2001:db8::1');
  });

  // RFC 7208 §4.3 and the openspf suite's invalid-HELO cases: a HELO is judged by check_host(), not refused.
  it.each([
    ["JUMPIN' JUPITER", "JUMPIN' JUPITER"],
    ['[192.0.2.1]', '[192.0.2.1]'],
    ['A2345678', 'a2345678'],
    ['Bücher.example', 'xn--bcher-kva.example'],
  ])('takes any HELO text: %j (the <domain> with a null sender: %j)', (helo, domain) => {
    expect(spfInputs({ helo, ip: '192.0.2.1' })).toMatchObject({ domain, sender: `postmaster@${domain}` });
  });

  it.each([
    [{ domain: 'example.com', ip: '300.1.1.1' }, /--ip '300\.1\.1\.1' is not an IPv4 or IPv6 address/],
    [{ domain: 'example.com', ip: 'fe80::1%eth0' }, /--ip/],
    [{ domain: 'not a domain' }, /not a valid domain name/],
    [{ sender: 'nobody' }, /--sender 'nobody' is not an address/],
    [{ sender: 'a@bad domain' }, /not a valid domain name/],
    [{ helo: '  ' }, /--helo is empty/],
    [{}, /give a domain, a --sender address or a --helo name/],
  ])('%j → UsageError', (input, message) => {
    expect(() => spfInputs(input)).toThrow(UsageError);
    expect(() => spfInputs(input)).toThrow(message);
  });
});
