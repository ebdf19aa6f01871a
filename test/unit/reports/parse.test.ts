// DMARC aggregate (RFC 7489 Appendix C, RFC 9990, the 2012 draft) and TLS-RPT (RFC 8460) parsing: the real-world
// shapes in fixtures/reports, and a generated corpus where every field is left out somewhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_FIELD_CHARS,
  normalizeIp,
  parseDmarcReport,
  ReportFormatError,
  timestamp,
} from '../../../src/reports/dmarc-parse.js';
import { parseTlsRptReport } from '../../../src/reports/tlsrpt-parse.js';
import { unpackReports } from '../../../src/reports/unpack.js';
import { dmarcXml, tlsRptJson, type DmarcSpec, type RowSpec } from '../../helpers/report-corpus.js';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/reports/${name}`, import.meta.url));

describe('DMARC aggregate reports: real-world shapes', () => {
  it('Google: RFC 7489 with a local_policy override and an arc=pass comment; IPv6 normalized', () => {
    const r = parseDmarcReport(fixture('google-rfc7489.xml').toString('utf8'));
    expect(r).toMatchObject({ version: 'draft', orgName: 'google.com', reportId: '11790347585541414957' });
    expect(r.begin).toBe(1714521600);
    expect(r.policy).toEqual({ domain: 'example.com', adkim: 'r', aspf: 'r', p: 'none', sp: 'none', pct: 100 });
    expect(r.records).toHaveLength(2);
    expect(r.records[1]).toMatchObject({
      sourceIp: '2001:db8::7',
      count: 14,
      dkim: 'fail',
      reasons: [{ type: 'local_policy', comment: expect.stringContaining('arc=pass') }],
    });
    expect(r.missing).toEqual([]);
  });

  it('Microsoft: namespaces on <feedback>, envelope_to, fo and SPF scope', () => {
    const r = parseDmarcReport(fixture('outlook-namespaced.xml').toString('utf8'));
    expect(r.version).toBe('1.0');
    expect(r.policy.fo).toBe('0');
    expect(r.records[0]).toMatchObject({
      envelopeTo: 'contoso.example',
      envelopeFrom: 'bounce.esp.example',
      spfResults: [{ domain: 'bounce.esp.example', scope: 'mfrom', result: 'pass' }],
      dkimResults: [{ domain: 'esp.example', selector: 'esp1', result: 'pass' }],
    });
  });

  it('OpenDMARC (2012 draft): ISO-8859-1, upper-case values, hardfail, missing email and count', () => {
    const [found] = unpackReports(fixture('opendmarc-draft.xml'), 'f').reports;
    const r = found!.report;
    if (r.kind !== 'dmarc') throw new Error('kind');
    expect(r.orgName).toBe('Mailhost Geschäftsstelle');
    expect(r.policy.domain).toBe('example.com');
    expect(r.records[0]).toMatchObject({ count: 1, dkim: 'fail', spf: 'fail', spfResults: [{ result: 'fail' }] });
    expect(r.missing).toEqual(['record/row/count']);
  });

  it('RFC 9990: the dmarc-2.0 namespace, np, testing, disposition pass', () => {
    const r = parseDmarcReport(fixture('rfc9990.xml').toString('utf8'));
    expect(r.version).toBe('rfc9990');
    expect(r.policy).toMatchObject({ p: 'quarantine', np: 'reject', testing: 'n', adkim: 's' });
    expect(r.records[0]).toMatchObject({ disposition: 'pass', dkim: 'pass', spf: 'fail' });
  });

  it('TLS-RPT: RFC 8460 Appendix B, plus snake_case keys', () => {
    const r = parseTlsRptReport(fixture('tlsrpt-rfc8460.json').toString('utf8'));
    expect(r).toMatchObject({ orgName: 'Company-X', reportId: '5065427c-23d3-47ca-b6e0-946ea0e8c4be' });
    expect(r.begin).toBe(Date.parse('2016-04-01T00:00:00Z') / 1000);
    expect(r.policies[0]).toMatchObject({
      policyType: 'sts',
      policyDomain: 'company-y.example',
      successfulSessions: 5326,
      failedSessions: 303,
    });
    expect(r.policies[0]!.failures.map((f) => [f.resultType, f.receivingMxHostname, f.failedSessions])).toEqual([
      ['certificate-expired', 'mx1.mail.company-y.example', 100],
      ['starttls-not-supported', 'mx2.mail.company-y.example', 200],
      ['validation-failure', 'mx-backup.mail.company-y.example', 3],
    ]);
    expect(r.policies[1]).toMatchObject({
      policyType: 'tlsa',
      failedSessions: 1,
      failures: [{ resultType: 'tlsa-invalid' }],
    });
    expect(r.missing).toEqual([]);
  });
});

describe('a generated corpus: every field optional somewhere', () => {
  const row: RowSpec = {
    ip: '192.0.2.1',
    count: 5,
    dkimResults: [{ domain: 'example.com', selector: 's1', result: 'pass' }],
    spfResults: [{ domain: 'example.com', scope: 'mfrom', result: 'pass' }],
    envelopeFrom: 'example.com',
  };
  type Change = Partial<DmarcSpec> | { row: Record<string, unknown> };
  const cases: [string, Change, string | null][] = [
    ['org_name', { org: null }, 'report_metadata/org_name'],
    ['email', { email: null }, null],
    ['report_id', { reportId: null }, 'report_metadata/report_id'],
    ['date_range', { begin: null, end: null }, 'report_metadata/date_range'],
    ['begin', { begin: null }, 'report_metadata/date_range'],
    ['domain', { domain: null }, 'policy_published/domain'],
    ['p', { p: null }, 'policy_published/p'],
    ['version', { version: null }, null],
    ['count', { row: { count: null } }, 'record/row/count'],
    ['disposition', { row: { disposition: null } }, null],
    ['policy_evaluated dkim', { row: { dkim: null } }, null],
    ['policy_evaluated spf', { row: { spf: null } }, null],
    ['header_from', { row: { headerFrom: null } }, 'record/identifiers/header_from'],
    ['envelope_from', { row: { envelopeFrom: null } }, null],
    ['auth_results', { row: { noAuth: true } }, 'record/auth_results'],
    ['dkim selector', { row: { dkimResults: [{ domain: 'example.com', result: 'pass' }] } }, null],
    ['spf scope', { row: { spfResults: [{ domain: 'example.com', result: 'pass' }] } }, null],
  ];
  it.each(cases)('without %s the report is still read, and what is missing is said', (_name, change, missing) => {
    const spec: DmarcSpec = { rows: [row] };
    if ('row' in change) spec.rows = [{ ...row, ...(change.row as Partial<RowSpec>) }];
    else Object.assign(spec, change);
    const r = parseDmarcReport(dmarcXml(spec));
    expect(r.records).toHaveLength(1);
    expect(r.records[0]!.sourceIp).toBe('192.0.2.1');
    if (missing) expect(r.missing).toContain(missing);
    else expect(r.missing).toEqual([]);
  });

  it('a record without a source IP is skipped and counted, the others kept', () => {
    const xml = dmarcXml({ rows: [row, { ...row, ip: 'not-an-ip' }, { ...row, ip: '' }] });
    const r = parseDmarcReport(xml);
    expect(r.records).toHaveLength(1);
    expect(r.skippedRecords).toBe(2);
    expect(r.missing).toContain('record/row/source_ip');
  });

  it('something that is not a report is a ReportFormatError, not a crash', () => {
    expect(() => parseDmarcReport('<html><body>hi</body></html>')).toThrow(ReportFormatError);
    expect(() => parseTlsRptReport('{"a":1}')).toThrow(ReportFormatError);
    expect(() => parseTlsRptReport('{"policies":')).toThrow(/not valid JSON/);
  });

  it('TLS-RPT with fields left out', () => {
    const r = parseTlsRptReport(
      tlsRptJson({ org: null, reportId: null, failures: [{ type: 'starttls-not-supported', sessions: 2 }] }),
    );
    expect(r.missing).toEqual(['organization-name', 'report-id']);
    expect(r.policies[0]!.failures[0]).toMatchObject({ resultType: 'starttls-not-supported', failedSessions: 2 });
    expect(r.policies[0]!.failures[0]!.receivingMxHostname).toBeUndefined();
  });
});

describe('hostile sizes', () => {
  it('a field is kept to MAX_FIELD_CHARS: a megabyte of org_name, report_id or selector is not held per report', () => {
    const huge = 'x'.repeat(1 << 20);
    const r = parseDmarcReport(
      dmarcXml({
        org: huge,
        reportId: huge,
        rows: [
          { ip: '192.0.2.1', reasons: [{ type: huge }], dkimResults: [{ domain: huge, selector: huge, result: huge }] },
        ],
      }),
    );
    const kept = [
      r.orgName!,
      r.reportId!,
      r.records[0]!.reasons[0]!.type,
      ...Object.values(r.records[0]!.dkimResults[0]!),
    ];
    for (const s of kept) expect(s.length).toBe(MAX_FIELD_CHARS + 1);
    expect(r.orgName!.endsWith('x…')).toBe(true);
    const t = parseTlsRptReport(
      JSON.stringify({
        'organization-name': huge,
        'report-id': huge,
        policies: [
          {
            policy: { 'policy-type': 'sts', 'policy-domain': huge, 'mx-host': [huge] },
            summary: {},
            'failure-details': [{ 'result-type': huge, 'receiving-mx-hostname': huge, 'failed-session-count': 1 }],
          },
        ],
      }),
    );
    const p = t.policies[0]!;
    for (const s of [t.orgName!, t.reportId!, p.policyDomain!, p.mxHosts[0]!, p.failures[0]!.resultType])
      expect(s.length).toBe(MAX_FIELD_CHARS + 1);
  });
});

describe('values as senders write them', () => {
  it('timestamps: seconds, milliseconds, fractions, ISO', () => {
    expect(timestamp('1714521600')).toBe(1714521600);
    expect(timestamp('1714521600000')).toBe(1714521600);
    expect(timestamp('1714521600.5')).toBe(1714521600);
    expect(timestamp('2024-05-01T00:00:00Z')).toBe(1714521600);
    expect(timestamp('yesterday')).toBeUndefined();
  });

  it('IP addresses: one spelling per address', () => {
    expect(normalizeIp(' 192.0.2.1 ')).toBe('192.0.2.1');
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('[2001:db8::1]')).toBe('2001:db8::1');
    expect(normalizeIp('mail.example.com')).toBeUndefined();
  });
});
