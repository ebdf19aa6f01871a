// Packaging: gzip, ZIP (stored and deflated), reports inside messages (by media type or by name, base64,
// quoted-printable or plain), and the hostile cases: a truncated gzip, an XML bomb, zip and gzip bombs.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { messageParts, param } from '../../../src/reports/mime.js';
import { unpackReports } from '../../../src/reports/unpack.js';
import { readZip } from '../../../src/reports/zip.js';
import { dmarcXml, gzip, reportMessage, tlsRptJson, zip } from '../../helpers/report-corpus.js';

const xml = dmarcXml({ rows: [{ ip: '192.0.2.1', count: 3 }] });
const json = tlsRptJson({ failures: [{ type: 'certificate-expired', mx: 'mx1.example.com', sessions: 4 }] });
const limits = { maxDocumentBytes: 1 << 20, maxTotalBytes: 4 << 20 };

const kinds = (u: ReturnType<typeof unpackReports>) => u.reports.map((r) => r.report.kind);

describe('unpackReports', () => {
  it('plain XML and JSON', () => {
    expect(kinds(unpackReports(Buffer.from(xml), 'a.xml'))).toEqual(['dmarc']);
    expect(kinds(unpackReports(Buffer.from(json), 'a.json'))).toEqual(['tlsrpt']);
    expect(kinds(unpackReports(Buffer.from(`\ufeff  ${xml}`), 'bom.xml'))).toEqual(['dmarc']);
  });

  it('.xml.gz and .json.gz', () => {
    const u = unpackReports(gzip(xml), 'r.xml.gz');
    expect(kinds(u)).toEqual(['dmarc']);
    expect(u.reports[0]!.label).toBe('r.xml');
    expect(kinds(unpackReports(gzip(json), 't.json.gz'))).toEqual(['tlsrpt']);
  });

  it('.zip, stored and deflated, several entries, folders and macOS litter skipped', () => {
    const z = zip([
      { name: 'google.com!example.com!1!2.xml', data: xml },
      { name: 'dir/', data: '' },
      { name: '__MACOSX/._x.xml', data: 'junk' },
      { name: 'second.xml', data: dmarcXml({ reportId: 'r2', rows: [{ ip: '192.0.2.2' }] }), stored: true },
    ]);
    const u = unpackReports(z, 'r.zip');
    expect(u.problems).toEqual([]);
    expect(u.reports.map((r) => r.label)).toEqual(['r.zip › google.com!example.com!1!2.xml', 'r.zip › second.xml']);
  });

  it('a report inside a message: by media type, by file name, base64, quoted-printable, 7bit, single part', () => {
    const variants = [
      reportMessage({ attachment: gzip(xml), filename: 'r.xml.gz', contentType: 'application/gzip' }),
      reportMessage({ attachment: zip([{ name: 'r.xml', data: xml }]), contentType: 'application/zip' }),
      reportMessage({ attachment: gzip(xml), filename: 'r.xml.gz', contentType: 'application/octet-stream' }),
      reportMessage({ attachment: Buffer.from(xml), contentType: 'text/xml', encoding: 'quoted-printable' }),
      reportMessage({ attachment: Buffer.from(xml), contentType: 'text/xml', encoding: '7bit' }),
      reportMessage({ attachment: gzip(xml), contentType: 'application/gzip', single: true }),
      reportMessage({ attachment: gzip(json), contentType: 'application/tlsrpt+gzip', filename: 'x!y!1!2.json.gz' }),
    ];
    for (const m of variants) {
      const u = unpackReports(m, 'msg');
      expect(u.problems, m.toString('latin1').slice(0, 400)).toEqual([]);
      expect(u.reports).toHaveLength(1);
      expect(u.message).toBe(true);
    }
  });

  it('a report attached to a forwarded message (message/rfc822) is found too', () => {
    const inner = reportMessage({ attachment: gzip(xml), filename: 'r.xml.gz' });
    const outer = reportMessage({ attachment: inner, contentType: 'message/rfc822', encoding: '7bit' });
    expect(kinds(unpackReports(outer, 'fwd'))).toEqual(['dmarc']);
  });

  it('a message without a report is said so, not counted as unreadable', () => {
    const m = Buffer.from('From: a@example.com\r\nSubject: hello\r\n\r\nJust a note.\r\n');
    expect(unpackReports(m, 'm').problems).toEqual([
      { label: 'm', code: 'no-report-in-message', message: expect.any(String) },
    ]);
  });

  it('a truncated gzip is one problem, and the other reports of the input are still read', () => {
    const cut = gzip(xml).subarray(0, 60);
    expect(unpackReports(cut, 'cut.xml.gz').problems[0]).toMatchObject({ code: 'truncated' });
    const z = zip([
      { name: 'cut.xml.gz', data: cut, stored: true },
      { name: 'good.xml', data: xml },
    ]);
    const u = unpackReports(z, 'r.zip');
    expect(u.problems.map((p) => p.code)).toEqual(['truncated']);
    expect(kinds(u)).toEqual(['dmarc']);
  });

  it('a cut-off XML report is named, not aggregated', () => {
    const u = unpackReports(Buffer.from(xml.slice(0, xml.indexOf('</record>'))), 'cut.xml');
    expect(u.reports).toEqual([]);
    expect(u.problems[0]).toMatchObject({ code: 'truncated' });
  });

  it('an XML bomb is refused (entity declarations), without expanding anything', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY a "${'x'.repeat(100)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><feedback><report_metadata><org_name>&j;</org_name></report_metadata></feedback>`;
    const start = performance.now();
    const u = unpackReports(Buffer.from(lol), 'bomb.xml');
    expect(performance.now() - start).toBeLessThan(1000);
    expect(u.reports).toEqual([]);
    expect(u.problems[0]).toMatchObject({ code: 'entity' });
  });

  it('a gzip bomb stops at the size limit', () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20)); // 8 MiB of zeros in ~8 KiB
    expect(bomb.length).toBeLessThan(64 << 10);
    const u = unpackReports(bomb, 'bomb.xml.gz', limits);
    expect(u.problems[0]).toMatchObject({ code: 'too-large' });
  });

  it('a zip bomb stops at the size limit, whatever size its directory declares', () => {
    const z = zip([{ name: 'bomb.xml', data: Buffer.alloc(8 << 20) }]);
    expect(unpackReports(z, 'bomb.zip', limits).problems[0]).toMatchObject({ code: 'too-large' });
    // Lie in the central directory: declare 100 bytes; the inflater's cap still holds.
    const lying = Buffer.from(z);
    const cd = lying.readUInt32LE(lying.length - 6);
    lying.writeUInt32LE(100, cd + 24);
    expect(unpackReports(lying, 'lying.zip', limits).problems[0]).toMatchObject({ code: 'too-large' });
  });

  it('the document cap holds for a plain report and an attached one, not only for unpacked ones', () => {
    const small = { maxDocumentBytes: 1024, maxTotalBytes: 1 << 20 };
    const big = dmarcXml({ rows: Array.from({ length: 20 }, (_, i) => ({ ip: `192.0.2.${i + 1}` })) });
    expect(big.length).toBeGreaterThan(1024);
    expect(unpackReports(Buffer.from(big), 'big.xml', small).problems).toEqual([
      { label: 'big.xml', code: 'too-large', message: `the report is ${big.length} bytes, over the 1024-byte limit` },
    ]);
    const mailed = reportMessage({ attachment: Buffer.from(big), filename: 'r.xml', contentType: 'text/xml' });
    const u = unpackReports(mailed, 'msg', small);
    expect(u.reports).toEqual([]);
    expect(u.problems[0]).toMatchObject({ code: 'too-large' });
    expect(kinds(unpackReports(Buffer.from(big), 'big.xml', limits))).toEqual(['dmarc']);
  });

  it('nested archives stop at a depth, and the total of one input is capped', () => {
    let data: Buffer = Buffer.from(xml);
    for (let i = 0; i < 6; i++) data = gzip(data);
    expect(unpackReports(data, 'deep').problems[0]).toMatchObject({ code: 'unsupported' });
    const many = zip(Array.from({ length: 6 }, (_, i) => ({ name: `r${i}.xml`, data: Buffer.alloc(900 << 10, 0x20) })));
    expect(unpackReports(many, 'many.zip', limits).problems[0]).toMatchObject({ code: 'too-large' });
  });

  it('garbage is one problem', () => {
    expect(unpackReports(Buffer.from([0, 1, 2, 3]), 'bin').problems[0]).toMatchObject({ code: 'not-a-report' });
    expect(unpackReports(Buffer.from('PK\x03\x04 broken'), 'z').problems[0]).toMatchObject({ code: 'truncated' });
  });
});

describe('MIME', () => {
  it('parameters: quoted, unquoted, RFC 2231', () => {
    expect(param('attachment; filename="a b.xml.gz"', 'filename')).toBe('a b.xml.gz');
    expect(param('application/zip; name=r.zip', 'name')).toBe('r.zip');
    expect(param("attachment; filename*=utf-8''r%C3%A9.zip", 'filename')).toBe('ré.zip');
  });

  it('a report attachment among other parts, with the subject', () => {
    const info = messageParts(reportMessage({ attachment: gzip(xml), filename: 'r.xml.gz' }));
    expect(info.subject).toMatch(/^Report Domain: example.com/);
    expect(info.parts).toHaveLength(1);
    expect(info.parts[0]).toMatchObject({ contentType: 'application/gzip', filename: 'r.xml.gz' });
  });
});

describe('readZip', () => {
  it('refuses encrypted entries and unknown methods', () => {
    const z = zip([{ name: 'a.xml', data: xml }]);
    const enc = Buffer.from(z);
    const cd = enc.readUInt32LE(enc.length - 6);
    enc.writeUInt16LE(0x801, cd + 8);
    expect(() => readZip(enc, { maxBytes: 1e6, maxTotal: 1e6 })).toThrow(/encrypted/);
    const m = Buffer.from(z);
    m.writeUInt16LE(14, cd + 10);
    expect(() => readZip(m, { maxBytes: 1e6, maxTotal: 1e6 })).toThrow(/method 14/);
  });
});
