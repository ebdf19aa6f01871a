// Two v=spf1 records are a permerror (RFC 7208 §4.5), not "no SPF record": `check`'s details and its policy gate
// say how many are published (the `spf` command itself always did).
import { describe, expect, it } from 'vitest';
import { cached } from '../../../src/dns/cache.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import { checkPosture } from '../../../src/posture/check.js';
import { parsePolicy } from '../../../src/posture/policy.js';
import { renderPosture } from '../../../src/report/text/check.js';
import { createTheme } from '../../../src/report/theme.js';
import { zoneOf } from '../../helpers/zones.js';

const zone = zoneOf`$ORIGIN twospf.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 604800 300
@ IN MX 10 mx
@ IN TXT "v=spf1 mx -all"
@ IN TXT "v=spf1 ip4:198.51.100.1 ~all"
mx IN A 198.51.100.25
`;
const ctx = {
  resolver: cached(layered([zone], offlineResolver())),
  timeoutMs: 2000,
  now: () => new Date('2026-11-29T12:00:00Z'),
  onEvent: () => {},
};

describe('check with two SPF records', () => {
  it('the policy gate says two are published (a fail), and judges no lookups or all of either', async () => {
    const policy = parsePolicy({ spf: { required: true, maxLookups: 8, all: ['-all'] } }, 'gate.yml');
    const r = await checkPosture('twospf.test', ctx, { policy });
    const gate = r.findings.filter((f) => f.id.startsWith('policy.spf.'));
    expect(gate.map((f) => [f.id, f.severity, f.message])).toEqual([
      [
        'policy.spf.required',
        'fail',
        'Fails the policy (gate.yml): an SPF record is required; 2 are published, and more than one is a permerror (RFC 7208 §4.5).',
      ],
    ]);
  });

  it('the details list both records instead of "record —"', async () => {
    const r = await checkPosture('twospf.test', ctx, {});
    const text = renderPosture(r, createTheme(false, 120));
    const spf = text.slice(text.indexOf('\nSPF  '), text.indexOf('\nDKIM  '));
    expect(spf).toContain('· 2 SPF records (permerror: there must be one)');
    expect(spf).toContain('· record "v=spf1 mx -all"');
    expect(spf).toContain('· record "v=spf1 ip4:198.51.100.1 ~all"');
    expect(spf).not.toContain('record —');
  });
});
