import { describe, expect, it } from 'vitest';
import { checkTlsRpt } from '../../../../src/auth/tls-rpt/check.js';
import { isTlsRptTxt, parseTlsRptRecord } from '../../../../src/auth/tls-rpt/record.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import { fakeResolver } from '../../../helpers/fake-resolver.js';
import { zoneOf } from '../../../helpers/zones.js';

describe('TLS-RPT record (RFC 8460 §3)', () => {
  it('parses the examples of the RFC', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1;rua=mailto:reports@example.com')).toMatchObject({
      errors: [],
      rua: [{ scheme: 'mailto', target: 'reports@example.com' }],
    });
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt')).toMatchObject({
      errors: [],
      rua: [{ scheme: 'https', target: 'https://reporting.example.com/v1/tlsrpt' }],
    });
  });

  it('splits several destinations on commas', () => {
    const r = parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/x');
    expect(r.rua.map((u) => u.target)).toEqual(['a@example.com', 'https://r.example.com/x']);
  });

  it.each([
    ['v=TLSRPTv1;rua=mailto:a@example.com', true],
    ['v=TLSRPTv1', true],
    ['v=tlsrptv1; rua=mailto:a@example.com', false],
    ['v=TLSRPTv10; rua=mailto:a@example.com', false],
  ])('selects %j: %s', (t, yes) => expect(isTlsRptTxt(t)).toBe(yes));

  it.each([
    ['v=TLSRPTv1; rua=ftp://example.com/x', 'scheme'],
    ['v=TLSRPTv1; rua=mailto:not-an-address', 'not a valid email'],
    ['v=TLSRPTv1; rua=reports@example.com', 'no scheme'],
  ])('explains an unusable destination in %j', (txt, problem) => {
    expect(parseTlsRptRecord(txt).rua[0]!.problem).toContain(problem);
  });

  it('rejects two rua fields and malformed fields', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example').errors).toContain(
      'the record has more than one rua= field',
    );
    expect(parseTlsRptRecord('v=TLSRPTv1; rua').errors[0]).toMatch(/not a name=value/);
  });
});

const zone = zoneOf`$ORIGIN rpt.test.
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@rpt.test"
_smtp._tls.two TXT "v=TLSRPTv1; rua=mailto:a@rpt.test"
_smtp._tls.two TXT "v=TLSRPTv1; rua=mailto:b@rpt.test"
_smtp._tls.norua TXT "v=TLSRPTv1; foo=bar"
_smtp._tls.ftp TXT "v=TLSRPTv1; rua=ftp://rpt.test/"
_smtp._tls.typo TXT "v=TLSRPT1; rua=mailto:tls@rpt.test"
`;
const ctx = { resolver: layered([zone], offlineResolver()) };

describe('checkTlsRpt', () => {
  it.each([
    ['rpt.test', [['tls-rpt.ok', 'ok']]],
    ['none.rpt.test', [['tls-rpt.none', 'info']]],
    ['two.rpt.test', [['tls-rpt.record.multiple', 'fail']]],
    ['norua.rpt.test', [['tls-rpt.rua.missing', 'fail']]],
    ['ftp.rpt.test', [['tls-rpt.rua.scheme', 'fail']]],
    ['typo.rpt.test', [['tls-rpt.record.discarded', 'fail']]],
  ])('%s → %j', async (domain, expected) => {
    const r = await checkTlsRpt(domain, ctx);
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual(expected);
  });

  it('returns the record and destinations as data', async () => {
    const r = await checkTlsRpt('rpt.test', ctx);
    expect(r).toMatchObject({
      kind: 'tls-rpt',
      domain: 'rpt.test',
      lookup: 'ok',
      record: 'v=TLSRPTv1; rua=mailto:tls@rpt.test',
      rua: ['mailto:tls@rpt.test'],
    });
    expect(r.steps).toHaveLength(1);
  });

  it('reports a timeout as unknown, not as missing', async () => {
    const r = await checkTlsRpt('x.test', {
      resolver: fakeResolver({ '_smtp._tls.x.test TXT': { status: 'timeout', server: '192.0.2.1:53' } }),
    });
    expect(r.findings).toEqual([expect.objectContaining({ id: 'tls-rpt.lookup.temporary', temporary: true })]);
  });
});
