// renderSpf with the plain theme: the tree with costs and running totals, the stop marker, the ^^^ under a syntax
// error, escaped control characters, the evaluation and its result. No I/O beyond building fixture results.
import { describe, expect, it } from 'vitest';
import { checkSpf } from '../../../../src/auth/spf/check.js';
import { renderSpf } from '../../../../src/report/text/spf.js';
import { createTheme, plainTheme } from '../../../../src/report/theme.js';
import { fixtureResolver } from '../../../helpers/zones.js';

// Content assertions read whole lines: render wider than the 80 columns of a pipe (test/unit/report/width.test.ts checks 80).
const wide = { ...plainTheme, width: 200 };

const ctx = {
  resolver: fixtureResolver(['spf.test.zone']),
  timeoutMs: 1000,
  now: () => new Date(0),
  onEvent: () => {},
};
const render = async (input: Parameters<typeof checkSpf>[0]) => renderSpf(await checkSpf(input, ctx), wide);

describe('renderSpf', () => {
  it('draws the include tree with each record, per-term costs and the running total', async () => {
    const text = await render({ domain: 'spf.test' });
    expect(text).toContain('SPF for spf.test');
    expect(text).toMatch(/├─ include:_spf\.spf\.test +1 +· +2\n/);
    expect(text).toContain('│  └─ _spf.spf.test  v=spf1 ip6:2001:db8::/32 a:relay.spf.test ~all');
    expect(text).toMatch(/│ {5}├─ a:relay\.spf\.test +1 +· +3\n/);
    expect(text).toContain('DNS-querying terms: 3 of at most 10 · void lookups: 0 of at most 2');
    expect(text).toContain('exp= is looked up only after a fail');
    expect(text).toMatch(/│ include:_spf\.spf\.test │ +2 │ +0 │ +1 │/);
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('shows everything past the limit and marks where evaluation stops', async () => {
    const text = await render({ domain: 'toomany.spf.test' });
    expect(text).toMatch(
      /a:h8\.spf\.test +1 +· +11\n.*✗ evaluation stops here: DNS-querying term 11 of at most 10 → permerror/,
    );
    expect(text).toMatch(/a:h9\.spf\.test +1 +· +12/);
    expect(text).toContain('[spf.lookups.exceeded]');
  });

  it('marks the offending term of an invalid record under the raw text', async () => {
    const text = await render({ domain: 'syntax.spf.test' });
    expect(text).toContain("  v=spf1 ip4:192.0.2.1 -all moo\n                            ^^^ unknown mechanism 'moo'");
  });

  it('escapes control characters from DNS', async () => {
    for (const theme of [plainTheme, createTheme(true)]) {
      const text = renderSpf(await checkSpf({ domain: 'ctrl.spf.test' }, ctx), theme);
      expect(text).toContain('\\x1b[31m');
      expect(text.replace(/\x1b\[\d+(;\d+)*m/g, '')).not.toMatch(/\x1b/);
    }
  });

  it('with --ip: the evaluation step by step, the matched chain and the result', async () => {
    const text = await render({ domain: 'spf.test', ip: '2001:db8:ffff::1' });
    expect(text).toContain('check_host(2001:db8:ffff::1, spf.test, postmaster@spf.test)');
    expect(text).toMatch(/✓ ip6:2001:db8::\/32 +2001:db8:ffff::1 is in 2001:db8::\/32/);
    expect(text).toContain(
      'Result: pass matched include:_spf.spf.test in spf.test → ip6:2001:db8::/32 in _spf.spf.test',
    );
    expect(text.trimEnd().endsWith('✓ SPF pass')).toBe(true);
    const fail = await render({ domain: 'explained.spf.test', ip: '198.51.100.1' });
    expect(fail).toContain('explanation (exp=): "198.51.100.1 is not one of explained.spf.test\'s mail servers;');
    expect(fail.trimEnd().endsWith('✗ SPF fail')).toBe(true);
  });

  it('lists several records and the ignored look-alikes', async () => {
    expect(await render({ domain: 'multiple.spf.test' })).toContain(
      '✗ 2 SPF records: there must be one (permerror)\n    • v=spf1 -all',
    );
    expect(await render({ domain: 'lead.spf.test' })).toContain('! ignored: " v=spf1 -all"');
  });
});
