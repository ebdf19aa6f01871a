// DANE in the TLS audit (RFC 7672; internet.nl's existence, validity and rollover tests): TLSA records from a
// validated answer (AD) or a zone file, matched against the chain the server sent, and the rollover scheme.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { associationData } from '../../../../src/auth/dane/record.js';
import { auditDane } from '../../../../src/probe/tls-audit/dane.js';
import { auditTests } from '../../../../src/probe/tls-audit/tests.js';
import type { AuditDane } from '../../../../src/probe/tls-audit/types.js';
import { fakeResolver, ok } from '../../../helpers/fake-resolver.js';
import { generateCertificate, type GeneratedCert } from '../../../helpers/smtp-peer.js';

let ca: GeneratedCert;
let leaf: GeneratedCert;
let chain: Buffer[];
let eeHash: string;
let taHash: string;
beforeAll(() => {
  ca = generateCertificate({ cn: 'dane CA', isCa: true });
  leaf = generateCertificate({ cn: 'mx.dane.test', ca });
  chain = [new X509Certificate(leaf.cert).raw, new X509Certificate(ca.cert).raw];
  eeHash = associationData(chain[0]!, 1, 1)!;
  taHash = associationData(chain[1]!, 1, 1)!;
});
afterAll(() => {
  ca?.cleanup();
  leaf?.cleanup();
});

const tlsa = (usage: number, data: string) => ({ usage, selector: 1, matchingType: 1, data });
const dane = (records: unknown[], o: { ad?: boolean; server?: string } = { ad: true }) =>
  auditDane('mx.dane.test', 25, chain, { resolver: fakeResolver({ '_25._tcp.mx.dane.test TLSA': ok(records, o) }) });
const rows = (d: AuditDane | null) =>
  auditTests({
    who: 'mx.dane.test [192.0.2.25]:25',
    versions: [],
    ciphers: [],
    serverOrder: { tested: false, enforced: null, verdict: null },
    groups: [],
    renegotiation: { secure: null, clientInitiated: null, version: null, secureVerdict: null, clientVerdict: null },
    certificate: null,
    leaf: null,
    leafFindings: [],
    dane: d,
  }).findings.filter((f) => f.id.startsWith('tls.dane'));

describe('TLS audit: DANE', () => {
  it('one 3 1 1 record that matches: exists and valid, but no rollover scheme (one key pinned)', async () => {
    const d = await dane([tlsa(3, eeHash)]);
    expect(d).toMatchObject({ exists: true, valid: true, rollover: false, name: '_25._tcp.mx.dane.test' });
    expect(rows(d).map((f) => [f.id, f.verdict, f.severity])).toEqual([
      ['tls.dane.exists', 'good', 'ok'],
      ['tls.dane.valid', 'good', 'ok'],
      ['tls.dane.rollover', 'sufficient', 'info'],
    ]);
  });

  it('3 1 1 plus 2 1 1 for the issuer: a rollover scheme (internet.nl: 3 x x + 2 x x)', async () => {
    const d = await dane([tlsa(3, eeHash), tlsa(2, taHash)]);
    expect(d).toMatchObject({ exists: true, valid: true, rollover: true });
  });

  it('two 3 1 1 (the current and the next key): a rollover scheme, valid by the current one', async () => {
    const d = await dane([tlsa(3, 'ab'.repeat(32)), tlsa(3, eeHash)]);
    expect(d).toMatchObject({ exists: true, valid: true, rollover: true, matched: expect.stringMatching(/^3 1 1/) });
  });

  it('records that match nothing served: invalid, a failure (DANE senders will not deliver)', async () => {
    const d = await dane([tlsa(3, 'ab'.repeat(32)), tlsa(3, 'cd'.repeat(32))]);
    expect(d).toMatchObject({ exists: true, valid: false });
    expect(rows(d).find((f) => f.id === 'tls.dane.valid')).toMatchObject({ verdict: 'insufficient', severity: 'fail' });
  });

  it('records without AD from a resolver: not DANE (senders ignore them) — insufficient, a warning', async () => {
    const d = await dane([tlsa(3, eeHash)], { ad: false });
    expect(d).toMatchObject({ exists: false, insecure: true });
    expect(rows(d)).toEqual([
      expect.objectContaining({ id: 'tls.dane.exists', verdict: 'insufficient', severity: 'warn' }),
    ]);
  });

  it('a local zone file stands for the signed zone it will become', async () => {
    const d = await dane([tlsa(3, eeHash)], { server: 'zone:dane.test' });
    expect(d).toMatchObject({ exists: true, valid: true });
  });

  it('PKIX usages (0, 1) are unusable for SMTP: no DANE', async () => {
    const d = await dane([tlsa(1, eeHash)]);
    expect(d).toMatchObject({ exists: false, note: 'no TLSA record is usable for SMTP' });
  });

  it('no records: DANE not in use — not judged, said as information; an IP target has no TLSA name', async () => {
    const d = await dane([]);
    expect(d).toMatchObject({ exists: false, valid: null, rollover: null });
    expect(rows(d)).toEqual([expect.objectContaining({ id: 'tls.dane.exists', verdict: null, severity: 'info' })]);
    expect(await auditDane('192.0.2.25', 25, chain, { resolver: fakeResolver({}) })).toBeNull();
  });
});
