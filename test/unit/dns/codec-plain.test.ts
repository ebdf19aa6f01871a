// codec-plain.ts against the general codec (dns-packet): whenever the hand-written decoder accepts a message, it
// decodes it exactly as the general decoder does, for generated answers, compressed ones as servers write them,
// real answers from our zone server, and every truncation and byte flip of them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainMessage } from '../../../src/dns/codec-plain.js';
import { decodeGeneral, decodeMessage, encodeQuery, encodeResponse, type DnsRecord } from '../../../src/dns/codec.js';
import { answerQuery } from '../../../src/dns/server.js';
import { fixtureResolver } from '../../helpers/zones.js';
import { fuzz } from '../fuzz/settings.js';

const label = fc.stringMatching(/^[A-Za-z0-9_]([A-Za-z0-9_-]{0,14}[A-Za-z0-9])?$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const ttl = fc.nat(0x7fffffff);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const text = fc.array(fc.string({ unit: 'binary', maxLength: 80 }), { maxLength: 4 });
const record: fc.Arbitrary<DnsRecord> = fc
  .oneof(
    ipv4.map((data) => ({ type: 'A', data })),
    fc.ipV6().map((data) => ({ type: 'AAAA', data })),
    fc.tuple(fc.constantFrom('CNAME', 'PTR', 'NS'), name).map(([type, data]) => ({ type, data })),
    fc.record({ preference: fc.nat(0xffff), exchange: name }).map((data) => ({ type: 'MX', data })),
    text.map((data) => ({ type: 'TXT', data })),
    text.map((data) => ({ type: 'SPF', data })),
    fc
      .record({
        mname: name,
        rname: name,
        serial: fc.nat(0xffffffff),
        refresh: fc.nat(0xffffffff),
        retry: fc.nat(0xffffffff),
        expire: fc.nat(0xffffffff),
        minimum: fc.nat(0xffffffff),
      })
      .map((data) => ({ type: 'SOA', data })),
    fc
      .record({ keyTag: fc.nat(0xffff), algorithm: fc.nat(255), digestType: fc.nat(255), digest: fc.constant('ab12') })
      .map((data) => ({ type: 'DS', data })),
  )
  .chain((r) => fc.record({ name, ttl }).map((o) => ({ ...o, class: 'IN', ...r }) as DnsRecord));
const message = fc
  .record({
    id: fc.nat(0xffff),
    rcode: fc.constantFrom('NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'BADVERS'),
    flags: fc.record({ aa: fc.boolean(), tc: fc.boolean(), ad: fc.boolean(), cd: fc.boolean(), ra: fc.boolean() }),
    question: fc.record({ name, type: fc.constantFrom('A', 'AAAA', 'MX', 'TXT', 'PTR', 'SOA', 'DS', 'TLSA') }),
    answers: fc.array(record, { maxLength: 6 }),
    authorities: fc.array(record, { maxLength: 2 }),
    additionals: fc.array(record, { maxLength: 3 }),
    edns: fc.option(fc.record({ udpPayloadSize: fc.nat(0xffff), version: fc.nat(2), dnssecOk: fc.boolean() })),
  })
  .map((m) =>
    encodeResponse({
      id: m.id,
      rcode: m.rcode,
      flags: m.flags,
      questions: [{ ...m.question, class: 'IN' }],
      answers: m.answers,
      authorities: m.authorities,
      additionals: m.additionals,
      ...(m.edns ? { edns: m.edns } : {}),
    }),
  );

/** The property: the plain decoder either steps aside or says what the general decoder says. */
function agrees(bytes: Buffer): boolean {
  const plain = plainMessage(bytes);
  if (!plain) return false;
  const general = decodeGeneral(bytes);
  expect(general.ok).toBe(true);
  if (general.ok) expect(JSON.stringify(plain)).toBe(JSON.stringify(general.message));
  return true;
}

/** Rewrites a message with its owner names compressed (RFC 1035 §4.1.4), as real servers send them. */
function compressed(bytes: Buffer): Buffer {
  const d = decodeGeneral(bytes);
  if (!d.ok) throw new Error(d.error);
  const out: number[] = [...bytes.subarray(0, 12)];
  const seen = new Map<string, number>();
  const writeName = (n: string) => {
    const labels = n ? n.split('.') : [];
    for (let i = 0; i < labels.length; i++) {
      const rest = labels.slice(i).join('.');
      const at = seen.get(rest);
      if (at !== undefined) return void out.push(0xc0 | (at >> 8), at & 255);
      if (out.length < 0x3fff) seen.set(rest, out.length);
      const b = Buffer.from(labels[i]!);
      out.push(b.length, ...b);
    }
    out.push(0);
  };
  let at = 12;
  const skipName = () => {
    while (bytes[at] !== 0 && (bytes[at]! & 0xc0) !== 0xc0) at += bytes[at]! + 1;
    at += bytes[at] === 0 ? 1 : 2;
  };
  for (const q of d.message.questions) {
    writeName(q.name);
    skipName();
    out.push(...bytes.subarray(at, at + 4));
    at += 4;
  }
  // Records keep their RDATA as is (uncompressed names inside it are valid too); only owners are compressed.
  while (at < bytes.length) {
    const start = at;
    skipName();
    const nameBytes = bytes.subarray(start, at);
    const labels: string[] = [];
    for (let i = 0; nameBytes[i]; i += nameBytes[i]! + 1)
      labels.push(nameBytes.toString('latin1', i + 1, i + 1 + nameBytes[i]!));
    writeName(labels.join('.'));
    const rdlength = bytes.readUInt16BE(at + 8);
    out.push(...bytes.subarray(at, at + 10 + rdlength));
    at += 10 + rdlength;
  }
  return Buffer.from(out);
}

describe('plainMessage', () => {
  it('decodes generated answers exactly as the general decoder, and takes most of them', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(message, (bytes) => {
        runs++;
        if (agrees(bytes)) taken++;
      }),
      fuzz(1500),
    );
    // Messages with a DS record, a class or a type it does not read, are left to the general decoder.
    expect(taken).toBeGreaterThan(runs / 3);
  });

  it('decodes compressed names as the general decoder, pointers included', () => {
    let taken = 0;
    fc.assert(
      fc.property(message, (bytes) => {
        if (agrees(compressed(bytes))) taken++;
      }),
      fuzz(800),
    );
    expect(taken).toBeGreaterThan(0);
  });

  it('every truncation and byte flip of a message: steps aside or agrees, never throws', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.nat(255), fc.boolean(), (raw, at, v, squeeze) => {
        const bytes = squeeze ? compressed(raw) : raw;
        for (let cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length >> 4)) agrees(bytes.subarray(0, cut));
        const flipped = Buffer.from(bytes);
        flipped[at % bytes.length] = v;
        agrees(flipped);
      }),
      fuzz(1500),
    );
  });

  it('random bytes behind a plausible header: steps aside or agrees', () => {
    fc.assert(
      fc.property(
        fc.nat(0xffff),
        fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }),
        fc.uint8Array({ maxLength: 200 }),
        (id, counts, body) => {
          const h = Buffer.alloc(12);
          h.writeUInt16BE(id, 0);
          h.writeUInt16BE(0x8180, 2);
          counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
          agrees(Buffer.concat([h, body]));
        },
      ),
      fuzz(3000),
    );
  });

  it('odd names and records: a dot or a non-ASCII octet in a label, upper case, the root, RNAME with a backslash, EDNS options', () => {
    const header = (an: number, ar = 0) => Buffer.from([0, 7, 0x81, 0x80, 0, 1, 0, an, 0, 0, 0, ar]);
    const question = Buffer.from([1, 0x61, 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]);
    const a = (owner: number[]) =>
      Buffer.concat([Buffer.from(owner), Buffer.from([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1])]);
    const cases: [string, Buffer, boolean][] = [
      ['a dot ending the last label', Buffer.concat([header(1), question, a([2, 0x61, 0x2e, 0])]), false],
      ['a dot inside a label', Buffer.concat([header(1), question, a([3, 0x61, 0x2e, 0x62, 0])]), false],
      ['a non-ASCII octet', Buffer.concat([header(1), question, a([2, 0xc3, 0xa9, 0])]), false],
      ['upper case, lowered', Buffer.concat([header(1), question, a([3, 0x4d, 0x58, 0x31, 0])]), true],
      ['the root as owner', Buffer.concat([header(1), question, a([0])]), true],
      ['a pointer to the question name', Buffer.concat([header(1), question, a([0xc0, 12])]), true],
      ['a pointer to itself', Buffer.concat([header(1), question, a([0xc0, 23])]), false],
      [
        'an SOA RNAME label ending in a backslash',
        Buffer.concat([
          header(1),
          question,
          Buffer.from([0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 60, 0, 28, 0, 3, 0x61, 0x5c, 0x5c, 1, 0x62, 0]),
          Buffer.alloc(20, 1),
        ]),
        false,
      ],
      [
        'an OPT with a padding option',
        Buffer.concat([
          header(0, 1),
          question,
          Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0x80, 0, 0, 6, 0, 12, 0, 2, 0, 0]),
        ]),
        true,
      ],
      [
        'an OPT with a client-subnet option (the general decoder parses it)',
        Buffer.concat([
          header(0, 1),
          question,
          Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 8, 0, 8, 0, 4, 0, 1, 24, 0]),
        ]),
        false,
      ],
    ];
    for (const [what, bytes, taken] of cases) {
      expect(agrees(bytes), what).toBe(taken);
      expect(decodeMessage(bytes), what).toEqual(decodeGeneral(bytes));
    }
  });

  it('reads the answers of the fixture zones (MX, A, AAAA, PTR, TXT, NXDOMAIN with SOA) like the general decoder', async () => {
    const resolver = fixtureResolver([
      'example.test.zone',
      '2.0.192.in-addr.arpa.zone',
      '8.b.d.0.1.0.0.2.ip6.arpa.zone',
      'spf.test.zone',
    ]);
    const questions: [string, string][] = [
      ['example.test', 'MX'],
      ['mx1.example.test', 'A'],
      ['mx1.example.test', 'AAAA'],
      ['10.2.0.192.in-addr.arpa', 'PTR'],
      ['example.test', 'TXT'],
      ['nope.example.test', 'A'],
      ['example.test', 'SOA'],
    ];
    let taken = 0;
    for (const [n, t] of questions) {
      const bytes = await answerQuery(encodeQuery(n, t).bytes, resolver, 'udp');
      if (agrees(bytes!)) taken++;
      expect(decodeMessage(bytes!).ok).toBe(true);
    }
    expect(taken).toBe(questions.length);
  });
});
