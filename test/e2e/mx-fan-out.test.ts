// Bounded work per DNS answer through the CLI (issue #13): a domain with 1,000 MX hosts of 100 addresses each.
// Unbounded, `mx` asked 102,001 questions (103,490 wire queries) in 37 s and peaked at 1.2 GiB; `check` ran out
// of its time budget. Figures in docs/robustness.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliPeakRss } from '../helpers/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { fanOutResolver } from '../helpers/fan-out.js';

let dns: TestDnsServer;
const via = () => ['--resolver', `127.0.0.1:${dns.port}`];
const questions = () => new Set(dns.queries.map((q) => `${q.name} ${q.type}`)).size;

beforeAll(async () => {
  dns = await startTestDnsServer({ resolver: fanOutResolver('fan.test', 1000, 100, 0).resolver });
});
afterAll(async () => {
  await dns.close();
});

describe('1,000 MX × 100 addresses', () => {
  it('mx checks 10 exchanges of 10 addresses (121 questions), lists the rest, and says so', async () => {
    dns.queries.length = 0;
    const r = await runCliPeakRss(['mx', 'fan.test', ...via(), '--json']);
    const j = JSON.parse(r.stdout);
    // 1 MX + 10 × (A + AAAA) + 10 × 10 PTR.
    expect(questions()).toBe(121);
    expect(r.rssMiB).toBeLessThan(150);
    expect(j.mx).toHaveLength(1000);
    expect(j.mx.filter((h: { status: string }) => h.status === 'unchecked')).toHaveLength(990);
    const ids = j.findings.map((f: { id: string }) => f.id);
    expect(ids).toContain('mx.exchanges.unchecked');
    expect(ids).toContain('mx.addresses.unchecked');
    if (process.env.MC_FIGURES) console.log(`mx: ${dns.queries.length} wire queries, ${r.rssMiB.toFixed(0)} MiB`);
  });

  it('the text report shows the checked hosts and one line for the rest', async () => {
    const r = await runCliPeakRss(['mx', 'fan.test', ...via()]);
    expect(r.stdout).toContain('… 990 more MX records, not checked');
    expect(r.stdout).toContain('… 90 more addresses, not checked');
    // The hosts that were not looked up are not drawn one by one (mx0000 has the worst preference).
    expect(r.stdout).not.toContain('mx0000.fan.test');
  });

  it('check finishes within its budget with a verdict on the MX hosts it checked', async () => {
    dns.queries.length = 0;
    const r = await runCliPeakRss(['check', 'fan.test', '--selector', 's1', ...via(), '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.findings.map((f: { id: string }) => f.id)).not.toContain('posture.budget.exceeded');
    expect(j.findings.find((f: { id: string }) => f.id === 'mx.exchanges.unchecked')).toMatchObject({ check: 'mx' });
    expect(questions()).toBeLessThan(200);
    expect(r.rssMiB).toBeLessThan(150);
    if (process.env.MC_FIGURES) console.log(`check: ${dns.queries.length} wire queries, ${r.rssMiB.toFixed(0)} MiB`);
  });
});
