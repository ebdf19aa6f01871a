// Property tests for the SPF record parser and check_host() (RFC 7208 §4.6, §12): random terms never crash;
// the result is a parse (terms at their offsets, errors inside the text) and a record with a syntax error
// evaluates to permerror with the spf.record.syntax finding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSpf } from '../../../src/auth/spf/check.js';
import { parseSpfRecord } from '../../../src/auth/spf/record.js';
import type { Context } from '../../../src/core/context.js';
import { fakeResolver } from '../../helpers/fake-resolver.js';
import { FUZZ_TIMEOUT, fuzz } from './settings.js';

const RESULTS = ['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'];
const qualifier = fc.constantFrom('', '+', '-', '~', '?', '!');
const domain = fc.oneof(
  fc.constantFrom(
    'fuzz.test',
    'other.test',
    '%{d}',
    '%{i}.in.test',
    '%{ir}.%{v}._spf.%{d2}',
    '%{l1r-}.x.test',
    '%{z}',
    '%',
    '%{d',
    '.',
    'a..b',
    '-x.test',
    'x.123',
  ),
  fc.stringMatching(/^[a-z0-9.%{}_-]{0,30}$/),
);
const cidr = fc.oneof(
  fc.constant(''),
  fc.nat(140).map((n) => `/${n}`),
  fc.tuple(fc.nat(40), fc.nat(140)).map(([a, b]) => `/${a}//${b}`),
  fc.constant('//'),
);
const ip4 = fc.tuple(fc.nat(300), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const term = fc.oneof(
  fc.tuple(qualifier, fc.constantFrom('all', 'ALL', 'all:x')).map(([q, m]) => q + m),
  fc
    .tuple(
      qualifier,
      fc.constantFrom('include', 'exists', 'a', 'mx', 'ptr', 'Include'),
      fc.constantFrom(':', '=', ''),
      domain,
      cidr,
    )
    .map((p) => p.join('')),
  fc.tuple(qualifier, ip4, cidr).map(([q, a, c]) => `${q}ip4:${a}${c}`),
  fc.tuple(qualifier, fc.ipV6(), cidr).map(([q, a, c]) => `${q}ip6:${a}${c}`),
  fc.tuple(fc.constantFrom('redirect', 'exp', 'foo', 'x-y', '1bad', 'REDIRECT'), domain).map(([m, d]) => `${m}=${d}`),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);

const ctx = (record: string): Context => ({
  resolver: fakeResolver({
    'fuzz.test TXT': [[record]],
    'other.test TXT': [['v=spf1 -all']],
    'fuzz.test A': ['192.0.2.1'],
  }),
  timeoutMs: 1000,
  now: () => new Date('2026-01-01T00:00:00Z'),
  onEvent: () => {},
});

const record = fc
  .tuple(
    fc.constantFrom('v=spf1', 'v=spf1', 'V=SPF1', 'v=spf10', ''),
    fc.array(fc.tuple(fc.constantFrom(' ', '  ', '\t'), term), { maxLength: 12 }),
  )
  .map(([v, terms]) => v + terms.map(([sep, t]) => sep + t).join(''));

describe('SPF parser (fuzz)', () => {
  it(
    'random terms: a parse with every term at its offset and every error inside the text',
    () => {
      fc.assert(
        fc.property(record, (text) => {
          const p = parseSpfRecord(text);
          for (const t of p.terms) expect(text.slice(t.start, t.end)).toBe(t.raw);
          for (const e of p.errors) {
            expect(e.start).toBeGreaterThanOrEqual(0);
            expect(e.end).toBeLessThanOrEqual(text.length);
            expect(e.message.length).toBeGreaterThan(0);
          }
          if (!p.isSpf) expect(p.errors.length).toBeGreaterThan(0);
        }),
        fuzz(3000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'check_host() on random records: one of the seven results; a syntax error is permerror with a finding',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          record.map((r) => `v=spf1 ${r.replace(/^\S*/, '')}`),
          fc.constantFrom('192.0.2.1', '2001:db8::1', '198.51.100.7'),
          async (text, ip) => {
            const r = await checkSpf({ domain: 'fuzz.test', ip }, ctx(text));
            expect(RESULTS).toContain(r.result);
            expect(r.findings.map((f) => f.id)).toContain(`spf.result.${r.result}`);
            if (parseSpfRecord(text).errors.length) {
              expect(r.result).toBe('permerror');
              expect(r.findings.map((f) => f.id)).toContain('spf.record.syntax');
            }
          },
        ),
        fuzz(400),
      );
    },
    FUZZ_TIMEOUT,
  );
});
