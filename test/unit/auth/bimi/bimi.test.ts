import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBimi } from '../../../../src/auth/bimi/check.js';
import { isBimiTxt, parseBimiRecord } from '../../../../src/auth/bimi/record.js';
import { inspectSvg } from '../../../../src/auth/bimi/svg.js';
import { BIMI_EKU, inspectVmc } from '../../../../src/auth/bimi/vmc.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import { parseZone } from '../../../../src/dns/zone/parse.js';
import { startHttpsServer, type TestHttpsServer } from '../../../helpers/https-server.js';
import { createTestCa, type TestCa } from '../../../helpers/test-ca.js';

const TINY_PS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Brand</title><rect width="10" height="10"/></svg>';

describe('BIMI record (BIMI draft §4.2)', () => {
  it('parses location and authority', () => {
    expect(parseBimiRecord('v=BIMI1; l=https://b.example/logo.svg; a=https://b.example/vmc.pem')).toMatchObject({
      errors: [],
      location: 'https://b.example/logo.svg',
      authority: 'https://b.example/vmc.pem',
      declined: false,
    });
  });
  it('recognises a declination', () => {
    expect(parseBimiRecord('v=BIMI1; l=; a=;')).toMatchObject({
      errors: [],
      location: null,
      authority: null,
      declined: true,
    });
  });
  it.each([
    ['v=BIMI1; a=https://b.example/vmc.pem', /no l= tag/],
    ['l=https://x/l.svg; v=BIMI1', /must start with "v=BIMI1"/],
    ['v=BIMI1; l=https://x/l.svg; l=https://y/l.svg', /more than once/],
    ['v=BIMI1; l', /not a tag=value/],
  ])('rejects %j', (txt, error) => expect(parseBimiRecord(txt).errors.join('; ')).toMatch(error));
  it('selects only v=BIMI1 records', () => {
    expect(isBimiTxt('v=BIMI1; l=')).toBe(true);
    expect(isBimiTxt('v=bimi1; l=')).toBe(false);
  });
});

describe('SVG Tiny PS screen', () => {
  it('accepts a Tiny PS logo', () => {
    expect(inspectSvg(Buffer.from(TINY_PS))).toEqual({
      isSvg: true,
      tinyPs: true,
      title: 'Brand',
      forbidden: [],
      bytes: TINY_PS.length,
    });
  });
  it('finds scripts, external references, event handlers and raster images', () => {
    const s = inspectSvg(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>alert(1)</script><image href="https://e.example/a.png"/></svg>',
      ),
    );
    expect(s).toMatchObject({ isSvg: true, tinyPs: false, title: null });
    expect(s.forbidden).toEqual(
      expect.arrayContaining([
        '<script>',
        '<image>',
        'event handler attribute (on…=)',
        'external reference (href to a URL)',
      ]),
    );
  });
  it('says when it is not SVG at all', () => {
    expect(inspectSvg(Buffer.from('<html><body>hi</body></html>')).isSvg).toBe(false);
  });
});

let ca: TestCa;
let server: TestHttpsServer;
beforeAll(async () => {
  ca = createTestCa();
  server = await startHttpsServer(ca.issue(['bimi.brand.test']));
});
afterAll(async () => {
  await server?.close();
  ca?.cleanup();
});

describe('mark certificate (VMC) screen', () => {
  it('checks the BIMI EKU, the names and the dates', () => {
    const vmc = ca.issue(['brand.test'], { eku: BIMI_EKU });
    const now = new Date();
    expect(inspectVmc(vmc.cert, { domain: 'brand.test', orgDomain: 'brand.test', now })).toMatchObject({
      bimiEku: true,
      coversDomain: true,
      expired: false,
      altNames: ['brand.test'],
    });
    const tls = ca.issue(['other.test']);
    expect(inspectVmc(tls.cert, { domain: 'brand.test', orgDomain: 'brand.test', now })).toMatchObject({
      bimiEku: false,
      coversDomain: false,
    });
    expect(
      inspectVmc(vmc.cert, {
        domain: 'brand.test',
        orgDomain: 'brand.test',
        now: new Date(Date.now() + 3 * 365 * 86_400_000),
      }).expired,
    ).toBe(true);
    expect(inspectVmc('not pem', { domain: 'brand.test', orgDomain: 'brand.test', now }).error).toMatch(
      /no PEM certificate/,
    );
  });
});

function zone(port: number) {
  return parseZone(`$ORIGIN brand.test.
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
bimi A 127.0.0.1
default._bimi TXT "v=BIMI1; l=https://bimi.brand.test:${port}/logo.svg; a=https://bimi.brand.test:${port}/vmc.pem"
default._bimi.plain TXT "v=BIMI1; l=https://bimi.brand.test:${port}/logo.svg"
default._bimi.http TXT "v=BIMI1; l=http://bimi.brand.test/logo.svg; a=;"
default._bimi.declined TXT "v=BIMI1; l=; a=;"
default._bimi.two TXT "v=BIMI1; l=;"
default._bimi.two TXT "v=BIMI1;" " l=;"
`);
}

describe('checkBimi', () => {
  const ctx = () => ({
    resolver: layered([zone(server.port)], offlineResolver()),
    timeoutMs: 3000,
    now: () => new Date(),
  });

  it('reads the record without fetching anything by default', async () => {
    const before = server.requests.length;
    const r = await checkBimi('brand.test', ctx());
    expect(r).toMatchObject({
      kind: 'bimi',
      recordDomain: 'brand.test',
      location: `https://bimi.brand.test:${server.port}/logo.svg`,
      logo: null,
      vmc: null,
    });
    expect(r.findings.map((f) => f.id)).toEqual(['bimi.ok']);
    expect(server.requests.length).toBe(before);
  });

  it('with fetch, inspects the logo and the mark certificate', async () => {
    server.routes.set('/logo.svg', { body: TINY_PS, headers: { 'content-type': 'image/svg+xml' } });
    server.routes.set('/vmc.pem', { body: ca.issue(['brand.test'], { eku: BIMI_EKU }).cert });
    const r = await checkBimi('brand.test', ctx(), { fetch: true, ca: [ca.caPem], allowPrivate: true });
    expect(r.logo).toMatchObject({ status: 200, svg: { tinyPs: true, title: 'Brand' } });
    expect(r.vmc).toMatchObject({ status: 200, vmc: { bimiEku: true, coversDomain: true } });
    expect(r.findings.map((f) => f.id)).toEqual(['bimi.ok']);
  });

  it('with fetch, reports a bad logo and a certificate for another domain', async () => {
    server.routes.set('/logo.svg', { body: '<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>' });
    server.routes.set('/vmc.pem', { body: ca.issue(['someone-else.test'], { eku: BIMI_EKU }).cert });
    const r = await checkBimi('brand.test', ctx(), { fetch: true, ca: [ca.caPem], allowPrivate: true });
    expect(r.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'bimi.logo.not-tiny-ps',
        'bimi.logo.no-title',
        'bimi.logo.forbidden-content',
        'bimi.vmc.domain-mismatch',
      ]),
    );
  });

  it('reports a missing asset and an unreachable host apart', async () => {
    server.routes.delete('/logo.svg');
    const r = await checkBimi('brand.test', ctx(), { fetch: true, ca: [ca.caPem], allowPrivate: true });
    expect(r.findings.find((f) => f.id === 'bimi.logo.http-status')).toMatchObject({
      severity: 'fail',
      message: expect.stringContaining('404'),
    });
  });

  it('does not fetch assets from a loopback, private or reserved address unless allowed', async () => {
    const r = await checkBimi('brand.test', ctx(), { fetch: true, ca: [ca.caPem] });
    expect(r.logo?.error).toMatchObject({ stage: 'address', temporary: false });
    expect(r.findings.find((f) => f.id === 'bimi.logo.fetch-failed')).toMatchObject({
      severity: 'fail',
      message: expect.stringMatching(/is at 127\.0\.0\.1 \(loopback\), not a public address: not fetched/),
    });
  });

  it('falls back to the organizational domain', async () => {
    const r = await checkBimi('news.brand.test', { ...ctx() });
    // brand.test is not on the Public Suffix List: its org domain is brand.test itself.
    expect(r).toMatchObject({
      orgDomain: 'brand.test',
      recordDomain: 'brand.test',
      recordName: 'default._bimi.brand.test',
    });
    expect(r.findings.map((f) => f.id)).toContain('bimi.record.inherited');
  });

  it.each([
    ['plain.brand.test', 'bimi.authority.missing', 'warn'],
    ['http.brand.test', 'bimi.location.not-https', 'fail'],
    ['declined.brand.test', 'bimi.declined', 'info'],
    ['two.brand.test', 'bimi.record.multiple', 'fail'],
  ])('%s → %s', async (domain, id, severity) => {
    const r = await checkBimi(domain, ctx());
    expect(r.findings.find((f) => f.id === id)).toMatchObject({ severity });
  });
});
