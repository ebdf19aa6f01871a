import { describe, expect, it } from 'vitest';
import { checkDnsbl, dnsblName } from '../../../src/posture/dnsbl.js';
import { summarizeCheck } from '../../../src/posture/summary.js';
import type { PostureFinding } from '../../../src/posture/types.js';
import { fakeResolver } from '../../helpers/fake-resolver.js';

const f = (id: string, severity: PostureFinding['severity'], temporary = false): PostureFinding => ({
  id,
  severity,
  message: id,
  check: 'spf',
  ...(temporary ? { temporary } : {}),
});

describe('three outcomes, never two', () => {
  it.each([
    [[f('a', 'ok')], 'pass', 'pass', 'a'],
    [[f('a', 'info'), f('b', 'ok')], 'pass', 'pass', 'b'],
    [[f('a', 'info')], 'pass', 'info', 'a'],
    [[f('a', 'warn'), f('b', 'ok')], 'pass', 'warn', 'a'],
    [[f('t', 'fail', true), f('b', 'ok')], 'unknown', 'unknown', 't'],
    [[f('t', 'fail', true), f('x', 'fail')], 'fail', 'fail', 'x'],
    [[], 'pass', 'pass', null],
  ] as const)('%j → %s (%s)', (findings, verdict, state, id) => {
    expect(summarizeCheck('spf', findings)).toMatchObject({ verdict, state, id });
  });
  it('a check that did not finish is unknown', () => {
    expect(summarizeCheck('spf', [], true)).toMatchObject({
      verdict: 'unknown',
      reason: 'did not finish within the time budget',
    });
  });
});

describe('DNS blocklists (RFC 5782)', () => {
  it('builds the query names for IPv4 and IPv6 (§2.1, §2.4)', () => {
    expect(dnsblName('192.0.2.99', 'bl.example')).toBe('99.2.0.192.bl.example');
    expect(dnsblName('2001:db8:1:2:3:4:567:89ab', 'bl.example')).toBe(
      'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example',
    );
  });
  it('listed, not listed, refused and timed out are four different answers', async () => {
    const resolver = fakeResolver({
      '10.2.0.192.bl.test A': ['127.0.0.2'],
      '10.2.0.192.bl.test TXT': [['Listed for spam, see https://bl.test/q?ip=192.0.2.10']],
      '10.2.0.192.refusing.test A': ['127.255.255.254'],
      '10.2.0.192.slow.test A': { status: 'timeout', server: '192.0.2.53:53' },
    });
    const r = await checkDnsbl(
      [{ exchange: 'mx.example', address: '192.0.2.10' }],
      ['bl.test', 'clean.test', 'refusing.test', 'slow.test'],
      { resolver },
    );
    expect(r.listings.map((l) => [l.zone, l.listed])).toEqual([
      ['bl.test', true],
      ['clean.test', false],
      ['refusing.test', null],
      ['slow.test', null],
    ]);
    expect(r.findings.map((x) => [x.id, x.severity, Boolean(x.temporary)])).toEqual([
      ['dnsbl.listed', 'fail', false],
      ['dnsbl.unknown', 'warn', true],
      ['dnsbl.unknown', 'warn', true],
    ]);
    expect(r.findings[0]!.message).toContain('bl.test (127.0.0.2): Listed for spam');
  });
  it('all clean is one ok finding', async () => {
    const r = await checkDnsbl(
      [
        { exchange: 'mx', address: '192.0.2.1' },
        { exchange: 'mx', address: '192.0.2.2' },
      ],
      ['a.test', 'b.test'],
      { resolver: fakeResolver({}) },
    );
    expect(r.findings).toEqual([
      expect.objectContaining({
        id: 'dnsbl.clean',
        severity: 'ok',
        message: '2 MX addresses listed on none of 2 blocklists.',
      }),
    ]);
  });
  it('a clean address costs one A query per list (TXT only when listed)', async () => {
    const log: string[] = [];
    await checkDnsbl([{ exchange: 'mx', address: '192.0.2.1' }], ['a.test'], { resolver: fakeResolver({}, log) });
    expect(log).toEqual(['1.2.0.192.a.test A']);
  });
});
