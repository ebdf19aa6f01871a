import { describe, expect, it } from 'vitest';
import { checkDmarc } from '../../../../src/auth/dmarc/check.js';
import { renderMarkedRecord } from '../../../../src/report/steps.js';
import { createTheme, plainTheme } from '../../../../src/report/theme.js';
import { renderDmarc } from '../../../../src/report/text/dmarc.js';
import { fixtureResolver } from '../../../helpers/zones.js';

// Content assertions read whole lines: render wider than the 80 columns of a pipe (test/unit/report/width.test.ts checks 80).
const wide = { ...plainTheme, width: 200 };

const ctx = { resolver: fixtureResolver(['dmarc.test.zone', 'dmarc-none.test.zone', 'reports.test.zone']) };

describe('renderDmarc', () => {
  it('tells policy discovery step by step and what applies to the domain asked', async () => {
    const text = renderDmarc(await checkDmarc('sub.dmarc.test', ctx), wide);
    expect(text).toContain(
      [
        'DMARC for sub.dmarc.test',
        '  ? TXT _dmarc.sub.dmarc.test → NXDOMAIN',
        '  ? TXT _dmarc.dmarc.test (organizational domain) → 1 DMARC record',
        '  ? TXT _dmarc.test (tree walk) → NXDOMAIN',
        '',
        'Record at _dmarc.dmarc.test',
        '  v=DMARC1; p=reject; rua=mailto:agg@dmarc.test,mailto:dmarc@reports.test!10m; ruf=mailto:fr@dmarc.test; fo=1; adkim=s',
      ].join('\n'),
    );
    expect(text).toMatch(/│ sp\s+│ reject \(default: p\)\s+│ mail from subdomains ← applies to sub\.dmarc\.test\s+│/);
    expect(text).toMatch(
      /rua mailto:dmarc@reports\.test!10m {2}✓ authorized by dmarc\.test\._report\._dmarc\.reports\.test/,
    );
    expect(text).toMatch(/\n✓ passed\n$/);
  });

  it('shows discarded records and why', async () => {
    const text = renderDmarc(await checkDmarc('order.dmarc.test', ctx), wide);
    expect(text).toContain('  ? TXT _dmarc.order.dmarc.test → 1 TXT record, none DMARC\n');
    expect(text).toContain(
      '    ignored: _dmarc.order.dmarc.test (does not start with v=DMARC1)\n      p=reject; v=DMARC1\n      ^^^^^^^^\n',
    );
  });

  it('lists every record when there are several, and bad report URIs with the reason', async () => {
    // RFC 9989 §4.10 step 2: all of them are discarded, and the walk goes on to the apex.
    expect(renderDmarc(await checkDmarc('multi.dmarc.test', ctx), wide)).toContain(
      [
        '    ignored: _dmarc.multi.dmarc.test (one of 2 DMARC records at this name)',
        '      v=DMARC1; p=none; rua=mailto:agg@dmarc.test',
        '    ignored: _dmarc.multi.dmarc.test (one of 2 DMARC records at this name)',
        '      v=DMARC1; p=reject; rua=mailto:agg@dmarc.test',
        '',
        'Record at _dmarc.dmarc.test',
      ].join('\n'),
    );
    const uris = renderDmarc(await checkDmarc('uris.dmarc.test', ctx), wide);
    expect(uris).toMatch(/rua agg@dmarc\.test\s+✗ an address without "mailto:"/);
    expect(uris).toMatch(/rua https:\/\/dmarc\.test\/r\s+! https: is not mailto:/);
    expect(uris).toMatch(/rua mailto:ok@dmarc\.test!10x\s+✗ '!10x' is not a size limit/);
  });

  it('marks unauthorized external destinations', async () => {
    const text = renderDmarc(await checkDmarc('ext.dmarc.test', ctx), wide);
    expect(text).toMatch(
      /ruf mailto:c@nope\.reports\.test\s+! not authorized \(no v=DMARC1 at ext\.dmarc\.test\._report\._dmarc\.nope\.reports\.test\)/,
    );
    expect(text).toMatch(
      /rua mailto:b@wild\.reports\.test\s+✓ authorized by ext\.dmarc\.test\._report\._dmarc\.wild\.reports\.test/,
    );
  });

  it('names where the tree walk and the Public Suffix List disagree, and the RFC 9989 tags', async () => {
    const c = { resolver: fixtureResolver(['dmarcbis.test.zone']) };
    const text = renderDmarc(await checkDmarc('x.dept.dmarcbis.test', c), wide);
    expect(text).toContain(
      [
        '  ? TXT _dmarc.x.dept.dmarcbis.test → NXDOMAIN',
        '  ? TXT _dmarc.dept.dmarcbis.test (organizational domain) → 1 DMARC record',
        '  ? TXT _dmarc.dmarcbis.test (RFC 7489: organizational domain by the Public Suffix List) → 1 DMARC record',
        '  organizational domain dept.dmarcbis.test by tree walk; dmarcbis.test by the Public Suffix List (RFC 7489)',
      ].join('\n'),
    );
    expect(text).toMatch(/│ psd\s+│ n\s+│ an organizational domain \(RFC 9989\)/);
    const testing = renderDmarc(await checkDmarc('testing.dmarcbis.test', c), wide);
    expect(testing).toMatch(/│ t\s+│ y\s+│ testing: receivers apply the policy one level weaker \(RFC 9989\)/);
  });

  it('says "unknown" for a temporary failure, not "no record"', async () => {
    const r = await checkDmarc('dmarc.test', {
      resolver: { lookup: async () => ({ status: 'servfail', server: '192.0.2.53:53' }) },
    });
    const text = renderDmarc(r, wide);
    expect(text).toContain('? TXT _dmarc.dmarc.test → SERVFAIL from 192.0.2.53:53: unknown');
    expect(text).toMatch(/\? no verdict: 1 temporary failure\n$/);
    expect(text).not.toMatch(/No DMARC record/);
  });

  it('escapes control characters in colour and without', async () => {
    const r = await checkDmarc('ctrl.dmarc.test', ctx);
    for (const t of [plainTheme, createTheme(true)]) {
      const text = renderDmarc(r, t).replace(/\x1b\[[0-9;]*m/g, '');
      expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(text).toContain('x=\\x1b]0;pwned\\x07');
    }
  });
});

describe('renderMarkedRecord', () => {
  it('puts carets under warn/fail spans only, colours info', () => {
    expect(
      renderMarkedRecord(
        'v=DMARC1; p=bad; adkim=s',
        [
          { span: [12, 15], severity: 'fail' },
          { span: [23, 24], severity: 'info' },
        ],
        plainTheme,
        { indent: '' },
      ),
    ).toEqual(['v=DMARC1; p=bad; adkim=s', '            ^^^']);
  });

  it('marks the character before an empty span, so a missing value shows', () => {
    expect(
      renderMarkedRecord('v=DKIM1; p=', [{ span: [11, 11], severity: 'warn' }], plainTheme, { indent: '' }),
    ).toEqual(['v=DKIM1; p=', '          ^']);
  });

  it('keeps carets aligned under escaped control characters', () => {
    expect(
      renderMarkedRecord('a=\u0007b; c', [{ span: [2, 4], severity: 'fail' }], plainTheme, { indent: '' }),
    ).toEqual(['a=\\x07b; c', '  ^^^^^']);
  });

  it('elides a long range to head…tail, marking the ellipsis when the span covers it', () => {
    const raw = `p=${'A'.repeat(100)}; x=1`;
    expect(
      renderMarkedRecord(raw, [{ span: [2, 102], severity: 'fail' }], plainTheme, { indent: '', elide: [2, 102] }),
    ).toEqual([`p=${'A'.repeat(12)}…(100 chars)…${'A'.repeat(8)}; x=1`, `  ${'^'.repeat(12 + 13 + 8)}`]);
  });

  it('wraps long records after a separator, carets following their line', () => {
    const raw = `v=DMARC1; p=reject; rua=${Array.from({ length: 6 }, (_, i) => `mailto:r${i}@example.test`).join(',')}; bad`;
    const lines = renderMarkedRecord(raw, [{ span: [raw.length - 3, raw.length], severity: 'fail' }], plainTheme, {
      indent: '',
      width: 60,
    });
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    // Breaks fall after commas inside rua=, so no space is lost by trimming line ends.
    expect(lines.filter((l) => !/^\s*\^+$/.test(l)).join('')).toBe(raw);
    expect(lines.at(-1)).toMatch(/^\s+\^\^\^$/);
    expect(lines.at(-2)!.endsWith('bad')).toBe(true);
  });
});
