// The text reports at 80 columns (what a pipe, a file or CI gets, and most terminals): no line is wider, a
// wrapped line keeps its indent and tree guides, colour never carries the meaning alone. Also the helpers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDkim } from '../../../src/auth/dkim/check.js';
import { checkDmarc } from '../../../src/auth/dmarc/check.js';
import { checkSpf } from '../../../src/auth/spf/check.js';
import { checkMx } from '../../../src/mx/check.js';
import { checkPosture } from '../../../src/posture/check.js';
import { renderFindings } from '../../../src/report/steps.js';
import { fitTable } from '../../../src/report/table.js';
import { renderPosture, summaryTable } from '../../../src/report/text/check.js';
import { renderDkim } from '../../../src/report/text/dkim.js';
import { renderDmarc } from '../../../src/report/text/dmarc.js';
import { renderMx } from '../../../src/report/text/mx.js';
import { renderProbe } from '../../../src/report/text/probe.js';
import { renderSend } from '../../../src/report/text/send.js';
import { renderSpf } from '../../../src/report/text/spf.js';
import { createTheme, plainTheme, type Theme } from '../../../src/report/theme.js';
import { fitLines, visibleLength, wrapStyled, wrapText } from '../../../src/report/wrap.js';
import { fixtureResolver } from '../../helpers/zones.js';
import { postureFixture, type PostureFixture } from '../posture/fixture.js';

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const widest = (text: string) => Math.max(...text.split('\n').map(visibleLength));
const colour80 = createTheme(true, 80);

/** Every line fits 80 columns, in colour and without; the coloured text says exactly what the plain one does.
 *  The same for the brief report (the command line's default). */
function expectFits(render: (t: Theme) => string): string {
  const plain = render(plainTheme);
  const coloured = render(colour80);
  expect(coloured).toMatch(/\x1b\[/);
  expect(widest(plain), plain).toBeLessThanOrEqual(80);
  expect(widest(coloured)).toBeLessThanOrEqual(80);
  expect(strip(coloured)).toBe(plain);
  const brief = render(createTheme(false, 80, 80, 'brief'));
  expect(widest(brief), brief).toBeLessThanOrEqual(80);
  expect(strip(render(createTheme(true, 80, 80, 'brief')))).toBe(brief);
  return plain;
}

describe('wrapping helpers', () => {
  it('wraps between words under a hanging indent, cuts a word longer than a line', () => {
    expect(wrapText('aaa bbb ccc ddd eee fff ggg', 24, '- ', '  ')).toEqual(['- aaa bbb ccc ddd eee', '  fff ggg']);
    const long = wrapText(`see ${'x'.repeat(50)} now`, 30, '  ', '    ');
    expect(long.every((l) => l.length <= 30)).toBe(true);
    expect(long.join('').replace(/ /g, '')).toBe(`see${'x'.repeat(50)}now`);
  });

  it('styles each line on its own: no colour runs across a line break or into the margin', () => {
    const t = createTheme(true, 30);
    const lines = wrapStyled(
      [
        ['one two three four five six seven', t.fail],
        [' [an.id]', t.dim, true],
      ],
      30,
      '  ✗ ',
      '    ',
    );
    expect(lines.map(strip)).toEqual(['  ✗ one two three four five', '    six seven [an.id]']);
    for (const l of lines) expect(l.startsWith('  ✗ \x1b[31m') || l.startsWith('    \x1b[31m')).toBe(true);
    for (const l of lines) expect(l.endsWith('\x1b[39m') || l.endsWith('\x1b[22m')).toBe(true);
  });

  it('keeps a "whole" piece on one line', () => {
    expect(wrapStyled([['a b c d e f g h'], [' (RFC 7208 §2.6)', undefined, true]], 24, '', '  ')).toEqual([
      'a b c d e f g h',
      '  (RFC 7208 §2.6)',
    ]);
  });

  it('fitLines carries tree guides down, resumes the colour after the margin, and leaves tables alone', () => {
    const t = createTheme(true, 40);
    const text = [
      `  │  ├─ ${t.warn('a warning that is much too long for forty columns')}`,
      '  │ cell │ a table row that is much too long for forty columns │',
    ].join('\n');
    const [a, b, c] = fitLines(text, 40).split('\n');
    expect(strip(a!)).toBe('  │  ├─ a warning that is much too long');
    expect(b).toBe('  │  │    \x1b[33mfor forty columns\x1b[39m');
    expect(a!.endsWith('\x1b[0m')).toBe(true);
    expect(c).toBe('  │ cell │ a table row that is much too long for forty columns │');
  });

  it('fitTable narrows the free-text column to fit, and leaves a narrow table as it is', () => {
    const rows = [
      ['check', 'reason'],
      ['MX', 'a reason long enough that the table cannot stay on one line at eighty columns, not at all'],
    ];
    const wide = fitTable(rows, { width: 200, wrap: 1 });
    expect(wide.split('\n')).toHaveLength(5);
    const narrow = fitTable(rows, { width: 60, wrap: 1 });
    expect(widest(narrow)).toBe(60);
    expect(narrow).toMatch(/│ MX {4}│ a reason long enough/);
    // Many columns: the widest give way too, so the table still fits.
    const many = fitTable([Array.from({ length: 8 }, (_, i) => `column-${i}-heading`)], { width: 80, wrap: 3 });
    expect(widest(many)).toBeLessThanOrEqual(80);
    // A column that may go goes, before the others are squeezed.
    const dropped = fitTable([['a', 'greeting text that is long', 'c'.repeat(50)]], {
      width: 60,
      wrap: 1,
      minWrap: 30,
      drop: [1],
    });
    expect(dropped).not.toContain('greeting');
    expect(dropped).toContain('c'.repeat(50));
    expect(fitTable([['a', 'greeting', 'c']], { width: 60, wrap: 1, drop: [1] })).toContain('greeting');
  });

  it('the CLI lays reports out for the terminal, or 80 columns ($COLUMNS if set) when not one', async () => {
    const { outputWidth } = await import('../../../src/cli/context.js');
    expect(outputWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(outputWidth({ isTTY: true, columns: 20 }, {})).toBe(40);
    expect(outputWidth({ isTTY: false }, {})).toBe(80);
    expect(outputWidth({ isTTY: false }, { COLUMNS: '120' })).toBe(120);
    expect(outputWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBe(80);
  });

  it('stream lines (a line per message or domain) wrap on a terminal or at $COLUMNS, never when piped', async () => {
    const { lineWidth } = await import('../../../src/cli/context.js');
    expect(lineWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(lineWidth({ isTTY: false }, { COLUMNS: '100' })).toBe(100);
    expect(lineWidth({ isTTY: false }, {})).toBe(Infinity);
  });

  it('findings wrap with the id and the RFC reference kept whole', () => {
    const text = renderFindings(
      [
        {
          id: 'spf.result.fail',
          severity: 'fail',
          message: 'word '.repeat(20).trim(),
          ref: 'RFC 7208 §2.6',
          advice: 'do this '.repeat(12).trim(),
        },
      ],
      plainTheme,
    );
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toMatch(/\[spf\.result\.fail\]/);
    expect(text).toMatch(/ {4}→ do this/);
    expect(text).toMatch(/\n {6}this do this/);
    expect(text).toMatch(/\(RFC 7208 §2\.6\)/);
  });
});

describe('reports at 80 columns', () => {
  it('mx: the chain stays a chain', async () => {
    const r = await checkMx('broken.example.test', { resolver: fixtureResolver(['example.test.zone']) });
    const text = expectFits((t) => renderMx(r, t));
    expect(text).toMatch(/├─ {2}10 alias\.example\.test/);
    expect(text).toMatch(/└─ {2}60 mx1\.example\.test/);
  });

  it('spf: the include tree keeps its lookup columns; the counting note and long findings wrap', async () => {
    const ctx = {
      resolver: fixtureResolver(['spf.test.zone']),
      timeoutMs: 1000,
      now: () => new Date(0),
      onEvent: () => {},
    };
    const tree = await checkSpf({ domain: 'toomany.spf.test' }, ctx);
    const text = expectFits((t) => renderSpf(tree, t));
    expect(text).toMatch(/│ {5}├─ a:h8\.spf\.test +1 +· +11\n {2}│ {5}│ {2}✗ evaluation stops here/);
    expect(text).toMatch(
      /How lookups are counted \(RFC 7208 §4\.6\.4\): include, a, mx, ptr, exists and\n {2}redirect=/,
    );
    const evaluated = await checkSpf({ ip: '198.51.100.99', sender: 'eve@explained.spf.test' }, ctx);
    expectFits((t) => renderSpf(evaluated, t));
  });

  it('dkim: the guessed selectors and the key table fit', async () => {
    const r = await checkDkim('m365.dkim.test', {
      resolver: fixtureResolver(['dkim.test.zone', 'dkim-provider.test.zone']),
    });
    const text = expectFits((t) => renderDkim(r, t, { steps: true }));
    expect(text).toMatch(/│ selector1 +│ ✓ valid +│ RSA │ 2048 │ CNAME │/);
  });

  it('dmarc: the record marks and the policy table (its meaning column wraps)', async () => {
    const r = await checkDmarc('tags.dmarc.test', {
      resolver: fixtureResolver(['dmarc.test.zone', 'dmarc-none.test.zone', 'reports.test.zone']),
    });
    const text = expectFits((t) => renderDmarc(r, t));
    expect(text).toMatch(
      /\n {2}│ p {5}│ reject {15}│ mail from tags\.dmarc\.test failing DMARC ← +│\n {2}│ {7}│ {22}│ applies to this domain +│/,
    );
    expect(text).toMatch(/pct=abc; adkim=x;.*\n {2}[ ^]*\^\^\^/);
  });

  it('probe and send: steps, transcripts, the hosts table and the recipients table fit', () => {
    const host = {
      exchange: 'mx1.a-rather-long-mail-exchange-name.example.test',
      address: '2001:db8:ffff:ffff::10',
      port: 25,
      preference: 10,
      connected: true,
      banner: '220 mx1.a-rather-long-mail-exchange-name.example.test ESMTP Postfix (Debian/GNU) ready and waiting',
      bannerCode: 220,
      bannerHostname: 'mx1.a-rather-long-mail-exchange-name.example.test',
      ptr: [],
      ehlo: {
        hostname: 'mx1',
        extensions: [
          'PIPELINING',
          'SIZE 10240000',
          'VRFY',
          'ETRN',
          'ENHANCEDSTATUSCODES',
          '8BITMIME',
          'DSN',
          'SMTPUTF8',
          'CHUNKING',
        ],
      },
      esmtp: true,
      tls: { offered: false, ok: false, attempted: false, protocol: null, cipher: null, certificate: null },
      timings: { connectMs: 1, bannerMs: 2, ehloMs: 3, tlsMs: null },
      transcript: [
        {
          dir: 'S' as const,
          line: '220 mx1.a-rather-long-mail-exchange-name.example.test ESMTP Postfix (Debian/GNU) ready and waiting',
        },
      ],
      findings: [
        {
          id: 'probe.starttls.missing',
          severity: 'fail' as const,
          message:
            'mx1.a-rather-long-mail-exchange-name.example.test does not offer STARTTLS: mail to it crosses the network unencrypted.',
        },
      ],
    };
    for (const all of [false, true]) {
      const probe = {
        kind: 'probe' as const,
        target: 'example.test',
        port: 25,
        tls: 'starttls' as const,
        all,
        hosts: [host, { ...host, address: '192.0.2.10' }],
        findings: host.findings,
        steps: [],
      };
      expectFits((t) => renderProbe(probe as never, t));
    }
    const send = {
      kind: 'send',
      messageId: '<abc@example.test>',
      from: 'alice@example.test',
      to: ['bob@example.net'],
      size: 100,
      delivered: [
        {
          recipient: 'bob@example.net',
          exchange: 'mx.example.net',
          address: '192.0.2.25',
          port: 25,
          response: '250 2.0.0 Ok: queued as 4ABC7D8E9F0 (a long reply from a chatty server that goes on)',
          code: 250,
          queueId: '4ABC7D8E9F0',
        },
      ],
      rejected: [],
      tls: { mode: 'starttls', encrypted: false },
      dkim: { signed: false },
      routes: [
        {
          domain: 'example.net',
          recipients: ['bob@example.net'],
          port: 25,
          implicit: false,
          hosts: [{ exchange: 'mx.example.net', preference: 10, addresses: ['192.0.2.25'] }],
        },
      ],
      sessions: [
        {
          exchange: 'mx.example.net',
          address: '192.0.2.25',
          port: 25,
          outcome: 'data',
          reply: '250 2.0.0 Ok: queued as 4ABC7D8E9F0 (a long reply from a chatty server that goes on)',
          tls: null,
          ms: 80,
          transcript: [],
        },
      ],
      findings: [{ id: 'send.delivered', severity: 'ok', message: 'bob@example.net: delivered' }],
      steps: [],
    };
    const text = expectFits((t) => renderSend(send as never, t));
    expect(text).toMatch(/│ ✓ delivered │ bob@example\.net │ mx\.example\.net │ 250 2\.0\.0 Ok: queued/);
  });

  describe('check: the posture table with its status words', () => {
    let fx: PostureFixture;
    beforeAll(async () => {
      fx = await postureFixture();
    });
    afterAll(() => fx?.close());
    it('fits 80 columns even when the command passes a wider width, and keeps ✓/!/✗/? with words', async () => {
      const r = await checkPosture('weak.posture.test', fx.ctx(), {
        selectors: ['s1'],
        ca: [fx.ca.caPem],
        mtaStsPort: fx.https.port,
        allowPrivate: true,
      });
      const text = expectFits((t) => renderPosture(r, t, { width: 100 }));
      expect(text).toMatch(/│ (✓ pass|! warn|✗ fail|\? unknown|i info) +│/);
      expect(widest(summaryTable(r.summary, plainTheme, 60))).toBeLessThanOrEqual(60);
    });
  });
});
