// A selector that is a CNAME to a name with no key (a provider's selector before the provider publishes it) is
// reported as the alias it is and where it dangles, never as "the name does not exist … publish the key".
import { describe, expect, it } from 'vitest';
import { checkDkim } from '../../../../src/auth/dkim/check.js';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import { renderDkim } from '../../../../src/report/text/dkim.js';
import { plainTheme } from '../../../../src/report/theme.js';
import { zoneOf } from '../../../helpers/zones.js';

const resolver = layered(
  [
    zoneOf`$ORIGIN tenant.test.
@ IN SOA ns hostmaster 1 3600 600 604800 300
@ IN MX 0 tenant-test.mail.protection.outlook.com.
@ IN TXT "v=spf1 include:spf.protection.outlook.com -all"
selector1._domainkey IN CNAME selector1-tenant-test._domainkey.tenant.provider.test.
selector2._domainkey IN CNAME selector2-tenant-test._domainkey.tenant.provider.test.
`,
    zoneOf`$ORIGIN unsigned.test.
@ IN SOA ns hostmaster 1 3600 600 604800 300
@ IN TXT "v=spf1 -all"
selector2._domainkey IN CNAME selector2-unsigned-test._domainkey.tenant.provider.test.
`,
    zoneOf`$ORIGIN provider.test.
@ IN SOA ns hostmaster 1 3600 600 604800 300
selector1-tenant-test._domainkey.tenant IN TXT "v=DKIM1; k=ed25519; p=48tJLdaKqGnOpGWT+5h0jx5ruZTuS/ggkqddrQClPLk="
`,
  ],
  offlineResolver(),
);

describe('DKIM selectors that are dangling aliases', () => {
  it('a named selector: dkim.selector.missing says the alias and where it dangles', async () => {
    const r = await checkDkim('tenant.test', { resolver }, { selectors: ['selector2'] });
    expect(r.selectors[0]).toMatchObject({
      found: false,
      lookup: 'nxdomain',
      delegatedTo: 'selector2-tenant-test._domainkey.tenant.provider.test',
    });
    const f = r.findings.find((x) => x.id === 'dkim.selector.missing')!;
    expect(f.severity).toBe('fail');
    expect(f.message).toBe(
      'No DKIM key for selector selector2: selector2._domainkey.tenant.test is an alias (CNAME) of selector2-tenant-test._domainkey.tenant.provider.test, which does not exist (NXDOMAIN).',
    );
    expect(f.advice).toBe(
      'Publish the key at selector2-tenant-test._domainkey.tenant.provider.test (at a provider, enable DKIM signing for the domain there), or remove the CNAME.',
    );
    expect(f.message).not.toMatch(/the name does not exist/);
  });

  it('guessed selectors: a dangling provider selector is a warning and a row of the table', async () => {
    const r = await checkDkim('tenant.test', { resolver });
    expect(r.findings.filter((f) => f.id === 'dkim.selector.dangling').map((f) => [f.severity, f.selector])).toEqual([
      ['warn', 'selector2'],
    ]);
    const text = renderDkim(r, plainTheme);
    expect(text).toMatch(/│ selector2 +│ ! alias to nothing +│/);
    expect(text).toMatch(/│ selector1 +│ ✓ valid +│ Ed25519/);
  });

  it('the only guessed name that exists is a dangling alias: _domainkey exists for it, which proves no other key', async () => {
    const r = await checkDkim('unsigned.test', { resolver });
    expect(r.selectors.filter((s) => s.cnames.length).map((s) => s.selector)).toEqual(['selector2']);
    // _domainkey.unsigned.test exists only because selector2 does: not "keys under a selector not guessed".
    expect(r.findings.map((f) => f.id)).not.toContain('dkim.selector.unknown');
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([
      ['dkim.selector.dangling', 'warn'],
      ['dkim.none', 'warn'],
    ]);
  });
});
