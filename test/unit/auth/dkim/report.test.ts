import { describe, expect, it } from 'vitest';
import { checkDkim } from '../../../../src/auth/dkim/check.js';
import { createTheme, plainTheme } from '../../../../src/report/theme.js';
import { renderDkim } from '../../../../src/report/text/dkim.js';
import { renderDkimKeygen } from '../../../../src/report/text/dkim-keygen.js';
import { generateDkimKey } from '../../../../src/auth/dkim/keygen.js';
import { fixtureResolver } from '../../../helpers/zones.js';
import { KEYS_DIR } from './keys.js';

// Content assertions read whole lines: render wider than the 80 columns of a pipe (test/unit/report/width.test.ts checks 80).
const wide = { ...plainTheme, width: 200 };

const ctx = { resolver: fixtureResolver(['dkim.test.zone', 'dkim-provider.test.zone']) };

describe('renderDkim', () => {
  it('tells the guessing story: what was tried, a table of what was found, the rest in one line', async () => {
    const text = renderDkim(
      await checkDkim('m365.dkim.test', ctx, { keyFile: KEYS_DIR + 'rsa-2048-rotated.pem' }),
      wide,
    );
    expect(text).toMatch(/^DKIM keys for m365\.dkim\.test\n/);
    expect(text).toContain(
      'MX m365-dkim-test.mail.protection.outlook.com → Microsoft 365: also tried selector1, selector2, selector1-m365-dkim-test, selector2-m365-dkim-test',
    );
    expect(text).toMatch(
      /TXT <selector>\._domainkey\.m365\.dkim\.test: tried 39 common and provider selectors → 2 found \(DKIM has no way to list them/,
    );
    expect(text).toMatch(/│ selector\s+│ status\s+│ key │ bits │ flags │ --key\s+│/);
    expect(text).toMatch(/│ selector1\s+│ ✓ valid\s+│ RSA │ 2048 │ CNAME │ ✓ match │/);
    expect(text).toMatch(/│ selector2-m365-dkim-test │ – revoked \(p= empty\) │ —\s+│ —\s+│\s+│ no\s+│/);
    expect(text).toMatch(/no key at 37 other selectors: selector2, selector1-m365-dkim-test, default,/);
    expect(text).toContain(
      'selector1._domainkey.m365.dkim.test (CNAME → selector1-m365-dkim-test._domainkey.tenant.dkim-provider.test)',
    );
    expect(text).toContain('✓ fixtures/keys/rsa-2048-rotated.pem'.replace('fixtures/keys/', KEYS_DIR));
    expect(text).toMatch(/\n✓ passed\n$/);
  });

  it('marks the offending part under the record, eliding the key base64', async () => {
    const text = renderDkim(await checkDkim('dkim.test', ctx, { selectors: ['testing', 'weak'] }), wide);
    expect(text).toContain(
      [
        '  testing._domainkey.dkim.test',
        '    v=DKIM1; k=rsa; t=y:s; p=MIIBIjANBgkq…(392 chars)…EwIDAQAB',
        '                    ^^^^^',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '  weak._domainkey.dkim.test',
        '    v=DKIM1; k=rsa; p=MFwwDQYJKoZI…(128 chars)…AwEAAQ==',
        '                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
    expect(text).toMatch(/│ weak\s+│ ✗ broken │ RSA │ 512\s+│/);
    expect(text).toMatch(/✗ 1 failed check, 1 warning\n$/);
  });

  it('lists both records of a selector that has two', async () => {
    const text = renderDkim(await checkDkim('multi.dkim.test', ctx, { selectors: ['default'] }), wide);
    expect(text).toMatch(/│ default\s+│ ✗ broken\s+│ Ed25519 │ 256\s+│ 2 records │/);
    expect(text).toContain('    + v=DKIM1; k=rsa; p=MIIBIjANBgkq…(392 chars)…EwIDAQAB');
  });

  it('never lets control characters from DNS through, even in colour', async () => {
    const r = await checkDkim('ctrl.dkim.test', ctx, { selectors: ['default'] });
    for (const t of [plainTheme, createTheme(true)]) {
      const text = renderDkim(r, t).replace(/\x1b\[[0-9;]*m/g, '');
      expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(text).toContain('n=\\x1b[31mred\\x1b[0m');
    }
  });

  it('shows the DNS queries with --verbose', async () => {
    const text = renderDkim(await checkDkim('dkim.test', ctx, { selectors: ['alias'] }), wide, { steps: true });
    // A step with a whole key wraps: its later lines are indented under the first.
    expect(text).toMatch(
      /DNS queries\n.*TXT alias\._domainkey\.dkim\.test → "v=DKIM1; k=rsa;\s+p=[\s\S]*\n {4}[\s\S]*\(via CNAME\s+alias\._domainkey\.dkim\.test\)/,
    );
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(200);
    expect(text).toMatch(/CNAME alias\._domainkey\.dkim\.test → s2048\._domainkey\.dkim\.test/);
  });
});

describe('renderDkimKeygen', () => {
  it('shows where the key went, the record as strings, the zone line and the next command', () => {
    const k = generateDkimKey({ domain: 'example.test', selector: 's1', type: 'rsa', bits: 2048 });
    const text = renderDkimKeygen(
      {
        kind: 'dkim-keygen',
        domain: 'example.test',
        selector: 's1',
        keyFile: 's1.pem',
        record: k.record,
        zoneLine: k.zoneLine,
        type: k.type,
        bits: k.bits,
        name: k.name,
        strings: k.strings,
      },
      plainTheme,
    );
    expect(text).toContain('✓ wrote the 2048-bit RSA private key to s1.pem');
    expect(text).toContain('name  s1._domainkey.example.test');
    expect(text).toContain(`    "${k.strings[0]}"\n    "${k.strings[1]}"`);
    expect(text).toContain(`Zone-file line\n${k.zoneLine}\n`);
    expect(text).toContain('mailcheck dkim example.test --selector s1 --key s1.pem');
    expect(text).not.toContain('PRIVATE KEY');
  });
});
