// The first hour of a postmaster: by default every report leads with the verdict and what to fix, short enough to
// read (issue 19: one spf was 144 lines, a parked domain's check ~160); --all (or -v) is the whole trace. The
// domains are the first-hour fixtures: a Microsoft 365-style tenant, a Google Workspace-style domain, a parked one.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const Z = [
  '--offline',
  ...[
    'northwind.test',
    'outlook.test',
    'onmicrosoft.test',
    'fabrikam.test',
    'google.test',
    '113.0.203.in-addr.arpa',
    'parkeddomain.test',
  ].flatMap((z) => ['--zone', `fixtures/zones/${z}.zone`]),
];
const count = (s: string) => s.trimEnd().split('\n').length;

describe('default text output is short and leads with the verdict; --all is the full report', () => {
  it.each([
    // command, lines at most by default (80 columns), lines at least with --all
    [['spf', 'fabrikam.test'], 8, 40],
    [['spf', 'fabrikam.test', '--ip', '203.0.113.60'], 16, 60],
    [['dkim', 'parkeddomain.test'], 12, 100],
    [['dkim', 'northwind.test'], 25, 25],
    [['dmarc', 'northwind.test'], 8, 25],
    [['mx', 'fabrikam.test'], 16, 25],
    [['check', 'parkeddomain.test'], 30, 100],
    [['check', 'northwind.test'], 32, 80],
    [['check', 'fabrikam.test'], 30, 80],
  ])('%j', async (args, most, least) => {
    const brief = await runCli([...args, ...Z]);
    const full = await runCli([...args, ...Z, '--all']);
    expect(brief.code).toBe(full.code);
    expect(count(brief.stdout), brief.stdout).toBeLessThanOrEqual(most);
    expect(count(full.stdout)).toBeGreaterThanOrEqual(least);
    // The verdict is in the first line; the last says what was left out and how to see it.
    expect(brief.stdout.split('\n')[0]).toMatch(/ {2}([✓!✗?] |✗ SPF )/);
    expect(brief.stdout.replace(/\s+/g, ' ')).toMatch(/Not shown: .*; --all shows everything/);
    // -v is the full report too (and every DNS query on stderr).
    if (args[0] !== 'check') {
      const verbose = await runCli([...args, ...Z, '-v']);
      expect(count(verbose.stdout)).toBeGreaterThanOrEqual(least);
    }
  });

  it('fits 80 and 140 columns (COLUMNS)', async () => {
    for (const columns of ['80', '140']) {
      const r = await runCli(['check', 'northwind.test', ...Z], { env: { COLUMNS: columns } });
      expect(
        Math.max(
          ...r.stdout
            .trimEnd()
            .split('\n')
            .map((l) => [...l].length),
        ),
      ).toBeLessThanOrEqual(Number(columns));
    }
  });
});
