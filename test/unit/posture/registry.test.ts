// The posture check registry: a check added as one entry (here a fake one, registered by the test) shows up in the
// runner's `checks`, the summary, the text table, the batch table, JUnit and the policy file's keys, with no other
// file touched; its `needs` are honoured, its failures contained, and an option-gated entry stays absent.
import { afterEach, describe, expect, it } from 'vitest';
import { cached } from '../../../src/dns/cache.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { Context } from '../../../src/core/context.js';
import { finding, type Finding } from '../../../src/core/result.js';
import type { MxResult } from '../../../src/mx/types.js';
import { createBatchStats, addToStats } from '../../../src/posture/batch-stats.js';
import { checkPosture, invalidInput } from '../../../src/posture/check.js';
import { parsePolicy } from '../../../src/posture/policy.js';
import { bool, type PolicySection } from '../../../src/posture/policy-rules.js';
import { checkEntries, registerCheck } from '../../../src/posture/registry.js';
import { defineCheck } from '../../../src/posture/registry-types.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderBatchSummary } from '../../../src/report/text/check-batch.js';
import { renderPosture } from '../../../src/report/text/check.js';
import { createTheme } from '../../../src/report/theme.js';
import { loadFixtureZone } from '../../helpers/zones.js';

interface FakeResult {
  hosts: number;
  findings: Finding[];
}

const FAKE_POLICY: PolicySection<FakeResult, { required?: boolean }> = {
  rules: { required: bool },
  judge: (p, r, emit) => {
    if (p.required) emit('required', r.hosts > 0, `a fake thing is required; ${r.hosts} found.`);
  },
};

/** Counts the MX hosts it was given: proof that `needs: ['mx']` handed it mx's first result. */
const fake = defineCheck({
  key: 'fake',
  label: 'FAKE-CHECK',
  policyId: 'fake-check',
  needs: ['mx'],
  run: async (_x, d) => {
    const hosts = (d.mx as MxResult | null)?.mx.length ?? 0;
    return {
      hosts,
      findings: [finding('fake.hosts', hosts ? 'ok' : 'fail', `${hosts} hosts seen by the fake check.`)],
    };
  },
  findings: (r) => r.findings,
  policy: FAKE_POLICY,
});

const ctx = (): Context => ({
  resolver: cached(layered(['posture.test.zone', 'posture-reverse.zone'].map(loadFixtureZone), offlineResolver())),
  timeoutMs: 2000,
  now: () => new Date('2026-01-01T00:00:00Z'),
  onEvent: () => {},
});
const t = createTheme(false, 120);

let undo: (() => void)[] = [];
afterEach(() => {
  for (const u of undo) u();
  undo = [];
});

describe('the posture check registry', () => {
  it('lists the built-in checks in the order of `checks` in the JSON', () => {
    expect(checkEntries().map((e) => e.key)).toEqual([
      'mx',
      'spf',
      'dkim',
      'dmarc',
      'mtaSts',
      'tlsRpt',
      'bimi',
      'dnssec',
      'dane',
      'smtp',
      'dnsbl',
    ]);
  });

  it('every `needs` names a registered check', () => {
    const keys = new Set(checkEntries().map((e) => e.key));
    for (const e of checkEntries())
      for (const n of [...(e.needs ?? []), ...(e.alongside?.needs ?? []), ...(e.finish?.needs ?? [])])
        expect(keys.has(n), `${e.key} needs ${n}`).toBe(true);
  });

  it('a fake check added as one entry shows up in checks, summary, text, batch table, JUnit and policy', async () => {
    undo.push(registerCheck(fake, { before: 'smtp' }));
    const policy = parsePolicy({ fake: { required: true } }, 'p.yml');
    expect(policy).toMatchObject({ fake: { required: true } });
    const r = await checkPosture('posture.test', ctx(), { selectors: ['s1'], policy, smtp: false });

    // After the always-run checks, before the optional ones (none asked for here).
    expect(Object.keys(r.checks)).toEqual([
      'mx',
      'spf',
      'dkim',
      'dmarc',
      'mtaSts',
      'tlsRpt',
      'bimi',
      'dnssec',
      'dane',
      'fake',
    ]);
    expect((r.checks as unknown as Record<string, FakeResult>).fake.hosts).toBe(2);
    expect(r.summary.at(-1)).toMatchObject({ check: 'fake', verdict: 'pass', id: 'fake.hosts' });
    expect(r.findings.filter((f) => (f.check as string) === 'fake').map((f) => f.id)).toEqual([
      'fake.hosts',
      'policy.fake-check.required',
    ]);
    expect(renderPosture(r, t)).toMatch(/│ FAKE-CHECK +│ ✓ pass +│ 2 hosts seen by the fake check\. +│/);
    expect(renderJunit([r], { timestamp: new Date(0) })).toContain(
      '<testcase classname="mailcheck.posture.test" name="FAKE-CHECK" time="0.000"/>',
    );
    const stats = createBatchStats();
    addToStats(stats, r);
    expect(renderBatchSummary(stats, t, {})).toMatch(/FAKE-CHECK +│ +1 │ +0 │ +0/);
    // A domain whose line was not a name still lists it, with no result.
    expect(Object.keys(invalidInput('not a name', 'bad')).includes('checks')).toBe(true);
    expect(invalidInput('x', 'bad').checks).toHaveProperty('fake', null);
  });

  it('the policy file knows its keys: a typo under the fake section names them', () => {
    undo.push(registerCheck(fake));
    expect(() => parsePolicy({ fake: { requird: true } }, 'p.yml')).toThrow(
      /unknown key 'fake\.requird' — did you mean 'required'\? \(known under fake: required\)/,
    );
    expect(() => parsePolicy({ fakee: {} }, 'p.yml')).toThrow(/known: strict, ignore, mx, .*, smtp, fake\)/);
  });

  it('without the entry, the key is unknown again', () => {
    undo.push(registerCheck(fake));
    undo.pop()!();
    expect(() => parsePolicy({ fake: { required: true } }, 'p.yml')).toThrow(/unknown key 'fake'/);
  });

  it('a check that throws is that check failing, not the domain', async () => {
    undo.push(
      registerCheck(
        defineCheck({
          key: 'broken',
          label: 'BROKEN',
          policyId: 'broken',
          run: () => {
            throw new Error('boom');
          },
          findings: (r: FakeResult) => r.findings,
        }),
      ),
    );
    const r = await checkPosture('posture.test', ctx(), { selectors: ['s1'] });
    expect((r.checks as unknown as Record<string, unknown>).broken).toBeNull();
    expect(r.findings.find((f) => f.id === 'posture.check.error')).toMatchObject({
      check: 'broken',
      message: 'The broken check failed with an internal error: boom.',
    });
    expect(r.summary.at(-1)).toMatchObject({ check: 'broken', verdict: 'fail' });
  });

  it('independent checks run at the same time; a `needs` waits for what it names only', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const entry = (key: string, needs: string[], wait: boolean) =>
      defineCheck({
        key,
        label: key,
        policyId: key,
        needs,
        run: async () => {
          events.push(`start ${key}`);
          if (wait) await gate;
          events.push(`end ${key}`);
          return { hosts: 0, findings: [] as Finding[] };
        },
        findings: (r) => r.findings,
      });
    undo.push(registerCheck(entry('slow', [], true)), registerCheck(entry('after', ['slow'], false)));
    undo.push(registerCheck(entry('free', [], false)));
    const p = checkPosture('posture.test', ctx(), { selectors: ['s1'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['start slow', 'start free', 'end free']);
    release();
    await p;
    expect(events).toEqual(['start slow', 'start free', 'end free', 'end slow', 'start after', 'end after']);
  });

  it('an entry that applies only with an option is absent without it', async () => {
    undo.push(registerCheck(defineCheck({ ...fake, key: 'gated', applies: (o) => Boolean(o.fetch) })));
    const without = await checkPosture('posture.test', ctx(), { selectors: ['s1'] });
    expect(without.checks).not.toHaveProperty('gated');
    expect(without.summary.map((s) => s.check)).not.toContain('gated');
  });
});
