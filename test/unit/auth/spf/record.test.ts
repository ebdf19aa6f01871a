// parseSpfRecord: the RFC 7208 grammar (§4.5, §4.6.1, §5, §6, §7.1, §12), as [record, expected error] tables.
import { describe, expect, it } from 'vitest';
import { domainSpecError, isSpfRecord, parseSpfRecord } from '../../../../src/auth/spf/record.js';

describe('isSpfRecord (RFC 7208 §4.5)', () => {
  it.each([
    ['v=spf1', true],
    ['v=spf1 -all', true],
    ['V=SpF1 ~all', true],
    ['v=spf10', false],
    ['v=spf1mx', false],
    [' v=spf1 -all', false],
    ['spf1 -all', false],
    ['v=spf2.0/pra -all', false],
    ['', false],
  ])('%j → %s', (text, expected) => expect(isSpfRecord(text)).toBe(expected));
});

describe('parseSpfRecord: valid records', () => {
  it('parses qualifiers, names, domain-specs and dual CIDR lengths with their offsets', () => {
    const p = parseSpfRecord(
      'v=spf1 +a -mx:mail.example.com/24//64 ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 include:_spf.example.com exists:%{i}.x.example.com ptr all redirect=r.example.com exp=e.example.com',
    );
    expect(p.errors).toEqual([]);
    expect(p.terms.map((t) => [t.qualifier, t.name])).toEqual([
      ['+', 'a'],
      ['-', 'mx'],
      ['~', 'ip4'],
      ['?', 'ip6'],
      ['+', 'include'],
      ['+', 'exists'],
      ['+', 'ptr'],
      ['+', 'all'],
      [undefined, 'redirect'],
      [undefined, 'exp'],
    ]);
    expect(p.terms[1]).toMatchObject({
      domainSpec: 'mail.example.com',
      cidr4: 24,
      cidr6: 64,
      raw: '-mx:mail.example.com/24//64',
      start: 10,
    });
    expect(p.terms[2]).toMatchObject({ network: '192.0.2.0', cidr4: 24 });
    expect(p.terms[3]).toMatchObject({ network: '2001:db8::', cidr6: 32 });
    expect(p.redirect?.domainSpec).toBe('r.example.com');
    expect(p.exp?.domainSpec).toBe('e.example.com');
  });

  it.each([
    ['v=spf1', 0],
    ['v=spf1 a  -all', 2], // §4.6.1: one or more spaces between terms
    ['v=spf1 a -all ', 2], // §4.5/2: trailing spaces are allowed
    ['v=spf1 A:Example.COM IP4:192.0.2.1 -ALL', 3], // names are case-insensitive
    ['v=spf1 moo.cow-far_out=man:dog/cat -all', 2], // §4.6.1: unknown modifier, name = ALPHA *(ALPHA/DIGIT/-/_/.)
    ['v=spf1 a:foo:bar/baz.example.com', 1], // §7.1: ':' and '/' may appear in a domain-spec
    ['v=spf1 a:foo.example.xn--zckzah', 1], // §7.1: toplabel with dashes
    ['v=spf1 a:%{H} exists:%{ir}.%{l1r-}.%{d2}', 2], // §7.1: a domain-spec may end in a macro
    ['v=spf1 ip6:::1.1.1.1/0 a//0 mx/0', 3],
    ['v=spf1 exp=msg.example.com. -all', 2], // §7.1: a trailing dot after the toplabel
    ['v=spf1 default=+', 1], // §6: unknown modifiers are ignored
  ])('%j is valid (%i terms)', (text, n) => {
    const p = parseSpfRecord(text);
    expect(p.errors).toEqual([]);
    expect(p.terms).toHaveLength(n);
  });
});

describe('parseSpfRecord: syntax errors make the record a permerror (RFC 7208 §4.6)', () => {
  it.each([
    ['v=spf1 ip4:1.2.3.4 -all moo', 'moo', /unknown mechanism 'moo'/],
    ['v=spf1 moo.cow/far_out=man:dog/cat', 'moo.cow/far_out=man:dog/cat', /unknown mechanism/],
    ['v=spf1 redirect:t2.example.com', 'redirect:t2.example.com', /is a modifier/],
    ['v=spf1 1up=foo', '1up=foo', /neither a mechanism nor a modifier/],
    ['v=spf1 =all', '=all', /neither/],
    ['v=spf1 -all.', '-all.', /takes no argument/],
    ['v=spf1 -all:foobar', '-all:foobar', /takes no argument/],
    ['v=spf1 -all/8', '-all/8', /takes no argument/],
    ['v=spf1 a:foo-bar -all', 'a:foo-bar', /not a fully qualified/],
    ['v=spf1 a:museum.', 'a:museum.', /not a fully qualified/],
    ['v=spf1 a:abc.123', 'a:abc.123', /all-numeric/],
    ['v=spf1 a:111.222.33.44', 'a:111.222.33.44', /IP address, not a domain: write ip4:111\.222\.33\.44/],
    ['v=spf1 a:example.com:8080', 'a:example.com:8080', /not a valid top-level label/],
    ['v=spf1 a:example.-com', 'a:example.-com', /not a valid top-level label/],
    ['v=spf1 a:', 'a:', /empty/],
    ['v=spf1 include:', 'include:', /empty/],
    ['v=spf1 include', 'include', /needs a domain/],
    ['v=spf1 include:ip5.example.com/24', 'include:ip5.example.com/24', /top-level label/],
    ['v=spf1 exists', 'exists', /needs a domain/],
    ['v=spf1 ptr/0', 'ptr/0', /no CIDR/],
    ['v=spf1 ptr:', 'ptr:', /empty/],
    ['v=spf1 a/33', 'a/33', /IPv4 CIDR length '\/33'/],
    ['v=spf1 a//129', 'a//129', /IPv6 CIDR length '\/\/129'/],
    ['v=spf1 a/24/64', 'a/24/64', /IPv4 CIDR length '\/64'/], // §5.3 a-dual-cidr-ip4-err: the IPv6 length needs '//'
    ['v=spf1 a:%{d2}. -all', 'a:%{d2}.', /must end in/], // §7.1: after a macro-expand, no bare trailing dot
    ['v=spf1 ip4:1.2.3.4/032', 'ip4:1.2.3.4/032', /CIDR length '\/032'/],
    ['v=spf1 ip4:1.2.3.4/33', 'ip4:1.2.3.4/33', /CIDR length/],
    ['v=spf1 ip4', 'ip4', /needs a network/],
    ['v=spf1 ip4:1.2.3', 'ip4:1.2.3', /not an IPv4 address/],
    ['v=spf1 ip4:1.2.3.4:8080', 'ip4:1.2.3.4:8080', /not an IPv4 address/],
    ['v=spf1 ip4:1.2.3.4//32', 'ip4:1.2.3.4//32', /invalid ip4 network/],
    ['v=spf1 ip4:01.2.3.4', 'ip4:01.2.3.4', /not an IPv4 address/],
    ['v=spf1 ip6::CAFE::BABE', 'ip6::CAFE::BABE', /not an IPv6 address/],
    ['v=spf1 ip6:::1.1.1.1//33', 'ip6:::1.1.1.1//33', /invalid ip6 network/],
    ['v=spf1 ip6:2001:db8::/129', 'ip6:2001:db8::/129', /CIDR length/],
    ['v=spf1 exp= -all', 'exp=', /empty/],
    ['v=spf1 exp=-all', 'exp=-all', /not a fully qualified/],
    ['v=spf1 ?all redirect=', 'redirect=', /empty/],
    ['v=spf1 -all foo=%abc', 'foo=%abc', /'%' must be followed/],
    ['v=spf1 exists:%(ir).sbl.example.com', 'exists:%(ir).sbl.example.com', /'%' must be followed/],
    ['v=spf1 a:%{a}.example.com', 'a:%{a}.example.com', /unknown macro letter 'a'/],
    ['v=spf1 -all exp=%{r}.example.com', 'exp=%{r}.example.com', /only in explanation text/],
    ['v=spf1 a:%{d0}.example.com', 'a:%{d0}.example.com', /non-zero/],
    ['v=spf1 a:ctrl.example.com\rptr -all', 'a:ctrl.example.com\rptr', /U\+000D/], // §4.6.1: only SP separates terms
    ['v=spf1 a:foo.example.com\0', 'a:foo.example.com\0', /U\+0000/],
    ['v=spf1 a:\u00efgarbage.example.net -all', 'a:\u00efgarbage.example.net', /U\+00EF/], // §3.1: 7-bit ASCII
    ['v=spf1 a\t-all', 'a\t-all', /U\+0009/],
  ])('%j → error in %j', (text, term, message) => {
    const p = parseSpfRecord(text);
    expect(p.errors.length).toBeGreaterThan(0);
    expect(p.errors[0]!.term).toBe(term);
    expect(p.errors[0]!.message).toMatch(message);
    // The offsets point at the offending term in the text, for the report's ^^^ marker.
    expect(text.slice(p.errors[0]!.start, p.errors[0]!.end)).toBe(term);
  });

  it('rejects a second redirect= or exp= (RFC 7208 §6)', () => {
    expect(parseSpfRecord('v=spf1 exp=a.example.com -all exp=b.example.com').errors[0]).toMatchObject({
      term: 'exp=b.example.com',
      message: /more than once/,
    });
    expect(parseSpfRecord('v=spf1 redirect=a.example.com redirect=a.example.com').errors[0]!.message).toMatch(
      /more than once/,
    );
  });

  it('says what is wrong with a record that is not SPF at all', () => {
    expect(parseSpfRecord('v=spf2.0/pra -all')).toMatchObject({
      isSpf: false,
      terms: [],
      errors: [{ message: /must start with "v=spf1"/ }],
    });
  });
});

describe('domainSpecError (RFC 7208 §7.1 domain-end)', () => {
  it.each([
    ['example.com', undefined],
    ['example.com.', undefined],
    ['%{d}', undefined],
    ['x.%%', undefined],
    ['_spf.%{d2}', undefined],
    ['com', /fully qualified/],
    ['%{d}com', /must end in/],
    ['example.123', /all-numeric/],
    ['', /empty/],
  ])('%j', (spec, expected) => {
    const err = domainSpecError(spec);
    if (expected === undefined) expect(err).toBeUndefined();
    else expect(err).toMatch(expected);
  });
});
