// Property tests for the master-file parser (RFC 1035 §5): any text either parses or throws ZoneSyntaxError
// (nothing else: no TypeError, no hang), and generated records written out in varied styles parse back the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZoneSyntaxError, parseZone } from '../../../src/dns/zone/parse.js';
import type { ZoneRecord } from '../../../src/dns/zone/types.js';
import { FUZZ_TIMEOUT, fuzz } from './settings.js';

const ORIGIN = 'fuzz.test';
const label = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,12}[A-Za-z0-9])?$/);
const rel = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'));
const ttl = fc.nat(2147483647);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
/** A character-string of at most 255 octets, any Unicode (the parser reads bytes and decodes UTF-8). */
const charString = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= 255);

/** RFC 1035 §5.1: outside printable ASCII, and for '"' and '\', write \DDD; otherwise the character itself. */
function quote(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8'))
    out +=
      b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c ? `\\${String(b).padStart(3, '0')}` : String.fromCharCode(b);
  return `${out}"`;
}

interface Gen {
  owner: string;
  absoluteOwner: boolean;
  ttl: number;
  classFirst: boolean;
  paren: boolean;
  type: string;
  rdata: string;
  expect: unknown;
}

const rr: fc.Arbitrary<Gen> = fc
  .record({
    owner: rel,
    absoluteOwner: fc.boolean(),
    ttl,
    classFirst: fc.boolean(),
    paren: fc.boolean(),
    body: fc.oneof(
      ipv4.map((a) => ({ type: 'A', rdata: a, expect: a })),
      fc.ipV6().map((a) => ({ type: 'AAAA', rdata: a, expect: a.toLowerCase() })),
      fc.tuple(fc.nat(65535), rel).map(([p, x]) => ({
        type: 'MX',
        rdata: `${p} ${x}`,
        expect: { preference: p, exchange: `${x.toLowerCase()}.${ORIGIN}` },
      })),
      fc
        .array(charString, { minLength: 1, maxLength: 5 })
        .map((ss) => ({ type: 'TXT', rdata: ss.map(quote).join(' '), expect: ss })),
      rel.map((x) => ({ type: 'CNAME', rdata: `${x}.${ORIGIN}.`, expect: `${x.toLowerCase()}.${ORIGIN}` })),
      fc.tuple(fc.nat(65535), fc.nat(65535), fc.nat(65535), rel).map(([p, w, port, x]) => ({
        type: 'SRV',
        rdata: `${p} ${w} ${port} ${x}`,
        expect: { priority: p, weight: w, port, target: `${x.toLowerCase()}.${ORIGIN}` },
      })),
      fc
        .tuple(fc.nat(255), fc.constantFrom('issue', 'iodef', 'issuewild'), fc.stringMatching(/^[a-z0-9.;=]{1,30}$/))
        .map(([f, tag, v]) => ({ type: 'CAA', rdata: `${f} ${tag} "${v}"`, expect: { flags: f, tag, value: v } })),
    ),
  })
  .map(({ body, ...r }) => ({ ...r, ...body }));

function write(g: Gen): string {
  const owner = g.absoluteOwner ? `${g.owner}.${ORIGIN}.` : g.owner;
  const head = g.classFirst ? `IN ${g.ttl}` : `${g.ttl} IN`;
  const rdata = g.paren ? `( ${g.rdata.replace(/ (?=[^"]*("[^"]*"[^"]*)*$)/, ' ; a comment\n    ')} )` : g.rdata;
  return `${owner} ${head} ${g.type} ${rdata}`;
}

describe('zone-file parser (fuzz)', () => {
  it(
    'generated records, written with relative/absolute owners, TTL/class in either order, parentheses and comments, parse back the same',
    () => {
      // Distinct records only: a record listed twice is one record (RFC 2181 §5; TTL aside, AAAA compared as addresses).
      const key = (g: Gen) =>
        `${g.owner.toLowerCase()} ${g.type} ${g.type === 'AAAA' ? new URL(`http://[${g.expect as string}]`).hostname : JSON.stringify(g.expect)}`;
      fc.assert(
        fc.property(fc.uniqueArray(rr, { minLength: 1, maxLength: 15, selector: key }), (gens) => {
          const text = `$ORIGIN ${ORIGIN}.\n$TTL 300\n${gens.map(write).join('\n')}\n`;
          const z = parseZone(text);
          expect(z.origin).toBe(ORIGIN);
          expect(z.records.map((r: ZoneRecord) => [r.name, r.type, r.ttl, r.data])).toEqual(
            gens.map((g) => [`${g.owner.toLowerCase()}.${ORIGIN}`, g.type, g.ttl, g.expect]),
          );
        }),
        fuzz(400),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'any text made of zone-file pieces: a zone or a ZoneSyntaxError, nothing else',
    () => {
      const piece = fc.oneof(
        fc.constantFrom(
          '$ORIGIN',
          '$TTL',
          '$INCLUDE',
          '$GENERATE',
          '@',
          '(',
          ')',
          ';',
          '"',
          '\\',
          '\\0',
          '\\999',
          ' ',
          '\t',
          '\n',
          '\r\n',
          '.',
          'IN',
          'CH',
          'A',
          'AAAA',
          'MX',
          'TXT',
          'SOA',
          'CNAME',
          'TLSA',
          'DS',
          'DNSKEY',
          'SRV',
          'CAA',
          'NS',
          '1h',
          '99999999999',
          '-1',
          '0',
          'zz',
          'x.test.',
          '::1',
          '1.2.3.4',
          'ff',
          '==',
        ),
        fc.string({ maxLength: 8 }),
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 60 }), fc.boolean(), (pieces, withOrigin) => {
          const text = pieces.join(' ');
          try {
            const z = parseZone(text, withOrigin ? { origin: ORIGIN } : {});
            for (const r of z.records) expect(typeof r.name).toBe('string');
          } catch (e) {
            if (!(e instanceof ZoneSyntaxError))
              throw new Error(
                `parseZone threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(text)}`,
              );
            expect(e.message).toMatch(/^zone:\d+: /);
          }
        }),
        fuzz(3000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'arbitrary Unicode text: a zone or a ZoneSyntaxError',
    () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
          try {
            parseZone(text, { origin: ORIGIN });
          } catch (e) {
            if (!(e instanceof ZoneSyntaxError)) throw e;
          }
        }),
        fuzz(1000),
      );
    },
    FUZZ_TIMEOUT,
  );
});
