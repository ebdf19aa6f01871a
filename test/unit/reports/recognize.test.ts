// receive --reports: a message is recognized as a report by its content, and its one-line summary counts the
// failing messages as `report` does — the same row verdict, including rows without policy_evaluated.
import { describe, expect, it } from 'vitest';
import { recognizeReport } from '../../../src/reports/recognize.js';
import { dmarcXml, gzip, reportMessage, tlsRptJson } from '../../helpers/report-corpus.js';

describe('recognizeReport', () => {
  it('counts failing messages as report does: a row without policy_evaluated passes by aligned auth_results', () => {
    const xml = dmarcXml({
      rows: [
        // No <dkim>/<spf> in policy_evaluated; an aligned DKIM pass in auth_results: DMARC passed.
        {
          ip: '192.0.2.1',
          count: 40,
          dkim: null,
          spf: null,
          dkimResults: [{ domain: 'mail.example.com', selector: 's1', result: 'pass' }],
        },
        // The same shape with nothing aligned: failed.
        {
          ip: '192.0.2.2',
          count: 3,
          dkim: null,
          spf: null,
          dkimResults: [{ domain: 'other.example', selector: 's1', result: 'pass' }],
          spfResults: [{ domain: 'other.example', result: 'pass' }],
        },
        { ip: '192.0.2.3', count: 2, dkim: 'fail', spf: 'fail' },
      ],
    });
    const summary = recognizeReport(reportMessage({ attachment: gzip(xml), filename: 'r.xml.gz' }));
    expect(summary).toMatchObject({
      kind: 'dmarc',
      reporter: 'receiver.example',
      domain: 'example.com',
      reports: 1,
      messages: 45,
      failingMessages: 5,
      failingSources: 2,
    });
  });

  it('a TLS-RPT report, a message without a report, and a report that cannot be read', () => {
    const json = tlsRptJson({ failures: [{ type: 'certificate-expired', mx: 'mx1.example.com', sessions: 4 }] });
    expect(
      recognizeReport(
        reportMessage({ attachment: gzip(json), filename: 't.json.gz', contentType: 'application/tlsrpt+gzip' }),
      ),
    ).toMatchObject({ kind: 'tlsrpt', domain: 'example.com', sessions: 104, failedSessions: 4 });
    expect(recognizeReport(Buffer.from('From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n'))).toBeUndefined();
    const cut = gzip(dmarcXml({ rows: [{ ip: '192.0.2.1' }] })).subarray(0, 40);
    expect(recognizeReport(reportMessage({ attachment: cut, filename: 'r.xml.gz' }))).toEqual({
      error: 'the gzip data is cut off (unexpected end)',
    });
  });
});
