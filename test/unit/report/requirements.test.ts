// The sender-requirements section of verify's report and the verdict word of the one-line views: marks for each
// outcome, advice apart from the verdict, every RFC 5322 problem listed, untrusted text escaped, 80 columns kept.
import { describe, expect, it } from 'vitest';
import { requirementsWord } from '../../../src/report/text/requirements.js';
import { renderRequirementsSection } from '../../../src/report/text/verify-requirements.js';
import { createTheme, plainTheme } from '../../../src/report/theme.js';
import { visibleLength } from '../../../src/report/wrap.js';
import { summarize } from '../../../src/verify/requirements/judge.js';
import type { ConnectionFacts, Requirement } from '../../../src/verify/requirements/types.js';

const req = (
  id: string,
  result: Requirement['result'],
  reason: string,
  more: Partial<Requirement> = {},
): Requirement => ({
  id,
  result,
  reason,
  scope: 'all',
  advisory: false,
  ref: 'Gmail, Yahoo: all senders',
  ...more,
});
const problems = [1, 2, 3].map((n) => ({ id: 'format.field.duplicate', message: `problem ${n}` }));
const item = (rs: Requirement[], connection: ConnectionFacts | null = null) => ({
  requirements: rs,
  requirementsVerdict: summarize(rs, false),
  connection,
});
/** The same rules judged with --bulk: nothing is advice. */
const bulk = (rs: Requirement[]) => rs.map((r) => ({ ...r, advisory: false }));
const list: Requirement[] = [
  req('auth.spf-or-dkim', 'pass', 'DKIM pass (d=news.test)'),
  req('dns.fcrdns', 'fail', 'no verdict: the PTR lookup failed', { temporary: true }),
  req('dns.helo', 'not-applicable', 'HELO name unknown'),
  req('transport.tls', 'fail', 'delivered in clear, without STARTTLS'),
  req('format.rfc5322', 'fail', 'Date: \x1b[31mred\x1b[0m is not a date', { problems }),
  req('unsubscribe.one-click', 'fail', 'there is no List-Unsubscribe field', { scope: 'bulk', advisory: true }),
];

describe('sender requirements in text', () => {
  it('one row per rule with its mark, the problems, the hint for an unknown connection, and the verdict', () => {
    const text = renderRequirementsSection(item(list), createTheme(false, 200)).join('\n');
    const rows = text.split('\n').map((l) => l.trimEnd());
    expect(rows.slice(0, 2)).toEqual([
      'Sender requirements',
      '  Gmail and Yahoo, 2024: all-senders rules, bulk ones as advice',
    ]);
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}✓ +SPF or DKIM +DKIM pass \(d=news\.test\)$/));
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}\? +reverse DNS +no verdict: the PTR lookup failed$/));
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}· +HELO resolves +HELO name unknown$/));
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}✗ +TLS +delivered in clear, without STARTTLS$/));
    expect(rows).toContainEqual(
      expect.stringMatching(/^ {2}! +one-click unsubscribe \(bulk\) +there is no List-Unsubscribe field$/),
    );
    expect(text).toContain('Date: \\x1b[31mred\\x1b[0m is not a date');
    expect(text).not.toContain('\x1b');
    expect(rows.filter((l) => /^ {6}- problem \d \[format\.field\.duplicate\]$/.test(l))).toHaveLength(3);
    expect(text).toContain('Client IP, HELO and TLS unknown: give --ip and --helo, or verify a file mailcheck receive');
    const withIp = renderRequirementsSection(item(list, { source: 'options', ip: '192.0.2.1', tls: null }), plainTheme);
    expect(withIp.join('\n')).toContain('TLS is known only from our Received: field');
    const known = renderRequirementsSection(
      item(list, { source: 'received', ip: '192.0.2.1', tls: false }),
      plainTheme,
    );
    expect(known.join('\n')).not.toMatch(/unknown:|known only/);
    expect(rows[rows.length - 1]).toBe(
      '  ✗ 2 of the all-senders rules not met, 1 not judged: a DNS lookup failed; 1 bulk-sender rule not met (--bulk judges by them)',
    );
  });

  it('fits 80 columns, with no padding left at the ends of lines', () => {
    for (const theme of [plainTheme, createTheme(true, 80)])
      for (const l of renderRequirementsSection(item(list), theme).join('\n').split('\n')) {
        expect(visibleLength(l), l).toBeLessThanOrEqual(80);
        expect(l, l).not.toMatch(/ $/);
      }
  });

  it('a reason is cut to 300 characters in the table (the JSON keeps it whole)', () => {
    const long = [req('dns.helo', 'fail', `HELO ${'h'.repeat(100_000)} has no A or AAAA record`)];
    const text = renderRequirementsSection(item(long), plainTheme).join('\n');
    expect(text.replace(/[\s]/g, '')).toContain(`HELO${'h'.repeat(295)}…`);
    expect(text.length).toBeLessThan(2000);
  });

  it('the verdict word: which rules, and which of them failed', () => {
    expect(requirementsWord(summarize(list.slice(0, 1), false), plainTheme)).toBe('req=pass');
    expect(requirementsWord(summarize(list, false), plainTheme)).toBe('req=fail(fcrdns,tls,format)');
    expect(requirementsWord(summarize(bulk(list), true), plainTheme)).toBe('bulk=fail(fcrdns,tls,format,one-click)');
    expect(requirementsWord(summarize([list[1]!], false), plainTheme)).toBe('req=temperror(fcrdns)');
  });
});
