// The field grammar MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) share, and how each record adds its rules.
import { describe, expect, it } from 'vitest';
import { parseFieldList } from '../../../../src/auth/shared/field-list.js';
import { parseMtaStsRecord } from '../../../../src/auth/mta-sts/record.js';
import { parseTlsRptRecord } from '../../../../src/auth/tls-rpt/record.js';

describe('parseFieldList', () => {
  it('splits at ";" with spaces or tabs around it, allows one trailing ";"', () => {
    expect(parseFieldList('v=X1 ;\ta=1 ; b=two=2;', 'v=X1')).toEqual({
      fields: [
        { name: 'a', value: '1' },
        { name: 'b', value: 'two=2' },
      ],
      errors: [],
      count: 2,
    });
  });
  it('says what is wrong, in order: version, stray ";", a field without "=", a bad name, the caller\'s value check', () => {
    const r = parseFieldList('v=x1; a=1;; junk; -b=2; c=bad', 'v=X1', (f) =>
      f.value === 'bad' ? `${f.name} is bad` : undefined,
    );
    expect(r.errors).toEqual([
      'the record must start with "v=X1"',
      'empty field (two ";" in a row)',
      '"junk" is not a name=value field',
      '"-b" is not a valid field name',
      'c is bad',
    ]);
    expect(r.fields.map((f) => f.name)).toEqual(['a', '-b', 'c']);
    expect(r.count).toBe(5);
  });
  it('is the grammar of both records', () => {
    expect(parseMtaStsRecord('v=STSv1; id=abc;; x=y').errors).toEqual(['empty field (two ";" in a row)']);
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@b.test;; x=y').errors).toEqual([
      'empty field (two ";" in a row)',
    ]);
    expect(parseMtaStsRecord('v=STSv1').errors).toEqual([
      'the record has no fields after the version',
      'the record has no id= field',
    ]);
    expect(parseMtaStsRecord('v=STSv1; id=a b').errors).toEqual(['id "a b" must be 1 to 32 letters and digits']);
    // Extension values: visible characters but "=" and ";" (RFC 8461 §3.1); TLS-RPT leaves extension values free.
    expect(parseMtaStsRecord('v=STSv1; id=1; ext=a b').errors).toEqual([
      'the value of ext has characters not allowed in an extension value',
    ]);
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@b.test; ext=a b').errors).toEqual([]);
  });
});
