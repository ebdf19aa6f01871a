// The parked-domain profile (issues #16 and #19): a domain whose SPF is "v=spf1 -all" and whose DMARC policy is
// reject sends no mail, and with no MX receives none: it is judged by what it needs (null MX, SPF -all for it and
// its made-up subdomains, DMARC p=reject), not asked for DKIM, MTA-STS, TLS-RPT or BIMI. The profile is named.
import { describe, expect, it } from 'vitest';
import { checkPosture } from '../../../src/posture/check.js';
import { deniesAll } from '../../../src/posture/profile.js';
import { renderPosture } from '../../../src/report/text/check.js';
import { plainTheme } from '../../../src/report/theme.js';
import type { Context } from '../../../src/core/context.js';
import { fixtureResolver } from '../../helpers/zones.js';

const ctx: Context = {
  resolver: fixtureResolver(['parked.test.zone', 'posture.test.zone']),
  timeoutMs: 1000,
  now: () => new Date('2026-11-29T12:00:00Z'),
  onEvent: () => {},
};
const find = (r: { findings: { id: string; message: string }[] }, id: string) => r.findings.find((f) => f.id === id);

describe('the parked-domain profile', () => {
  it('an address and no MX: parked, DKIM/MTA-STS/TLS-RPT/BIMI not demanded, a null MX asked for', async () => {
    const r = await checkPosture('parked.test', ctx);
    expect(r.profile).toMatchObject({ name: 'parked' });
    expect(r.profile!.reason).toMatch(/SPF "v=spf1 -all" and DMARC p=reject say parked\.test sends no mail/);
    expect(find(r, 'posture.profile.parked')).toMatchObject({ severity: 'info', check: 'posture' });
    // Not demanded: information, said to be not needed, with no advice to publish them.
    for (const id of ['dkim.none', 'mta-sts.none', 'tls-rpt.none', 'bimi.none', 'mx.implicit']) {
      const f = find(r, id)!;
      expect(f, id).toMatchObject({
        severity: 'info',
        message: expect.stringMatching(/^Not needed for a parked domain: /),
      });
      expect((f as { advice?: string }).advice, id).toBeUndefined();
    }
    // What it needs: a null MX (it has an address), and advice for made-up subdomains.
    expect(find(r, 'mx.parked.null-mx')).toMatchObject({
      severity: 'warn',
      advice: 'Publish "parked.test. MX 0 ." to say it accepts no mail.',
    });
    expect(find(r, 'spf.parked.wildcard')).toMatchObject({ severity: 'info', check: 'spf' });
    expect(r.summary.find((s) => s.check === 'dkim')).toMatchObject({ state: 'info' });
    expect(r.ok).toBe(true);
    expect(renderPosture(r, { ...plainTheme, width: 200 })).toContain(
      'Profile  parked: SPF "v=spf1 -all" and DMARC p=reject say parked.test sends no mail, and it has no MX record (only an address, which senders would try)',
    );
  });

  it('parked done right: null MX and a wildcard SPF record', async () => {
    const r = await checkPosture('nullmx.parked.test', ctx);
    expect(r.profile!.name).toBe('parked');
    expect(find(r, 'mx.parked.null-mx')).toMatchObject({ severity: 'ok' });
    expect(find(r, 'spf.parked.wildcard')).toMatchObject({ severity: 'ok' });
    expect(r.findings.filter((f) => f.severity === 'warn' || f.severity === 'fail')).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('no MX and no address is a parked domain, not "cannot receive mail" (nomail.posture.test)', async () => {
    // A selector named for a whole batch is not demanded of it either.
    const r = await checkPosture('nomail.posture.test', ctx, { selectors: ['s1'] });
    expect(r.profile!.name).toBe('parked');
    expect(find(r, 'mx.none')).toMatchObject({ severity: 'info' });
    expect(find(r, 'dkim.selector.missing')).toMatchObject({ severity: 'info' });
    expect(r.summary.find((s) => s.check === 'mx')!.verdict).toBe('pass');
    expect(r.ok).toBe(true);
  });

  it('sends no mail but receives it: DKIM and BIMI not needed, the receiving checks stay', async () => {
    const r = await checkPosture('quiet.parked.test', ctx);
    expect(r.profile).toMatchObject({ name: 'non-sending' });
    expect(find(r, 'dkim.none')).toMatchObject({
      severity: 'info',
      message: expect.stringMatching(/^Not needed for a domain that sends no mail: /),
    });
    expect(find(r, 'mta-sts.none')!.message).not.toMatch(/^Not needed/);
    expect(find(r, 'mx.parked.null-mx')).toBeUndefined();
  });

  it('a domain that sends mail keeps the full profile', async () => {
    const r = await checkPosture('posture.test', ctx, { selectors: ['s1'] });
    expect(r.profile).toEqual({ name: 'sending', reason: '' });
    expect(r.findings.some((f) => f.id.startsWith('posture.profile'))).toBe(false);
  });

  it.each([
    ['v=spf1 -all', true],
    ['v=spf1 -all exp=why.example', true],
    ['v=spf1 ~all', false],
    ['v=spf1 ip4:192.0.2.1 -all', false],
    ['v=spf1 redirect=other.example', false],
  ])('deniesAll(%j) = %s', (record, expected) => {
    const terms = record
      .split(' ')
      .slice(1)
      .map((raw) => {
        const m = /^([-~?+]?)([a-z0-9]+)([:=].*)?$/.exec(raw)!;
        const modifier = m[3]?.startsWith('=');
        return modifier
          ? { kind: 'modifier', name: m[2] }
          : { kind: 'mechanism', name: m[2], qualifier: (m[1] || '+') as '-' };
      });
    expect(deniesAll({ status: 'ok', terms } as never)).toBe(expected);
  });
});
