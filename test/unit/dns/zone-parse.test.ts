import { describe, expect, it } from 'vitest';
import { parseZone, ZoneSyntaxError } from '../../../src/dns/zone/parse.js';

const zone = String.raw;

describe('parseZone (RFC 1035 §5 master files)', () => {
  it('resolves $ORIGIN, @, relative and absolute names, and blank owners', () => {
    const z = parseZone(zone`$ORIGIN Example.TEST.
$TTL 600
@       IN MX 10 mx1
        IN MX 20 mx2.other.test.
mx1     A     192.0.2.1
www.example.test. 60 IN CNAME mx1`);
    expect(z.origin).toBe('example.test');
    expect(z.records).toEqual([
      { name: 'example.test', type: 'MX', ttl: 600, data: { preference: 10, exchange: 'mx1.example.test' } },
      { name: 'example.test', type: 'MX', ttl: 600, data: { preference: 20, exchange: 'mx2.other.test' } },
      { name: 'mx1.example.test', type: 'A', ttl: 600, data: '192.0.2.1' },
      { name: 'www.example.test', type: 'CNAME', ttl: 60, data: 'mx1.example.test' },
    ]);
  });

  it('keeps a record listed twice once, with the first TTL (RFC 2181 §5: an RRset has no duplicates)', () => {
    const z = parseZone(zone`$ORIGIN t.
@   300 MX 10 mx
@   600 MX 10 MX.t.
@       MX 20 mx
mx      AAAA 2001:db8::1
mx      AAAA 2001:0DB8:0:0::1
mx      A 192.0.2.1
mx      TXT "a" "b"
mx      TXT "ab"
mx      TXT "a" "b"
other   A 192.0.2.1`);
    expect(z.records).toEqual([
      { name: 't', type: 'MX', ttl: 300, data: { preference: 10, exchange: 'mx.t' } },
      { name: 't', type: 'MX', ttl: 600, data: { preference: 20, exchange: 'mx.t' } },
      { name: 'mx.t', type: 'AAAA', ttl: 600, data: '2001:db8::1' },
      { name: 'mx.t', type: 'A', ttl: 600, data: '192.0.2.1' },
      // Two strings and one string are different RDATA on the wire.
      { name: 'mx.t', type: 'TXT', ttl: 600, data: ['a', 'b'] },
      { name: 'mx.t', type: 'TXT', ttl: 600, data: ['ab'] },
      { name: 'other.t', type: 'A', ttl: 600, data: '192.0.2.1' },
    ]);
  });

  it('accepts TTL and class in either order, and BIND-style TTL units', () => {
    const z = parseZone(zone`$ORIGIN t.
a IN 1h A 192.0.2.1
b 1d2h IN A 192.0.2.2
c 30 A 192.0.2.3`);
    expect(z.records.map((r) => r.ttl)).toEqual([3600, 93600, 30]);
  });

  it('joins parentheses across lines, ignores comments, and keeps multi-string TXT apart', () => {
    const z = parseZone(zone`$ORIGIN t.
@ IN SOA ns hostmaster ( 1 ; serial
   2 3 4 ; a comment with "quotes" and ( parens
   5 )
k TXT ( "v=DKIM1; k=rsa; "   ; first
        "p=AAAA" )
s TXT "semi;colon" "esc\"aped" "\065\066" plain`);
    expect(z.records[0]!.data).toMatchObject({ mname: 'ns.t', rname: 'hostmaster.t', serial: 1, minimum: 5 });
    expect(z.records[1]!.data).toEqual(['v=DKIM1; k=rsa; ', 'p=AAAA']);
    expect(z.records[2]!.data).toEqual(['semi;colon', 'esc"aped', 'AB', 'plain']);
  });

  it('parses MX, AAAA, PTR, NS, TLSA, DS, DNSKEY, SRV and CAA', () => {
    const z = parseZone(zone`$ORIGIN t.
a AAAA 2001:DB8::1
p PTR host.t.
@ NS ns1
_25._tcp.mx TLSA 3 1 1 ( AB CD
  EF01 )
@ DS 12345 13 2 ABCDEF12
@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0d xCjjnopKl+GqJxpVXckHAeF+KkxLbxIL fDLUT0rAK9iUzy1L53eKGQ==
_sip._tcp SRV 10 5 5060 sip
@ CAA 0 issue "ca.example"`);
    const data = z.records.map((r) => r.data);
    expect(data[0]).toBe('2001:db8::1');
    expect(data[3]).toEqual({ usage: 3, selector: 1, matchingType: 1, data: 'abcdef01' });
    expect(data[4]).toEqual({ keyTag: 12345, algorithm: 13, digestType: 2, digest: 'abcdef12' });
    expect((data[5] as { key: string }).key).toMatch(/^mdss.*==$/);
    expect(data[6]).toEqual({ priority: 10, weight: 5, port: 5060, target: 'sip.t' });
    expect(data[7]).toEqual({ flags: 0, tag: 'issue', value: 'ca.example' });
  });

  it('takes the origin from the caller when the file has none, and from the SOA owner first', () => {
    expect(parseZone('@ A 192.0.2.1', { origin: 'from-name.test' }).origin).toBe('from-name.test');
    expect(parseZone('sub.t. SOA ns.t. h.t. 1 2 3 4 5\nsub.t. A 192.0.2.1').origin).toBe('sub.t');
  });

  it.each([
    ['$ORIGIN t.\na A 300.1.1.1', /not an IPv4 address/],
    ['$ORIGIN t.\na AAAA fe80::1%eth0', /not an IPv6 address/],
    ['$ORIGIN t.\na BOGUS x', /unsupported record type/],
    ['$ORIGIN t.\na TXT "unterminated', /unterminated quoted string/],
    ['$ORIGIN t.\na TXT ( "x"', /unbalanced '\('/],
    ['$ORIGIN t.\na MX ten mx', /invalid preference/],
    ['a A 192.0.2.1', /no \$ORIGIN/],
    ['$ORIGIN t.\nother.example. A 192.0.2.1', /outside the zone's origin/],
    ['$ORIGIN t.\na CH A 192.0.2.1', /only IN/],
    [`$ORIGIN t.\na TXT "${'x'.repeat(256)}"`, /longer than 255 bytes/],
    ['$ORIGIN t.\n$INCLUDE other.zone', /not supported/],
    ['$ORIGIN t.\n  A 192.0.2.1', /no owner name/],
  ])('rejects %j with a line number', (text, message) => {
    expect(() => parseZone(text, { source: 'z' })).toThrow(ZoneSyntaxError);
    expect(() => parseZone(text, { source: 'z' })).toThrow(message);
    try {
      parseZone(text, { source: 'z' });
    } catch (e) {
      expect((e as Error).message).toMatch(/^z:\d+: /);
    }
  });
});
