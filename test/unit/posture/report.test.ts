// The renderers of `mailcheck check`: JUnit XML that a real XML parser accepts (also with hostile text), GitHub
// workflow commands escaped as GitHub specifies, and the text summary table. Pure: fixture results in, text out.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPosture } from '../../../src/posture/check.js';
import type { PostureResult } from '../../../src/posture/types.js';
import { githubAnnotations } from '../../../src/report/github.js';
import { renderJunit, xml } from '../../../src/report/junit.js';
import { renderBatchSummary, renderPostureLine } from '../../../src/report/text/check-batch.js';
import { renderPosture, summaryTable } from '../../../src/report/text/check.js';
import { createTheme, plainTheme } from '../../../src/report/theme.js';
import { addToStats, createBatchStats } from '../../../src/posture/batch-stats.js';
import { postureFixture, type PostureFixture } from './fixture.js';

let fx: PostureFixture;
let good: PostureResult;
let weak: PostureResult;
beforeAll(async () => {
  fx = await postureFixture();
  const o = { selectors: ['s1'], ca: [fx.ca.caPem], mtaStsPort: fx.https.port, allowPrivate: true };
  good = await checkPosture('posture.test', fx.ctx(), o);
  weak = await checkPosture('weak.posture.test', fx.ctx(), o);
});
afterAll(() => fx?.close());

/** Parses with Python's expat-based parser and returns [suites, cases, failures, errors] as it counted them. */
function parseXml(text: string): number[] {
  const script = `import sys, xml.dom.minidom as m
d = m.parseString(sys.stdin.buffer.read())
t = lambda n: len(d.getElementsByTagName(n))
print(t('testsuite'), t('testcase'), t('failure'), t('error'))`;
  return execFileSync('/usr/bin/python3', ['-c', script], { input: text }).toString().trim().split(' ').map(Number);
}

const hostile: () => PostureResult = () => ({
  ...weak,
  domain: 'weak.posture.test',
  findings: [
    ...weak.findings,
    {
      id: 'spf.record.invalid',
      severity: 'fail',
      check: 'spf',
      message: 'TXT "<script>&\'\u0007\u001b[31m ]]> \ud800 end',
    },
  ],
});

describe('JUnit XML', () => {
  it('one testsuite per domain, one testcase per check; fail → failure, unknown → error', () => {
    const out = renderJunit([good, weak], { timestamp: new Date('2026-11-29T00:00:00Z') });
    expect(parseXml(out)).toEqual([2, 18, 3, 0]);
    expect(out).toContain('<testsuite name="weak.posture.test" tests="9" failures="3" errors="0"');
    expect(out).toMatch(
      /<testcase classname="mailcheck\.weak\.posture\.test" name="DKIM" time="[\d.]+">\n\s+<failure message="No DKIM key at s1\._domainkey/,
    );
  });

  it('--strict makes warnings failures; without it they are system-out', () => {
    expect(parseXml(renderJunit([weak], { strict: true }))[2]).toBeGreaterThan(3);
    expect(renderJunit([weak])).toContain('<system-out>[warn] dmarc.policy.none');
  });

  it('stays valid XML with control characters, quotes, markup and lone surrogates in network text', () => {
    const out = renderJunit([hostile()]);
    expect(parseXml(out)[0]).toBe(1);
    expect(out).toContain('TXT &quot;&lt;script&gt;&amp;&apos;\\x07\\x1b[31m ]]&gt; \uFFFD end');
    expect(xml('a\tb\nc')).toBe('a&#9;b\nc');
  });

  it('an unknown check is an error, not a failure', () => {
    const unknown: PostureResult = {
      ...good,
      findings: [
        ...good.findings,
        { id: 'tls-rpt.lookup.temporary', severity: 'fail', temporary: true, message: 'SERVFAIL', check: 'tlsRpt' },
      ],
      summary: good.summary.map((s) => (s.check === 'tlsRpt' ? { ...s, verdict: 'unknown' as const } : s)),
    };
    expect(parseXml(renderJunit([unknown]))).toEqual([1, 9, 0, 1]);
  });
});

describe('GitHub annotations', () => {
  it('errors for failures, warnings for warnings and unknowns, on the zone file', () => {
    const out = githubAnnotations(weak, { fileFor: () => 'zones/posture.test.zone' });
    const lines = out.trim().split('\n');
    expect(
      lines.every((l) =>
        /^::(error|warning) file=zones\/posture\.test\.zone,title=mailcheck [A-Z-]+ \(weak\.posture\.test\)::/.test(l),
      ),
    ).toBe(true);
    expect(lines.find((l) => l.includes('[bimi.dmarc.not-enforced]'))).toMatch(/^::error /);
    expect(lines.find((l) => l.includes('[dmarc.policy.none]'))).toMatch(/^::warning /);
    expect(
      githubAnnotations(weak, { strict: true })
        .split('\n')
        .find((l) => l.includes('[dmarc.policy.none]')),
    ).toMatch(/^::error title=/);
    expect(githubAnnotations(good)).toBe('');
  });
  it('escapes %, newlines and property separators as the workflow-command format requires', () => {
    const r: PostureResult = {
      ...good,
      domain: 'a,b:c',
      findings: [{ id: 'x.y', severity: 'fail', check: 'mx', message: '100% bad\r\nnext' }],
    };
    expect(githubAnnotations(r, { fileFor: () => 'z:1,2.zone' })).toBe(
      '::error file=z%3A1%2C2.zone,title=mailcheck MX (a%2Cb%3Ac)::100%25 bad\\x0d\\nnext [x.y]\n',
    );
  });
});

describe('text report', () => {
  it('summary table first, then details, then the verdict; no colour with the plain theme', () => {
    const out = renderPosture(weak, plainTheme, { width: 120 });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^Mail posture of weak\.posture\.test/);
    expect(out.indexOf('│ Check')).toBeLessThan(out.indexOf('DKIM  ✗ fail'));
    expect(out).toMatch(/│ BIMI +│ ✗ fail +│ weak\.posture\.test publishes a BIMI record/);
    expect(out).toMatch(/│ DMARC +│ ! warn/);
    expect(lines.at(-2)).toMatch(/^✗ \d+ failed checks?/);
    expect(out).not.toMatch(/\x1b\[/);
  });
  it('colours mean something: red fail, yellow warn, green pass', () => {
    const out = summaryTable([...weak.summary, ...good.summary], createTheme(true), 100);
    expect(out).toContain('\x1b[31m✗ fail\x1b[39m');
    expect(out).toContain('\x1b[33m! warn\x1b[39m');
    expect(out).toContain('\x1b[32m✓ pass\x1b[39m');
  });
  it('escapes control characters from the network', () => {
    const out = renderPosture(hostile(), plainTheme);
    expect(out).not.toMatch(/[\u0007\u001b]/);
    expect(out).toContain('\\x1b[31m');
  });
  it('batch lines and the closing summary', () => {
    expect(renderPostureLine(good, plainTheme)).toMatch(/^✓ posture\.test +all checks pass \d+ ms\n$/);
    expect(renderPostureLine(weak, { ...plainTheme, lineWidth: 200 })).toMatch(
      /^✗ weak\.posture\.test +fail: DKIM, MTA-STS, BIMI · warn: MX, SPF, DMARC, TLS-RPT/,
    );
    const s = createBatchStats();
    addToStats(s, good);
    addToStats(s, weak);
    const out = renderBatchSummary(s, plainTheme, { seconds: 2, queries: 40 });
    expect(out).toContain('2 domains in 2.0 s (1.0/s): 1 ok, 1 failed, 0 unknown · 20.0 DNS queries per domain');
    expect(out).toMatch(/│ DKIM +│ +1 │ +1 │ +0 │/);
    expect(out).toMatch(/Most common failures\n +1 {2}/);
  });
});
