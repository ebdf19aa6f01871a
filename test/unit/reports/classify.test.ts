// Aggregation, grouping and the verdict, over an in-memory zone: own infrastructure named by SPF (with the include),
// MX and FCrDNS; forwarders by reason, ARC comment and mailing-list shape; unknown senders; and the thresholds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../../src/core/context.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { newSource, ReportAggregator, toSourceRow } from '../../../src/reports/aggregate.js';
import { classifyRow, classifySources, lookupPosture } from '../../../src/reports/classify.js';
import { parseDmarcReport } from '../../../src/reports/dmarc-parse.js';
import type { SourceRow } from '../../../src/reports/model.js';
import { runReports } from '../../../src/reports/run.js';
import { dmarcVerdict, domainFindings, groupTotals } from '../../../src/reports/verdict.js';
import { fakeResolver } from '../../helpers/fake-resolver.js';
import { dmarcXml, tlsRptJson, type RowSpec } from '../../helpers/report-corpus.js';
import { zoneOf } from '../../helpers/zones.js';

const resolver = layered(
  [
    zoneOf`$ORIGIN example.com.
@ 300 IN SOA ns hostmaster 1 3600 600 604800 300
@ 300 IN MX 10 mx1
@ 300 IN TXT "v=spf1 ip4:192.0.2.0/28 include:_spf.esp.test -all"
_dmarc 300 IN TXT "v=DMARC1; p=none; rua=mailto:d@example.com"
mx1 300 IN A 192.0.2.100
out 300 IN A 192.0.2.120
`,
    zoneOf`$ORIGIN esp.test.
@ 300 IN SOA ns hostmaster 1 3600 600 604800 300
_spf 300 IN TXT "v=spf1 ip4:203.0.113.0/28 -all"
`,
    zoneOf`$ORIGIN sendgrid.net.
@ 300 IN SOA ns hostmaster 1 3600 600 604800 300
o1 300 IN A 198.51.100.50
lists 300 IN A 198.51.100.60
`,
    zoneOf`$ORIGIN 2.0.192.in-addr.arpa.
@ 300 IN SOA ns hostmaster 1 3600 600 604800 300
120 300 IN PTR out.example.com.
1 300 IN PTR spoofed-name.example.com.
`,
    zoneOf`$ORIGIN 100.51.198.in-addr.arpa.
@ 300 IN SOA ns hostmaster 1 3600 600 604800 300
50 300 IN PTR o1.sendgrid.net.
`,
  ],
  offlineResolver(),
);
const ctx = { resolver };

const ok = (ip: string, count: number, extra: Partial<RowSpec> = {}): RowSpec => ({
  ip,
  count,
  dkimResults: [{ domain: 'example.com', selector: 's1', result: 'pass' }],
  spfResults: [{ domain: 'example.com', result: 'pass' }],
  ...extra,
});
const bad = (ip: string, count: number, extra: Partial<RowSpec> = {}): RowSpec => ({
  ip,
  count,
  dkim: 'fail',
  spf: 'fail',
  spfResults: [{ domain: 'example.com', result: 'fail' }],
  ...extra,
});

async function run(rows: RowSpec[]) {
  const agg = new ReportAggregator();
  agg.add(parseDmarcReport(dmarcXml({ rows })));
  const acc = agg.domains.get('example.com')!;
  const sources = [...acc.sources.values()].map((s) => toSourceRow('example.com', s));
  const posture = await lookupPosture('example.com', sources, resolver);
  await classifySources(sources, posture, ctx);
  return Object.fromEntries(sources.map((s) => [s.ip, s])) as Record<string, SourceRow>;
}

describe('grouping sources', () => {
  it('aligned sources pass; own ones are named by the SPF include, the MX or the confirmed reverse name', async () => {
    const rows = await run([
      ok('192.0.2.1', 1000),
      // In SPF via the include, but the service bounces and signs as itself: not aligned.
      bad('203.0.113.5', 300, {
        envelopeFrom: 'bounce.esp.test',
        spfResults: [{ domain: 'bounce.esp.test', result: 'pass' }],
        dkimResults: [{ domain: 'esp.test', selector: 'esp1', result: 'pass' }],
      }),
      bad('192.0.2.100', 20),
      bad('192.0.2.120', 10, { dkimResults: [{ domain: 'example.com', selector: 'old', result: 'fail' }] }),
    ]);
    expect(rows['192.0.2.1']).toMatchObject({ group: 'aligned', name: null, why: 'aligned DKIM and SPF pass' });
    expect(rows['203.0.113.5']).toMatchObject({
      group: 'own',
      why: "in example.com's SPF record via include:_spf.esp.test → ip4:203.0.113.0/28",
      fix: { kind: 'dkim-sign', selector: 'esp1' },
    });
    expect(rows['203.0.113.5']!.fix!.action).toMatch(/sign with d=example.com/);
    expect(rows['192.0.2.100']).toMatchObject({
      group: 'own',
      why: "an address of example.com's MX mx1.example.com",
      fix: { kind: 'spf-ip', spf: 'ip4:192.0.2.100' },
    });
    expect(rows['192.0.2.120']).toMatchObject({
      group: 'own',
      name: 'out.example.com',
      fcrdns: true,
      why: 'its confirmed reverse name out.example.com is under example.com',
      fix: { kind: 'dkim-key', selector: 'old' },
    });
  });

  it('an unconfirmed PTR is shown but not trusted', async () => {
    const rows = await run([bad('192.0.2.1', 5)]);
    // 192.0.2.1 is in the SPF record, so it is own by SPF; its PTR does not point back.
    expect(rows['192.0.2.1']).toMatchObject({ name: null, ptr: ['spoofed-name.example.com'], fcrdns: false });
  });

  it('forwarders: by reason, by ARC comment, by mailing-list shape, by a working selector broken in transit', async () => {
    const rows = await run([
      ok('192.0.2.1', 1000),
      bad('198.51.100.1', 7, { reasons: [{ type: 'forwarded' }] }),
      bad('198.51.100.2', 8, { reasons: [{ type: 'local_policy', comment: 'arc=pass as.2.google.com=pass' }] }),
      bad('198.51.100.3', 9, {
        envelopeFrom: 'lists.example.org',
        dkimResults: [
          { domain: 'example.com', selector: 's1', result: 'fail' },
          { domain: 'lists.example.org', selector: 'l', result: 'pass' },
        ],
      }),
      bad('198.51.100.4', 4, { dkimResults: [{ domain: 'example.com', selector: 's1', result: 'fail' }] }),
    ]);
    expect(rows['198.51.100.1']).toMatchObject({ group: 'forwarder', why: 'reporters gave the reason forwarded' });
    expect(rows['198.51.100.2']!.why).toMatch(/ARC/);
    expect(rows['198.51.100.3']!.why).toMatch(/^mailing-list shape/);
    expect(rows['198.51.100.4']!.why).toMatch(/working selector s1/);
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'])
      expect(rows[ip]!.group).toBe('forwarder');
  });

  it('unknown senders; a known service by its confirmed name gets the include it documents', async () => {
    const rows = await run([bad('198.51.100.9', 50), bad('198.51.100.50', 12)]);
    expect(rows['198.51.100.9']).toMatchObject({ group: 'unknown' });
    expect(rows['198.51.100.9']!.fix).toBeUndefined();
    expect(rows['198.51.100.50']).toMatchObject({
      group: 'unknown',
      name: 'o1.sendgrid.net',
      fix: { kind: 'spf-include', spf: 'include:sendgrid.net' },
    });
  });

  it('an own source outside SPF gets the ip4: term to add', () => {
    const row = toSourceRow('example.com', { ...newSource('192.0.2.200'), messages: 5 });
    const posture = {
      domain: 'example.com',
      mxAddresses: new Map([['192.0.2.200', 'mx2.example.com']]),
      goodSelectors: new Set<string>(),
      temporary: false,
    };
    expect(classifyRow(row, posture, { result: 'fail', matched: [] })).toMatchObject({
      group: 'own',
      why: "an address of example.com's MX mx2.example.com",
      fix: { kind: 'spf-ip', spf: 'ip4:192.0.2.200' },
    });
  });
});

describe('aggregation', () => {
  it('sums a source over reports, counts duplicates once, and keeps the newest published policy', () => {
    const agg = new ReportAggregator();
    agg.add(parseDmarcReport(dmarcXml({ reportId: 'a', p: 'none', end: 100, rows: [ok('192.0.2.1', 3)] })));
    agg.add(parseDmarcReport(dmarcXml({ reportId: 'a', p: 'none', end: 100, rows: [ok('192.0.2.1', 3)] })));
    agg.add(
      parseDmarcReport(
        dmarcXml({
          reportId: 'b',
          org: 'other.example',
          p: 'quarantine',
          begin: 150,
          end: 200,
          rows: [ok('192.0.2.1', 4), bad('192.0.2.9', 2)],
        }),
      ),
    );
    expect(agg.reports).toBe(2);
    expect(agg.duplicates).toBe(1);
    const d = agg.domains.get('example.com')!;
    expect(d.published!.policy.p).toBe('quarantine');
    const s = toSourceRow('example.com', d.sources.get('192.0.2.1')!);
    expect(s).toMatchObject({
      messages: 7,
      dmarc: { pass: 7, fail: 0 },
      reporters: ['other.example', 'receiver.example'],
    });
    expect(toSourceRow('example.com', d.sources.get('192.0.2.9')!).dmarc).toEqual({ pass: 0, fail: 2 });
  });

  it('results, reasons and TLS failure types named "constructor" or "__proto__" are counted as numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-report-keys-'));
    try {
      const rows = [
        bad('192.0.2.9', 2, {
          reasons: [{ type: 'constructor' }],
          dkimResults: [
            { domain: 'example.com', selector: 's1', result: 'constructor' },
            { domain: 'example.com', selector: 's2', result: '__proto__' },
          ],
          spfResults: [{ domain: 'example.com', result: '__proto__' }],
        }),
      ];
      writeFileSync(join(dir, 'a.xml'), dmarcXml({ rows }));
      writeFileSync(
        join(dir, 'b.json'),
        tlsRptJson({
          failures: [
            { type: 'constructor', mx: '__proto__', sessions: 3 },
            { type: '__proto__', mx: 'constructor', sessions: 4 },
          ],
        }),
      );
      const fullCtx: Context = { resolver, timeoutMs: 1000, now: () => new Date(), onEvent: () => {} };
      const run = await runReports([dir], fullCtx, { lookups: false });
      // As a script reading the NDJSON sees them ({ __proto__: n } in a literal would set the prototype instead).
      const d = JSON.stringify(run.domains[0]);
      expect(d).toContain('"results":{"constructor":2}');
      expect(d).toContain('"results":{"__proto__":2}');
      expect(d).toContain('"spf":{"__proto__":2}');
      expect(d).toContain('"reasons":{"constructor":2}');
      expect(d).toContain('"byType":{"__proto__":4,"constructor":3}');
      expect(d).toContain('"byMx":{"constructor":4,"__proto__":3}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a DMARC lookup that times out is "unknown" now, a temporary finding — never "no DMARC record"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-report-dmarc-timeout-'));
    try {
      writeFileSync(join(dir, 'a.xml'), dmarcXml({ rows: [ok('192.0.2.1', 5)] }));
      const timeout = { status: 'timeout' as const, server: '192.0.2.53:53' };
      const silent = fakeResolver({ '_dmarc.example.com TXT': timeout });
      const run = await runReports([dir], {
        resolver: silent,
        timeoutMs: 100,
        now: () => new Date(),
        onEvent: () => {},
      });
      const d = run.domains[0]!.summary;
      expect(d.current).toEqual({ record: null, policy: null, temporary: true });
      const f = d.findings.find((x) => x.id === 'report.dns.temporary');
      expect(f).toMatchObject({ severity: 'warn', temporary: true });
      expect(f!.message).toContain('the DMARC record of example.com (the policy in DNS now is unknown)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--since/--until keep reports whose range overlaps the window', () => {
    const agg = new ReportAggregator({ since: 1000, until: 2000 });
    const r = (id: string, begin: number | null, end: number | null) =>
      agg.add(parseDmarcReport(dmarcXml({ reportId: id, begin, end, rows: [ok('192.0.2.1', 1)] })));
    expect([
      r('a', 0, 999),
      r('b', 500, 1500),
      r('c', 1500, 1600),
      r('d', 1999, 3000),
      r('e', 2000, 3000),
      r('f', null, null),
    ]).toEqual([false, true, true, true, false, false]);
    expect(agg.outOfRange).toBe(3);
  });

  it('without policy_evaluated verdicts, alignment comes from auth_results (relaxed)', () => {
    const agg = new ReportAggregator();
    agg.add(
      parseDmarcReport(
        dmarcXml({
          rows: [
            ok('192.0.2.1', 2, {
              dkim: null,
              spf: null,
              dkimResults: [{ domain: 'mail.example.com', result: 'pass' }],
            }),
            ok('192.0.2.2', 3, {
              dkim: null,
              spf: null,
              dkimResults: [{ domain: 'other.example', result: 'pass' }],
              spfResults: [],
            }),
          ],
        }),
      ),
    );
    const d = agg.domains.get('example.com')!;
    expect(toSourceRow('example.com', d.sources.get('192.0.2.1')!).dmarc.pass).toBe(2);
    expect(toSourceRow('example.com', d.sources.get('192.0.2.2')!).dmarc.pass).toBe(0);
  });
});

describe('the verdict', () => {
  const row = (group: SourceRow['group'], pass: number, fail: number, ip = `192.0.2.${pass % 250}`): SourceRow =>
    ({ ip, name: null, group, why: group, dmarc: { pass, fail }, messages: pass + fail }) as SourceRow;

  it('ready for p=reject when own failures are at most 0.1% and all losses at most 2%', () => {
    const v = dmarcVerdict(
      [row('aligned', 100_000, 0), row('own', 0, 100), row('forwarder', 0, 1000), row('unknown', 0, 50_000)],
      { p: 'none' },
    );
    expect(v).toMatchObject({ legitimate: 101_100, atRisk: 1100, rejectReady: true, quarantineReady: true });
    expect(v.summary).toBe('ready for p=reject: 1.1% of legitimate mail (1,100 of 101,100 messages) would be lost');
  });

  it('quarantine but not reject between 0.1% and 1% own failures; neither above', () => {
    const q = dmarcVerdict([row('aligned', 10_000, 0), row('own', 0, 50)], { p: 'none' });
    expect(q).toMatchObject({ quarantineReady: true, rejectReady: false });
    expect(q.summary).toMatch(/^ready for p=quarantine, not yet for p=reject: 0.50%/);
    const n = dmarcVerdict([row('aligned', 1000, 0), row('own', 0, 62, '203.0.113.7')], { p: 'none' });
    expect(n).toMatchObject({ quarantineReady: false, rejectReady: false });
    expect(n.summary).toBe('not ready for p=quarantine: 5.8% of legitimate mail (62 of 1,062 messages) would be lost');
    expect(n.fixFirst.map((f) => [f.ip, f.messages])).toEqual([['203.0.113.7', 62]]);
  });

  it('forwarders alone above 2% keep reject back; own sources come first in the fix list', () => {
    const v = dmarcVerdict(
      [row('aligned', 1000, 0), row('forwarder', 0, 30, '198.51.100.1'), row('own', 0, 1, '192.0.2.77')],
      { p: 'none' },
    );
    expect(v.rejectReady).toBe(false);
    expect(v.fixFirst.map((f) => f.ip)).toEqual(['192.0.2.77', '198.51.100.1']);
  });

  it('no legitimate mail: nothing to lose', () => {
    expect(dmarcVerdict([row('unknown', 0, 10)], null)).toMatchObject({ rejectReady: true, lostShare: 0 });
  });

  it('findings: own failing is a fail, spoofing under p=none a warning, the verdict and a short range', () => {
    const rows = [row('aligned', 1000, 0), row('own', 0, 62), row('unknown', 0, 5)];
    const f = domainFindings({
      domain: 'example.com',
      groups: groupTotals(rows),
      verdict: dmarcVerdict(rows, { p: 'none' }),
      published: { p: 'none' },
      missing: { 'report_metadata/report_id': 2 },
      first: '2024-05-01T00:00:00.000Z',
      last: '2024-05-02T00:00:00.000Z',
    });
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['report.dmarc.own-failing', 'fail'],
      ['report.dmarc.unknown-failing', 'warn'],
      ['report.verdict.not-ready', 'warn'],
      ['report.range.short', 'info'],
      ['report.fields.missing', 'info'],
    ]);
  });
});
