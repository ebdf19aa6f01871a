import { describe, expect, it } from 'vitest';
import { isMtaStsTxt, parseMtaStsRecord } from '../../../../src/auth/mta-sts/record.js';
import {
  matchingPattern,
  mxPatternMatches,
  parseMtaStsPolicy,
  validMxPattern,
} from '../../../../src/auth/mta-sts/policy.js';

describe('MTA-STS TXT record (RFC 8461 §3.1)', () => {
  it.each([
    ['v=STSv1; id=20160831085700Z;', true],
    ['v=STSv1;id=1', true],
    ['v=STSv1 ; id=1', true],
    ['v=stsv1; id=1', false], // the version is case-sensitive (%s in the ABNF)
    ['v=STSv10; id=1', false],
    [' v=STSv1; id=1', false],
    ['v=spf1 -all', false],
  ])('selects %j: %s', (txt, selected) => {
    expect(isMtaStsTxt(txt)).toBe(selected);
  });

  it('parses the id and extensions', () => {
    const r = parseMtaStsRecord('v=STSv1; id=20160831085700Z; ext_1=foo;');
    expect(r.errors).toEqual([]);
    expect(r.id).toBe('20160831085700Z');
    expect(r.fields).toEqual([
      { name: 'id', value: '20160831085700Z' },
      { name: 'ext_1', value: 'foo' },
    ]);
  });

  it.each([
    ['v=STSv1;', /no fields/],
    ['v=STSv1; foo=bar', /no id= field/],
    ['v=STSv1; id=abc-123', /1 to 32 letters and digits/],
    [`v=STSv1; id=${'a'.repeat(33)}`, /1 to 32 letters and digits/],
    ['v=STSv1; id=1; id=2', /more than one id/],
    ['v=STSv1;; id=1', /empty field/],
    ['v=STSv1; id', /not a name=value field/],
    ['v=STSv1; id=1; -x=1', /not a valid field name/],
    ['v=STSv1; id=1; x=a b', /extension value/],
  ])('rejects %j', (txt, error) => {
    const r = parseMtaStsRecord(txt);
    expect(r.errors.join('; ')).toMatch(error);
  });
});

describe('MTA-STS policy file (RFC 8461 §3.2)', () => {
  it('parses the example of the RFC, with CRLF line ends', () => {
    const p = parseMtaStsPolicy(
      'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n',
    );
    expect(p).toMatchObject({
      version: 'STSv1',
      mode: 'enforce',
      maxAge: 604800,
      mx: ['mail.example.com', '*.example.net', 'backupmx.example.com'],
      errors: [],
    });
  });

  it('keeps unknown fields as extensions and ignores blank lines', () => {
    const p = parseMtaStsPolicy('version: STSv1\n\nmode: testing\nmx: mx.example.com\nmax_age: 86400\nfoo: bar\n');
    expect(p.errors).toEqual([]);
    expect(p.extensions).toEqual([{ name: 'foo', value: 'bar' }]);
  });

  it.each([
    ['mode: enforce\nmx: a.example\nmax_age: 1', /version field is missing/],
    ['version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1', /not "STSv1"/],
    ['version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1', /case-sensitive/],
    ['version: STSv1\nmode: enforce\nmx: a.example', /max_age field is missing/],
    ['version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601', /over the limit/],
    ['version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1', /not a number/],
    ['version: STSv1\nmode: enforce\nmax_age: 86400', /needs at least one mx/],
    ['version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 86400', /wildcard pattern/],
    ['version: STSv1\nmode enforce\nmx: a.example\nmax_age: 86400', /line 2 is not a "key: value"/],
  ])('rejects %j', (text, error) => {
    expect(parseMtaStsPolicy(text).errors.join('; ')).toMatch(error);
  });

  it('allows mode none without mx, and warns about repeated fields', () => {
    const p = parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 86400\nmode: enforce\n');
    expect(p.errors).toEqual([]);
    expect(p.mode).toBe('none');
    expect(p.warnings[0]).toMatch(/mode appears more than once/);
  });
});

describe('MX patterns (RFC 8461 §4.1)', () => {
  it.each([
    ['mail.example.com', 'mail.example.com', true],
    ['mail.example.com', 'MAIL.Example.COM.', true],
    ['*.example.com', 'mx1.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.mx1.example.com', false],
    ['*.example.com', 'mx1.example.net', false],
    ['mail.example.com', 'mail2.example.com', false],
  ])('%s covers %s: %s', (pattern, host, covers) => {
    expect(mxPatternMatches(pattern, host)).toBe(covers);
  });

  it('finds the first covering pattern', () => {
    expect(matchingPattern(['a.example', '*.example'], 'b.example')).toBe('*.example');
    expect(matchingPattern(['a.example'], 'b.example')).toBeNull();
  });

  it.each([
    ['*.example.com', true],
    ['mx.example.com', true],
    ['*', false],
    ['a.*.example', false],
    ['-a.example', false],
  ])('validMxPattern(%j) = %s', (p, ok) => {
    expect(validMxPattern(p)).toBe(ok);
  });
});
