// Property tests for reading reports (RFC 7489 Appendix C, RFC 8460): random bytes, truncations and byte flips of
// valid reports in every packaging are either reports or named problems — never a throw — and a report that survives
// a mutation still has the shape the aggregator relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReportAggregator } from '../../../src/reports/aggregate.js';
import { unpackReports } from '../../../src/reports/unpack.js';
import { dmarcXml, gzip, reportMessage, tlsRptJson, zip } from '../../helpers/report-corpus.js';
import { FUZZ_TIMEOUT, fuzz } from './settings.js';

const limits = { maxDocumentBytes: 1 << 20, maxTotalBytes: 4 << 20 };
const xml = dmarcXml({
  rows: [
    {
      ip: '192.0.2.1',
      count: 3,
      reasons: [{ type: 'forwarded', comment: 'a & b' }],
      dkimResults: [{ domain: 'example.com', selector: 's', result: 'pass' }],
    },
    { ip: '2001:db8::1', count: 2, dkim: 'fail', spf: 'fail', spfResults: [{ domain: 'example.com', result: 'fail' }] },
  ],
});
const json = tlsRptJson({ failures: [{ type: 'certificate-expired', mx: 'mx.example.com', sessions: 2 }] });
const samples = [
  Buffer.from(xml),
  Buffer.from(json),
  gzip(xml),
  zip([{ name: 'r.xml', data: xml }]),
  reportMessage({ attachment: gzip(xml), filename: 'r.xml.gz' }),
  reportMessage({ attachment: Buffer.from(xml), contentType: 'text/xml', encoding: 'quoted-printable' }),
];

/** Unpack and aggregate: what report does with one input. Must not throw. */
function read(data: Buffer): void {
  const u = unpackReports(data, 'fuzz', limits);
  for (const p of u.problems) expect(typeof p.message).toBe('string');
  const agg = new ReportAggregator();
  for (const r of u.reports) agg.add(r.report);
  for (const d of agg.domains.values())
    for (const s of d.sources.values()) expect(Number.isFinite(s.messages) && s.messages >= 0).toBe(true);
}

describe('reading reports never throws', () => {
  it(
    'random bytes, and random bytes behind each magic number',
    () => {
      const prefix = fc.constantFrom('', '\x1f\x8b', 'PK\x03\x04', '<', '{', 'From: a\r\n\r\n', '<feedback>');
      fc.assert(
        fc.property(prefix, fc.uint8Array({ maxLength: 2000 }), (p, bytes) => {
          read(Buffer.concat([Buffer.from(p, 'latin1'), Buffer.from(bytes)]));
        }),
        fuzz(300),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'truncations and byte flips of valid reports in every packaging',
    () => {
      fc.assert(
        fc.property(
          fc.nat(samples.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }),
          fc.option(fc.nat(), { nil: undefined }),
          (which, flips, cut) => {
            const b = Buffer.from(samples[which]!);
            for (const [at, v] of flips) b[at % b.length] = v;
            read(cut === undefined ? b : b.subarray(0, cut % (b.length + 1)));
          },
        ),
        fuzz(300),
      );
    },
    FUZZ_TIMEOUT,
  );
});
