// codec.ts: queries as RFC 1035/6891 say, every record type round-trips, decoding never throws.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import {
  decodeMessage,
  encodeQuery,
  encodeResponse,
  extractAnswer,
  isReplyTo,
  nameError,
  negativeTtl,
  type DnsMessage,
  type DnsRecord,
} from '../../../src/dns/codec.js';
import { RR_TYPES, type RRType, type RecordMap } from '../../../src/dns/types.js';
import { fuzz } from '../fuzz/settings.js';

const SAMPLES: { [T in RRType]: RecordMap[T][] } = {
  A: ['192.0.2.1'],
  AAAA: ['2001:db8::10'],
  MX: [
    { preference: 10, exchange: 'mx1.example.test' },
    { preference: 0, exchange: '' },
  ],
  TXT: [['v=spf1 -all'], ['part one ', 'part two'], ['héllo ✓'], ['']],
  SPF: [['v=spf1 ip4:192.0.2.0/24 ', '-all']],
  CNAME: ['target.example.test'],
  PTR: ['host.example.test'],
  NS: ['ns1.example.test'],
  SOA: [
    {
      mname: 'ns1.example.test',
      rname: 'hostmaster.example.test',
      serial: 2026112901,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: 300,
    },
  ],
  TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: '0123456789abcdef'.repeat(4) }],
  DS: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: 'ab'.repeat(32) }],
  DNSKEY: [{ flags: 257, protocol: 3, algorithm: 13, key: Buffer.from('a key of some bytes').toString('base64') }],
  SRV: [{ priority: 10, weight: 5, port: 25, target: 'mail.example.test' }],
  CAA: [
    { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
    { flags: 128, tag: 'iodef', value: 'mailto:sec@example.test' },
  ],
};

function roundTrip(records: DnsRecord[]): DnsMessage {
  const bytes = encodeResponse({
    id: 7,
    rcode: 'NOERROR',
    flags: { aa: true },
    questions: [{ name: 'example.test', type: 'A', class: 'IN' }],
    answers: records,
  });
  const d = decodeMessage(bytes);
  if (!d.ok) throw new Error(d.error);
  return d.message;
}

describe('record round trip', () => {
  it('has a sample for every RR type', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...RR_TYPES].sort());
  });
  for (const type of RR_TYPES) {
    it(`${type} encodes and decodes to the same shape`, () => {
      const samples = SAMPLES[type] as RecordMap[RRType][];
      const m = roundTrip(samples.map((data) => ({ name: 'example.test', type, class: 'IN', ttl: 300, data })));
      expect(m.answers.map((a) => a.type)).toEqual(samples.map(() => type));
      expect(m.answers.map((a) => a.data)).toEqual(samples);
      expect(m.answers.every((a) => a.ttl === 300 && a.name === 'example.test')).toBe(true);
    });
  }

  it('splits a character-string over 255 octets (RFC 1035 §3.3) and keeps the text', () => {
    const long = 'p='.padEnd(600, 'A');
    const [rec] = roundTrip([{ name: 'k.test', type: 'TXT', class: 'IN', ttl: 1, data: [long] }]).answers;
    expect((rec!.data as string[]).map((s) => s.length)).toEqual([255, 255, 90]);
    expect((rec!.data as string[]).join('')).toBe(long);
  });

  it('decodes names lowercase without the trailing dot, and TXT Buffers as UTF-8', () => {
    const bytes = dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ name: 'Example.TEST', type: 'MX' }],
      answers: [
        { name: 'Example.TEST.', type: 'MX', ttl: 5, data: { preference: 5, exchange: 'MX.Example.Test.' } },
        { name: 'example.test', type: 'TXT', ttl: 9, data: [Buffer.from('caf\u00e9', 'utf8'), Buffer.from('x')] },
      ],
    });
    const d = decodeMessage(bytes);
    expect(d.ok && d.message.answers.map((a) => [a.name, a.data])).toEqual([
      ['example.test', { preference: 5, exchange: 'mx.example.test' }],
      ['example.test', ['café', 'x']],
    ]);
  });

  it('leaves types it does not model as data null', () => {
    const bytes = dnsPacket.encode({
      type: 'response',
      id: 1,
      answers: [{ name: 'a.test', type: 'NULL', ttl: 1, data: Buffer.from('x') }],
    });
    const d = decodeMessage(bytes);
    expect(d.ok && d.message.answers[0]).toMatchObject({ type: 'NULL', data: null });
  });
});

describe('encodeQuery', () => {
  it('sets RD, a random id, and EDNS0 with a 4096 buffer and DO (RFC 6891, RFC 3225)', () => {
    const q = encodeQuery('Example.Test.', 'MX');
    const p = dnsPacket.decode(q.bytes);
    expect(p.flag_rd).toBe(true);
    expect(p.id).toBe(q.id);
    expect(p.questions).toEqual([{ name: 'Example.Test', type: 'MX', class: 'IN' }]);
    const opt = p.additionals?.[0] as dnsPacket.OptAnswer;
    expect(opt).toMatchObject({ type: 'OPT', udpPayloadSize: 4096, flag_do: true });
    expect(q.question).toEqual({ name: 'example.test', type: 'MX', class: 'IN' });
    const ids = new Set(Array.from({ length: 50 }, () => encodeQuery('a.test', 'A').id));
    expect(ids.size).toBeGreaterThan(40);
  });

  it('can leave EDNS out (the retry after FORMERR)', () => {
    const p = dnsPacket.decode(encodeQuery('a.test', 'A', { edns: false }).bytes);
    expect(p.additionals).toEqual([]);
  });

  it('writes the same bytes as dns-packet for any name, type and EDNS choice (plain names take a fast path)', () => {
    const label = fc.stringMatching(/^[A-Za-z0-9_-]{1,63}$/);
    const odd = fc.constantFrom('*', 'caf\u00e9', 'a b', 'x\\.y', '');
    const name = fc
      .tuple(
        fc.array(fc.oneof({ weight: 9, arbitrary: label }, { weight: 1, arbitrary: odd }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.boolean(),
      )
      .map(([labels, dot]) => labels.join('.') + (dot ? '.' : ''))
      .filter((n) => nameError(n) === undefined);
    fc.assert(
      fc.property(
        name,
        fc.constantFrom(...RR_TYPES, 'ANY', 'NULL'),
        fc.integer({ min: 0, max: 0xffff }),
        fc.boolean(),
        (n, type, id, edns) => {
          const general = dnsPacket.encode({
            type: 'query',
            id,
            flags: dnsPacket.RECURSION_DESIRED,
            questions: [{ name: n.replace(/\.$/, '') || '.', type: type as dnsPacket.RecordType, class: 'IN' }],
            additionals: edns
              ? ([
                  {
                    type: 'OPT',
                    name: '.',
                    udpPayloadSize: 4096,
                    extendedRcode: 0,
                    ednsVersion: 0,
                    flags: dnsPacket.DNSSEC_OK,
                    options: [],
                  },
                ] as unknown as dnsPacket.Answer[])
              : [],
          });
          expect(encodeQuery(n, type, { id, edns }).bytes.equals(general)).toBe(true);
        },
      ),
      fuzz(2000),
    );
  });

  it('refuses names that cannot go on the wire', () => {
    expect(nameError('a'.repeat(64) + '.test')).toMatch(/63/);
    expect(nameError(Array(130).fill('ab').join('.'))).toMatch(/255/);
    expect(nameError('a..test')).toMatch(/empty label/);
    expect(nameError('ok.example.test.')).toBeUndefined();
    expect(() => encodeQuery('a'.repeat(64), 'A')).toThrow(RangeError);
    // 253 characters are 255 octets on the wire, the limit; one more is refused by the plain path as by the general.
    const labels = (n: number) => Array.from({ length: n }, () => 'a'.repeat(62)).join('.');
    const at253 = `${labels(4)}.${'b'.repeat(253 - 4 * 63)}`;
    expect(at253).toHaveLength(253);
    expect(encodeQuery(at253, 'A').bytes.length).toBeGreaterThan(255);
    expect(() => encodeQuery(`${at253}b`, 'A')).toThrow(/longer than 255 octets/);
    expect(() => encodeQuery('a..test', 'A')).toThrow(/empty label/);
  });
});

describe('decodeMessage', () => {
  it('reads rcode, flags and the EDNS extended rcode', () => {
    const bytes = encodeResponse({
      id: 9,
      rcode: 'BADVERS',
      flags: { aa: true, ad: true, tc: true },
      questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
      edns: { udpPayloadSize: 1232, version: 0, dnssecOk: false },
    });
    const d = decodeMessage(bytes);
    expect(d.ok && d.message).toMatchObject({
      id: 9,
      response: true,
      rcode: 'BADVERS',
      flags: { aa: true, ad: true, tc: true, ra: false },
      edns: { udpPayloadSize: 1232 },
    });
  });

  it('returns an error value for a compression pointer loop instead of hanging or throwing', () => {
    const header = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
    const d = decodeMessage(Buffer.concat([header, Buffer.from([1, 0x61, 0xc0, 0x0c, 0, 1, 0, 1])]));
    expect(d).toMatchObject({ ok: false, error: expect.stringMatching(/pointer/) });
  });

  it('never throws, on random bytes or on damaged real messages', () => {
    const real = roundTrip([
      { name: 'x.test', type: 'MX', class: 'IN', ttl: 1, data: { preference: 1, exchange: 'y.test' } },
    ]);
    const bytes = encodeResponse({ ...real, answers: real.answers });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(() => decodeMessage(Buffer.from(b))).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.nat(255), fc.nat(bytes.length), (at, v, cut) => {
        const b = Buffer.from(bytes);
        b[at] = v;
        expect(() => decodeMessage(b.subarray(0, cut))).not.toThrow();
      }),
    );
  });
});

describe('isReplyTo', () => {
  const q = encodeQuery('Mixed.Case.test', 'TXT');
  const reply = (over: Partial<DnsMessage>) => {
    const d = decodeMessage(
      encodeResponse({
        id: q.id,
        rcode: 'NOERROR',
        questions: [{ name: 'mixed.CASE.test', type: 'TXT', class: 'IN' }],
      }),
    );
    return { ...(d.ok ? d.message : ({} as DnsMessage)), ...over };
  };
  it('matches id and question, the name case-insensitively', () => {
    expect(isReplyTo(reply({}), q)).toBe(true);
    expect(isReplyTo(reply({ id: (q.id + 1) & 0xffff }), q)).toBe(false);
    expect(isReplyTo(reply({ questions: [{ name: 'mixed.case.test', type: 'A', class: 'IN' }] }), q)).toBe(false);
    expect(isReplyTo(reply({ questions: [] }), q)).toBe(false);
    expect(isReplyTo(reply({ response: false }), q)).toBe(false);
  });
});

describe('extractAnswer and negativeTtl', () => {
  const rr = (name: string, type: string, ttl: number, data: unknown): DnsRecord => ({
    name,
    type,
    class: 'IN',
    ttl,
    data: data as DnsRecord['data'],
  });
  const msg = (answers: DnsRecord[], authorities: DnsRecord[] = []): DnsMessage => ({
    id: 1,
    response: true,
    opcode: 'QUERY',
    rcode: 'NOERROR',
    flags: { aa: true, tc: false, rd: true, ra: false, ad: false, cd: false },
    questions: [],
    answers,
    authorities,
    additionals: [],
  });

  it('follows the chain from the query name, whatever the record order, with the min TTL', () => {
    const m = msg([
      rr('c.test', 'A', 50, '192.0.2.1'),
      rr('b.test', 'CNAME', 30, 'c.test'),
      rr('a.test', 'CNAME', 100, 'b.test'),
      rr('x.test', 'A', 1, '192.0.2.9'),
    ]);
    expect(extractAnswer(m, 'A.test.', 'A')).toEqual({
      chain: [
        { owner: 'a.test', target: 'b.test', ttl: 100 },
        { owner: 'b.test', target: 'c.test', ttl: 30 },
      ],
      finalName: 'c.test',
      records: ['192.0.2.1'],
      ttl: 30,
      loop: false,
    });
    expect(extractAnswer(m, 'a.test', 'A', { follow: false })).toMatchObject({ chain: [], records: [] });
    expect(extractAnswer(m, 'a.test', 'CNAME')).toMatchObject({ chain: [], records: ['b.test'] });
  });

  it('detects a loop', () => {
    const m = msg([rr('a.test', 'CNAME', 1, 'b.test'), rr('b.test', 'CNAME', 1, 'a.test')]);
    expect(extractAnswer(m, 'a.test', 'MX')).toMatchObject({
      loop: true,
      records: [],
      chain: [{ owner: 'a.test' }, { owner: 'b.test' }],
    });
  });

  it('takes the negative TTL from an enclosing SOA only (RFC 2308 §5)', () => {
    const soa = rr('example.test', 'SOA', 120, SAMPLES.SOA[0]);
    expect(negativeTtl(msg([], [soa]), 'nope.example.test')).toBe(120);
    expect(negativeTtl(msg([], [{ ...soa, ttl: 900 }]), 'example.test')).toBe(300);
    expect(negativeTtl(msg([], [soa]), 'other.test')).toBeUndefined();
    expect(negativeTtl(msg([], [soa]), 'badexample.test')).toBeUndefined();
  });
});
