// Brief text reports (the command line's default): the verdict in the first line, the findings to act on with
// repeats folded into one line with a count, ok and info findings counted, the trace left to --all. The mechanism
// lives in the shared pieces (theme.detail, renderFindings, reportHead, reportTail), so any renderer's findings
// fall into place; every brief report also fits 80 columns and says the same with and without colour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDkim } from '../../../src/auth/dkim/check.js';
import { checkDmarc } from '../../../src/auth/dmarc/check.js';
import { checkSpf } from '../../../src/auth/spf/check.js';
import { finding, type Finding } from '../../../src/core/result.js';
import { checkMx } from '../../../src/mx/check.js';
import { checkPosture } from '../../../src/posture/check.js';
import { foldFindings, renderFindings, reportTail } from '../../../src/report/steps.js';
import { renderPosture } from '../../../src/report/text/check.js';
import { renderDkim } from '../../../src/report/text/dkim.js';
import { renderDmarc } from '../../../src/report/text/dmarc.js';
import { renderMx } from '../../../src/report/text/mx.js';
import { renderSpf } from '../../../src/report/text/spf.js';
import { renderVerify } from '../../../src/report/text/verify.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { readFileSync } from 'node:fs';
import { createTheme, plainTheme, type Theme } from '../../../src/report/theme.js';
import { visibleLength } from '../../../src/report/wrap.js';
import { fixtureResolver } from '../../helpers/zones.js';
import { keyRecord, makeKey, resolverFor } from '../verify/keys.js';
import { postureFixture, type PostureFixture } from '../posture/fixture.js';

const brief = createTheme(false, 80, 80, 'brief');
const briefColour = createTheme(true, 80, 80, 'brief');
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const lines = (s: string) => s.trimEnd().split('\n');

/** Brief in 80 columns, in colour and without, saying the same; returns the plain text. */
function expectBrief(render: (t: Theme) => string): string {
  const plain = render(brief);
  const coloured = render(briefColour);
  expect(Math.max(...lines(plain).map(visibleLength)), plain).toBeLessThanOrEqual(80);
  expect(Math.max(...lines(coloured).map(visibleLength))).toBeLessThanOrEqual(80);
  expect(strip(coloured)).toBe(plain);
  return plain;
}

const noPtr = (host: string): Finding =>
  finding(
    'mx.address.no-ptr',
    'warn',
    `${host} has no PTR record; many receivers distrust mail from hosts without it.`,
  );

describe('folding and counting', () => {
  it('folds findings of one kind (id, severity, temporary) into one entry with a count, in first-seen order', () => {
    const fs = [
      noPtr('a'),
      finding('x.bad', 'fail', 'bad'),
      noPtr('b'),
      noPtr('c'),
      { ...noPtr('d'), severity: 'info' as const },
    ];
    expect(foldFindings(fs).map((f) => [f.finding.id, f.finding.severity, f.count])).toEqual([
      ['mx.address.no-ptr', 'warn', 3],
      ['x.bad', 'fail', 1],
      ['mx.address.no-ptr', 'info', 1],
    ]);
  });

  it('brief: one line per kind with "+N more like it"; full: every finding', () => {
    const fs = [noPtr('a.test'), noPtr('b.test'), noPtr('c.test')];
    expect(renderFindings(fs, brief)).toBe(
      '  ! a.test has no PTR record; many receivers distrust mail from hosts without\n' +
        '    it. (+2 more like it) [mx.address.no-ptr]\n',
    );
    expect(lines(renderFindings(fs, plainTheme)).filter((l) => l.startsWith('  !'))).toHaveLength(3);
  });

  it('failures are named one by one (which host, which include), up to five of a kind; the rest are counted', () => {
    const noAddress = (host: string) => finding('mx.exchange.no-address', 'fail', `${host}: no address.`);
    const three = ['mx1.nowhere.test', 'mx2.nowhere.test', 'mx3.fold.test'].map(noAddress);
    expect(renderFindings(three, brief)).toBe(
      '  ✗ mx1.nowhere.test: no address. [mx.exchange.no-address]\n' +
        '  ✗ mx2.nowhere.test: no address. [mx.exchange.no-address]\n' +
        '  ✗ mx3.fold.test: no address. [mx.exchange.no-address]\n',
    );
    // A wildcard failing at 37 guessed names: five named, the fifth counting the other 32.
    const many = Array.from({ length: 37 }, (_, i) => noAddress(`mx${i}.test`));
    const text = lines(renderFindings(many, brief));
    expect(text).toHaveLength(5);
    expect(text[4]).toBe('  ✗ mx4.test: no address. (+32 more like it) [mx.exchange.no-address]');
    expect(foldFindings(many).map((f) => f.count)).toEqual([1, 1, 1, 1, 33]);
    // Warnings still fold into one line.
    expect(foldFindings([noPtr('a'), noPtr('b'), noPtr('c')]).map((f) => f.count)).toEqual([3]);
  });

  it('brief tail: what to fix (fail, warn, no verdict), then what was left out and how to see it', () => {
    const r = {
      steps: [],
      findings: [
        finding('a.ok', 'ok', 'fine'),
        finding('a.note', 'info', 'by the way'),
        finding('a.note2', 'info', 'also'),
        finding('a.weak', 'warn', 'weak'),
        finding('a.timeout', 'fail', 'no answer', { temporary: true }),
      ],
    };
    expect(reportTail(r, brief, { omitted: ['the tree'] }).join('\n')).toBe(
      [
        '',
        'What to fix',
        '  ! weak [a.weak]',
        '  ? no answer (temporary) [a.timeout]',
        '',
        'Not shown: 2 notes, 1 passed check and the tree; --all shows everything (-v also',
        '  each DNS query).',
      ].join('\n'),
    );
    // Nothing to fix and nothing left out: no section at all.
    expect(reportTail({ steps: [], findings: [] }, brief)).toEqual([]);
  });
});

describe('brief reports of each check', () => {
  const zones = [
    'example.test.zone',
    '2.0.192.in-addr.arpa.zone',
    '8.b.d.0.1.0.0.2.ip6.arpa.zone',
    'northwind.test.zone',
    'outlook.test.zone',
    'onmicrosoft.test.zone',
    'fabrikam.test.zone',
    'google.test.zone',
    '113.0.203.in-addr.arpa.zone',
    'parkeddomain.test.zone',
    'spf.test.zone',
    'dmarc.test.zone',
    'reports.test.zone',
    'dmarcbis.test.zone',
    'psd.test.zone',
  ];
  const resolver = fixtureResolver(zones);
  const ctx = { resolver, timeoutMs: 2000, now: () => new Date('2026-12-04T12:00:00Z'), onEvent: () => {} };

  it('mx: verdict first, the chain without the questions, notes counted', async () => {
    const r = await checkMx('broken.example.test', ctx);
    const text = expectBrief((t) => renderMx(r, t));
    expect(lines(text)[0]).toBe('MX chain for broken.example.test  ✗ 3 failed checks, 3 warnings');
    expect(text).not.toContain('? A/AAAA');
    expect(text).not.toContain('[mx.address.reserved-range]');
    expect(text.replace(/\s+/g, ' ')).toContain('Not shown: 4 notes and the DNS questions; --all shows everything');
    // The full report is what it always was: questions and every finding.
    expect(renderMx(r, plainTheme)).toContain('? A/AAAA alias.example.test');
  });

  it('spf: a provider include is the record and its totals, not a 60-line tree', async () => {
    const r = await checkSpf({ domain: 'fabrikam.test' }, ctx);
    const text = expectBrief((t) => renderSpf(r, t));
    expect(lines(text)).toEqual([
      'SPF for fabrikam.test  ✓ passed',
      '  v=spf1 include:_spf.google.test ~all',
      '  DNS-querying terms: 4 of at most 10 · void lookups: 0 of at most 2',
      '',
      'Not shown: 1 note, 2 passed checks and the include/redirect tree; --all shows',
      '  everything (-v also each DNS query).',
    ]);
    expect(lines(renderSpf(r, plainTheme)).length).toBeGreaterThan(30);
  });

  it('spf --ip: the result and why instead of check_host() step by step', async () => {
    const r = await checkSpf({ domain: 'fabrikam.test', ip: '198.51.100.20' }, ctx);
    const text = expectBrief((t) => renderSpf(r, t));
    expect(lines(text)[0]).toBe('SPF for fabrikam.test  ✓ SPF pass');
    expect(text.replace(/\s+/g, ' ')).toContain(
      'Result: pass matched include:_spf.google.test in fabrikam.test → include:_netblocks.google.test in _spf.google.test → ip4:198.51.100.16/28',
    );
    expect(text).not.toContain('check_host(198.51.100.20');
    expect(text.replace(/\s+/g, ' ')).toContain('the include/redirect tree and check_host() step by step');
  });

  it('spf: a record with a syntax error is shown marked, with what to fix', async () => {
    const r = await checkSpf({ domain: 'syntax.spf.test' }, ctx);
    const text = expectBrief((t) => renderSpf(r, t));
    expect(text).toContain('  v=spf1 ip4:192.0.2.1 -all moo\n                            ^^^ unknown mechanism');
    expect(text).toContain('What to fix');
  });

  it('dkim: a wildcard revoked key (a parked domain) is one table row, not 37 rows and 37 records', async () => {
    const r = await checkDkim('parkeddomain.test', ctx);
    const text = expectBrief((t) => renderDkim(r, t));
    expect(text).toContain('│ default +36 more │ – revoked (p= empty) │');
    expect(lines(text).length).toBeLessThanOrEqual(12);
    expect(lines(renderDkim(r, plainTheme)).length).toBeGreaterThan(100);
  });

  it('dkim: a wildcard weak key is one marked record with the count, not 37 (111 lines)', async () => {
    const weak = makeKey('rsa', 1024);
    const wildcard = resolverFor(`$ORIGIN weakwild.test.
@ IN SOA ns hostmaster 1 3600 600 604800 300
@ IN TXT "v=spf1 -all"
*._domainkey IN TXT ${keyRecord(weak)}
`);
    const r = await checkDkim('weakwild.test', { resolver: wildcard });
    expect(r.findings.filter((f) => f.id === 'dkim.key.rsa-short')).toHaveLength(37);
    const text = expectBrief((t) => renderDkim(r, t));
    expect(text).toContain('  default._domainkey.weakwild.test and 36 more selectors with the same record\n');
    expect(text.match(/\^+/g)).toHaveLength(1);
    expect(lines(text).length).toBeLessThanOrEqual(20);
    // --all: every record, as before.
    expect(renderDkim(r, plainTheme).match(/^ {2}\S+\._domainkey\.weakwild\.test$/gm)).toHaveLength(37);
  });

  it('dkim: a record with an offending part stays, marked; the others are --all', async () => {
    const r = await checkDkim('example.test', ctx, { selectors: ['s1'] });
    const text = expectBrief((t) => renderDkim(r, t));
    expect(text).not.toContain('v=DKIM1; k=ed25519');
    expect(text.replace(/\s+/g, ' ')).toContain('the key records; --all');
  });

  it('dmarc: the record and the policy in a line; the lookups and the tag table are --all', async () => {
    const r = await checkDmarc('sub.dmarc.test', ctx);
    const text = expectBrief((t) => renderDmarc(r, t));
    expect(lines(text).slice(0, 2)).toEqual([
      'DMARC for sub.dmarc.test  ✓ passed',
      '  at _dmarc.dmarc.test (the organizational domain)',
    ]);
    expect(text).toContain('  policy reject · alignment adkim=s aspf=r · reports to 2 addresses');
    expect(text).not.toContain('┌');
  });

  it("dmarc: the policy line says what receivers apply — no DMARC is not p=none; a PSD record is the PSD's", async () => {
    const r0 = await checkDmarc('badp.dmarcbis.test', ctx);
    expect(r0.appliedPolicy).toBeNull();
    // p=bogus and no valid rua=: receivers apply no DMARC at all (RFC 9989 §4.10.1), as the finding says.
    const broken = expectBrief((t) => renderDmarc(r0, t));
    expect(broken).toContain('  no DMARC policy applies · alignment adkim=r aspf=r');
    expect(broken).not.toMatch(/policy none/);
    // No record of its own below a psd=y domain: the PSD's record applies, and it is not its Organizational Domain.
    const r1 = await checkDmarc('orphan.psd.test', ctx);
    expect(r1.orgDomain).toBe('orphan.psd.test');
    expect(lines(expectBrief((t) => renderDmarc(r1, t)))[1]).toBe(
      '  at _dmarc.psd.test (the public suffix domain, psd=y)',
    );
  });
});

describe('brief check', () => {
  let fx: PostureFixture;
  beforeAll(async () => {
    fx = await postureFixture();
  });
  afterAll(() => fx?.close());

  it('the verdict first, one table line per check, then what to fix under its check', async () => {
    const r = await checkPosture('weak.posture.test', fx.ctx(), {
      selectors: ['s1'],
      ca: [fx.ca.caPem],
      mtaStsPort: fx.https.port,
    });
    const text = expectBrief((t) => renderPosture(r, t));
    expect(lines(text)[0]).toMatch(
      /^Mail posture of weak\.posture\.test {2}✗ \d+ failed checks?, \d+ warnings? {2}\(\d+ ms\)$/,
    );
    // One line per row: the table is its header, 9 checks and 4 rules.
    const table = lines(text).filter((l) => /^[│┌├└]/.test(l));
    expect(table).toHaveLength(9 + 4);
    expect(text).toMatch(/\nBIMI {2}✗ fail\n {4}✗ weak\.posture\.test publishes a BIMI record/);
    expect(text).not.toContain('· record');
    expect(text.replace(/\s+/g, ' ')).toMatch(
      /Not shown: \d+ notes, \d+ passed checks and each check's records and hosts/,
    );
  });
});

describe('brief verify', () => {
  it('the verdict first, a line or two per mechanism and the header a receiver would add; no size, records or empty ARC', async () => {
    const raw = readFileSync(new URL('../../../fixtures/eml/third-party.eml', import.meta.url));
    const ctx = { resolver: fixtureResolver(['mail.test.zone', 'mailer.test.zone']), now: () => new Date() };
    const item = {
      kind: 'verify' as const,
      file: 'third-party.eml',
      size: raw.length,
      ...(await verifyMessage(raw, { authservId: 'mx.test' }, ctx)),
    };
    const text = expectBrief((t) => renderVerify(item, t));
    expect(lines(text)[0]).toBe('Message third-party.eml  ✗ 1 failed check');
    expect(text).not.toContain('Size:');
    expect(text).not.toContain('v=DMARC1');
    expect(text).not.toMatch(/^ARC/m);
    expect(text).toContain('Authentication-Results a receiver would add');
    expect(renderVerify(item, plainTheme)).toContain('v=DMARC1');
  });

  it('a failure the mechanism lines do not tell is listed: no DMARC record and no DKIM pass is "unauthenticated"', async () => {
    const raw = Buffer.from('From: a@mailer.test\r\nTo: b@example.net\r\nSubject: t\r\n\r\nhi\r\n');
    const ctx = { resolver: fixtureResolver(['mail.test.zone', 'mailer.test.zone']), now: () => new Date() };
    const item = {
      kind: 'verify' as const,
      file: 'unsigned.eml',
      size: raw.length,
      ...(await verifyMessage(raw, { authservId: 'mx.test' }, ctx)),
    };
    expect(item.findings.filter((f) => f.severity === 'fail').map((f) => f.id)).toEqual(['verify.unauthenticated']);
    const text = expectBrief((t) => renderVerify(item, t));
    expect(lines(text)[0]).toBe('Message unsigned.eml  ✗ 1 failed check');
    // The DMARC line says "none", the DKIM line "not signed": the verdict itself is in What to fix.
    expect(text).toMatch(/What to fix\n {2}✗ mailer\.test publishes no DMARC record[^\n]*\n/);
    expect(text).toContain('[verify.unauthenticated]');
    expect(text.replace(/\s+/g, ' ')).toContain('Not shown: the other findings and the records');
  });
});
