import { X509Certificate, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDane, hostsToMatch, withServedChains } from '../../../../src/auth/dane/check.js';
import { associationData, tlsaMatches, tlsaProblem } from '../../../../src/auth/dane/record.js';
import { fetchServedChain } from '../../../../src/auth/dane/served-chain.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import type { TlsaRecord } from '../../../../src/dns/types.js';
import { fakeResolver, ok } from '../../../helpers/fake-resolver.js';
import { createTestCa, type IssuedCertificate, type TestCa } from '../../../helpers/test-ca.js';
import { zoneOf } from '../../../helpers/zones.js';

let ca: TestCa;
let leaf: IssuedCertificate;
let leafDer: Buffer;
let caDer: Buffer;
beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue(['mx.dane.test']);
  leafDer = new X509Certificate(leaf.cert).raw;
  caDer = new X509Certificate(ca.caPem).raw;
});
afterAll(() => ca?.cleanup());

const tlsa = (usage: number, selector: number, matchingType: number, data: string): TlsaRecord => ({
  usage,
  selector,
  matchingType,
  data,
});

describe('TLSA usability for SMTP (RFC 7672 §3.1)', () => {
  it.each([
    [tlsa(3, 1, 1, 'ab'.repeat(32)), null],
    [tlsa(2, 0, 2, 'ab'.repeat(64)), null],
    [tlsa(1, 1, 1, 'ab'.repeat(32)), /unusable for SMTP/],
    [tlsa(0, 0, 1, 'ab'.repeat(32)), /unusable for SMTP/],
    [tlsa(3, 1, 1, 'ab'.repeat(20)), /is 32 bytes, this one is 20/],
    [tlsa(3, 2, 1, 'ab'.repeat(32)), /selector 2/],
    [tlsa(3, 1, 3, 'ab'.repeat(32)), /matching type 3/],
  ])('%j → %s', (r, problem) => {
    const p = tlsaProblem(r);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toMatch(problem);
  });
});

describe('TLSA matching (RFC 6698 §2.1, RFC 7671 §5)', () => {
  it('matches DANE-EE against the leaf: full certificate, SPKI SHA-256 and SHA-512', () => {
    const spki = new X509Certificate(leafDer).publicKey.export({ type: 'spki', format: 'der' });
    expect(tlsaMatches(tlsa(3, 0, 1, createHash('sha256').update(leafDer).digest('hex')), [leafDer, caDer])).toBe(true);
    expect(tlsaMatches(tlsa(3, 1, 1, createHash('sha256').update(spki).digest('hex')), [leafDer])).toBe(true);
    expect(tlsaMatches(tlsa(3, 1, 2, createHash('sha512').update(spki).digest('hex')), [leafDer])).toBe(true);
    expect(tlsaMatches(tlsa(3, 0, 0, leafDer.toString('hex')), [leafDer])).toBe(true);
    expect(associationData(leafDer, 1, 1)).toBe(createHash('sha256').update(spki).digest('hex'));
  });
  it('matches DANE-TA against the issuer in the chain, not the leaf', () => {
    const ta = tlsa(2, 0, 1, createHash('sha256').update(caDer).digest('hex'));
    expect(tlsaMatches(ta, [leafDer, caDer])).toBe(true);
    expect(tlsaMatches(ta, [leafDer, leafDer])).toBe(false);
    // A DANE-EE record of the CA does not vouch for the leaf.
    expect(tlsaMatches(tlsa(3, 0, 1, createHash('sha256').update(caDer).digest('hex')), [leafDer, caDer])).toBe(false);
  });
  it('never matches an unusable record, even when the data is right', () => {
    expect(tlsaMatches(tlsa(1, 0, 1, createHash('sha256').update(leafDer).digest('hex')), [leafDer])).toBe(false);
  });
});

describe('checkDane', () => {
  const mx = (ad: boolean) =>
    ok(
      [
        { preference: 10, exchange: 'mx.dane.test' },
        { preference: 20, exchange: 'mx2.dane.test' },
      ],
      { ad },
    );
  it('does not look for TLSA behind an insecure MX RRset (RFC 7672 §2.2.1)', async () => {
    const log: string[] = [];
    const r = await checkDane('dane.test', { resolver: fakeResolver({ 'dane.test MX': mx(false) }, log) });
    expect(r).toMatchObject({ applicable: false, hosts: [] });
    expect(r.findings.map((f) => f.id)).toEqual(['dane.not-applicable']);
    expect(log).toEqual(['dane.test MX']);
  });

  it('reads TLSA of each MX host when the MX answer is validated, and says which hosts lack it', async () => {
    const r = await checkDane('dane.test', {
      resolver: fakeResolver({
        'dane.test MX': mx(true),
        '_25._tcp.mx.dane.test TLSA': ok([tlsa(3, 1, 1, associationData(leafDer, 1, 1)!)], { ad: true }),
        '_25._tcp.mx2.dane.test TLSA': { status: 'nodata', server: 'x', cnames: [], aa: false, ad: true },
      }),
    });
    expect(r.applicable).toBe(true);
    expect(r.hosts[0]).toMatchObject({
      exchange: 'mx.dane.test',
      secure: true,
      records: [{ usable: true, text: expect.stringMatching(/^3 1 1 \(DANE-EE SPKI SHA2-256\)/) }],
    });
    expect(r.findings.map((f) => f.id)).toEqual(['dane.tlsa.single', 'dane.partial']);
    expect(hostsToMatch(r)).toEqual(['mx.dane.test']);
  });

  it('checks a zone file even without DNSSEC, and matches served chains', async () => {
    const spki = associationData(leafDer, 1, 1)!;
    const zone = zoneOf`$ORIGIN dane.test.
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
@ MX 10 mx
_25._tcp.mx TLSA 3 1 1 ${spki}
`;
    const r = await checkDane('dane.test', { resolver: layered([zone], offlineResolver()) });
    expect(r).toMatchObject({ applicable: true, source: 'zone' });
    expect(r.findings.map((f) => f.id)).toEqual(['dane.tlsa.single', 'dane.ok']);
    const matched = withServedChains(r, new Map([['mx.dane.test', { ok: true, chain: [leafDer] }]]));
    expect(matched.findings.map((f) => [f.id, f.severity])).toEqual([['dane.cert.match', 'ok']]);
    const other = new X509Certificate(ca.issue(['mx.dane.test']).cert).raw;
    const mismatch = withServedChains(r, new Map([['mx.dane.test', { ok: true, chain: [other] }]]));
    expect(mismatch.findings[0]).toMatchObject({
      id: 'dane.cert.mismatch',
      severity: 'fail',
      advice: expect.stringContaining(`TLSA 3 1 1 ${associationData(other, 1, 1)}`),
    });
    const down = withServedChains(
      r,
      new Map([['mx.dane.test', { ok: false, temporary: true, message: 'connection refused' }]]),
    );
    expect(down.findings.find((f) => f.id === 'dane.cert.temporary')).toMatchObject({ temporary: true });
  });

  it('keeps a TLSA SERVFAIL apart from "no TLSA"', async () => {
    const r = await checkDane('dane.test', {
      resolver: fakeResolver({
        'dane.test MX': mx(true),
        '_25._tcp.mx.dane.test TLSA': { status: 'servfail', server: 'x' },
        '_25._tcp.mx2.dane.test TLSA': { status: 'nodata', server: 'x', cnames: [], aa: false, ad: true },
      }),
    });
    expect(r.findings.map((f) => f.id)).toEqual(['dane.tlsa.temporary']);
  });
});

describe('fetchServedChain', () => {
  it('gets the chain after STARTTLS from a real SMTP server (smtp-server)', async () => {
    const { SMTPServer } = await import('smtp-server');
    const server = new SMTPServer({
      key: leaf.key,
      cert: leaf.cert,
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const port = (server.server.address() as { port: number }).port;
    try {
      const r = await fetchServedChain(
        { exchange: 'mx.dane.test', address: '127.0.0.1', port },
        { timeoutMs: 3000, onEvent: () => {} },
      );
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.chain[0]!.equals(leafDer)).toBe(true);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
  it('a refused connection is temporary', async () => {
    const r = await fetchServedChain(
      { exchange: 'mx.dane.test', address: '127.0.0.1', port: 1 },
      { timeoutMs: 1000, onEvent: () => {} },
    );
    expect(r).toMatchObject({ ok: false, temporary: true });
  });
});
