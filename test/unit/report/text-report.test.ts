// The report renderer: text from reports and DNS is escaped (a reporter's org name or a PTR name can carry terminal
// escapes), the verdict and fixes are shown, --top limits the table, and the receive --reports line.
import { describe, expect, it } from 'vitest';
import type { DomainSummary, SourceRow } from '../../../src/reports/model.js';
import { renderReportArrival, renderReportDomain } from '../../../src/report/text/report.js';
import { createTheme } from '../../../src/report/theme.js';
import { visibleLength } from '../../../src/report/wrap.js';

const t = createTheme(false, 100);
const source = (ip: string, over: Partial<SourceRow> = {}): SourceRow => ({
  type: 'source',
  domain: 'example.com',
  ip,
  name: null,
  ptr: [],
  fcrdns: false,
  messages: 10,
  first: null,
  last: null,
  reporters: [],
  dmarc: { pass: 10, fail: 0 },
  aligned: { spf: 10, dkim: 10 },
  spf: {},
  spfDomains: [],
  dkim: [],
  disposition: { none: 10 },
  headerFrom: [],
  envelopeFrom: [],
  reasons: {},
  comments: [],
  group: 'aligned',
  why: 'aligned DKIM and SPF pass',
  ...over,
});
const summary: DomainSummary = {
  type: 'domain',
  domain: 'example.com',
  first: '2024-05-01T00:00:00.000Z',
  last: '2024-05-08T00:00:00.000Z',
  reports: { dmarc: 2, tlsrpt: 0 },
  reporters: [{ name: 'evil\x1b]8;;http://x\x07org', reports: 2 }],
  published: { p: 'none' },
  messages: 30,
  dmarc: { pass: 20, fail: 10 },
  groups: {
    aligned: { sources: 2, messages: 20 },
    own: { sources: 1, messages: 10 },
    forwarder: { sources: 0, messages: 0 },
    unknown: { sources: 0, messages: 0 },
  },
  verdict: {
    legitimate: 30,
    atRisk: 10,
    lostShare: 1 / 3,
    ownShare: 1 / 3,
    quarantineReady: false,
    rejectReady: false,
    summary: 'not ready for p=quarantine: 33.3% of legitimate mail (10 of 30 messages) would be lost',
    fixFirst: [
      {
        ip: '192.0.2.9',
        name: 'bad\x1b[2Jname.example.com',
        messages: 10,
        group: 'own',
        why: "an address of example.com's MX mx.example.com",
        fix: { kind: 'spf-ip', action: "add ip4:192.0.2.9 to example.com's SPF record", spf: 'ip4:192.0.2.9' },
      },
    ],
  },
  tls: null,
  missing: {},
  findings: [],
};

describe('renderReportDomain', () => {
  const rows = [
    source('192.0.2.1'),
    source('192.0.2.2'),
    source('192.0.2.9', { name: 'bad\x1b[2Jname.example.com', group: 'own', dmarc: { pass: 0, fail: 10 } }),
  ];

  it('escapes control characters from reports and DNS', () => {
    const out = renderReportDomain({ summary, sources: rows, tlsFailures: [] }, t, { top: 10 });
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\x07');
    expect(out).toContain('evil\\x1b]8;;http://x\\x07org\u00a0(2)');
    expect(out).toContain('bad\\x1b[2Jname.example.com');
  });

  it('shows the verdict and what to fix first', () => {
    const out = renderReportDomain({ summary, sources: rows, tlsFailures: [] }, t, { top: 10 });
    expect(out).toContain(
      'Verdict: not ready for p=quarantine: 33.3% of legitimate mail (10 of 30 messages) would be lost',
    );
    expect(out).toMatch(
      /1\. 192\.0\.2\.9 \(bad\\x1b\[2Jname\.example\.com\), 10 messages: an address of example\.com's MX\s+mx\.example\.com\n +→ add ip4:192\.0\.2\.9 to example\.com's SPF record/,
    );
  });

  it('the policy in DNS now: the record, none, or unknown when the lookup failed', () => {
    const now = (current: DomainSummary['current']) =>
      /in DNS now: [^\n]*/.exec(
        renderReportDomain({ summary: { ...summary, current }, sources: rows, tlsFailures: [] }, t, { top: 10 }),
      )?.[0];
    expect(now({ record: 'v=DMARC1; p=none', policy: 'none' })).toBe('in DNS now: p=none');
    expect(now({ record: null, policy: null })).toBe('in DNS now: no DMARC record');
    expect(now({ record: null, policy: null, temporary: true })).toBe('in DNS now: unknown (the lookup failed)');
  });

  it('fits 80 columns: the policy line wraps when the published and current policies are long', () => {
    const long: DomainSummary = {
      ...summary,
      published: { p: 'quarantine', sp: 'quarantine', pct: 50 },
      current: { record: null, policy: null, temporary: true },
    };
    for (const theme of [createTheme(false, 80), createTheme(true, 80)]) {
      const out = renderReportDomain({ summary: long, sources: rows, tlsFailures: [] }, theme, { top: 10 });
      for (const line of out.split('\n')) expect(visibleLength(line), line).toBeLessThanOrEqual(80);
      expect(out).toContain('p=quarantine sp=quarantine pct=50');
    }
  });

  it('--top limits the sources listed and says how many more there are', () => {
    const out = renderReportDomain({ summary, sources: rows, tlsFailures: [] }, t, { top: 1 });
    expect(out).toContain('… 2 more sources (--top 0 shows all, --json gives every row)');
    expect(out).not.toContain('192.0.2.2 ');
  });
});

describe('renderReportArrival', () => {
  it('one line for a DMARC report and for a TLS-RPT report, escaped', () => {
    expect(
      renderReportArrival(
        {
          kind: 'dmarc',
          reporter: 'google.com',
          domain: 'example.com',
          reportId: '1',
          begin: '2024-05-01T00:00:00.000Z',
          end: '2024-05-01T23:59:59.000Z',
          reports: 1,
          messages: 1234,
          failingMessages: 0,
          failingSources: 0,
        },
        t,
      ),
    ).toBe('    DMARC report google.com for example.com 2024-05-01 → 2024-05-01: 1,234 messages, none failing\n');
    expect(
      renderReportArrival(
        {
          kind: 'tlsrpt',
          reporter: 'x\x1bcorp',
          domain: 'example.com',
          reportId: null,
          begin: null,
          end: null,
          reports: 2,
          sessions: 10,
          failedSessions: 3,
        },
        t,
      ),
    ).toBe('    TLS-RPT report x\\x1bcorp for example.com: 10 sessions, 3 failed (+1 more report)\n');
  });
});
