import { describe, expect, it } from 'vitest';
import { checkDkim } from '../../../../src/auth/dkim/check.js';
import { plainTheme } from '../../../../src/report/theme.js';
import { renderDkim } from '../../../../src/report/text/dkim.js';
import type { Resolver } from '../../../../src/dns/types.js';
import { fixtureResolver } from '../../../helpers/zones.js';
import { KEYS_DIR } from './keys.js';

const resolver = fixtureResolver(['dkim.test.zone', 'dkim-provider.test.zone']);
const ctx = { resolver };
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id).sort();

describe('checkDkim with named selectors', () => {
  it('reads a healthy RSA key: type and size from the key, contract fields', async () => {
    const r = await checkDkim('dkim.test', ctx, { selectors: ['s2048'] });
    expect(r).toMatchObject({ kind: 'dkim', domain: 'dkim.test', guessed: false });
    expect(r.selectors).toEqual([
      expect.objectContaining({
        selector: 's2048',
        name: 's2048._domainkey.dkim.test',
        source: 'explicit',
        found: true,
        keyType: 'rsa',
        keyBits: 2048,
        testing: false,
        revoked: false,
        lookup: 'ok',
        cnames: [],
      }),
    ]);
    expect(r.selectors[0]!.record).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/=]+$/);
    expect(ids(r)).toEqual(['dkim.key.ok']);
    expect(r.steps[0]!.summary).toMatch(/^TXT s2048\._domainkey\.dkim\.test → /);
  });

  it.each([
    ['weak', 'dkim.key.rsa-insecure', 512],
    ['short', 'dkim.key.rsa-short', 1024],
    ['huge', 'dkim.key.rsa-large', 8192],
    ['pkcs1', 'dkim.key.rsa-pkcs1', 1024],
  ])('selector %s → %s (%i bits)', async (selector, id, bits) => {
    const r = await checkDkim('dkim.test', ctx, { selectors: [selector] });
    expect(ids(r)).toContain(id);
    expect(r.selectors[0]).toMatchObject({ found: true, keyType: 'rsa', keyBits: bits });
  });

  it.each([
    ['ed', 'dkim.ed25519-only'],
    ['edspki', 'dkim.key.ed25519-spki'],
    ['nok', 'dkim.key.type-mismatch'],
    ['testing', 'dkim.key.testing'],
    ['sha1', 'dkim.key.hash-restricted'],
    ['svc', 'dkim.key.service'],
    ['dup', 'dkim.record.duplicate-tag'],
    ['vlast', 'dkim.record.version'],
    ['v2', 'dkim.record.version'],
    ['nop', 'dkim.record.no-key'],
    ['garbage', 'dkim.key.invalid'],
    ['notb64', 'dkim.key.invalid'],
    ['unknownk', 'dkim.key.type-unknown'],
    ['extra', 'dkim.record.unknown-tag'],
    ['syntax', 'dkim.record.syntax'],
    ['spf', 'dkim.record.not-dkim'],
    ['nosuch', 'dkim.selector.missing'],
  ])('selector %s → %s', async (selector, id) => {
    expect(ids(await checkDkim('dkim.test', ctx, { selectors: [selector] }))).toContain(id);
  });

  // mailauth 4.13.3's getPublicKey accepts these keys (nok, svc) or calls a revoked key "missing" (old).
  it('follows RFC 6376 §3.6.1 where mailauth does not: k= defaults to rsa, s= must allow email, empty p= is revoked', async () => {
    const r = await checkDkim('dkim.test', ctx, { selectors: ['nok', 'svc', 'old', 'nop'] });
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => [f.selector, f.id])).toEqual([
      ['nok', 'dkim.key.type-mismatch'],
      ['svc', 'dkim.key.service'],
      ['old', 'dkim.key.revoked'],
      ['nop', 'dkim.record.no-key'],
    ]);
  });

  it('flags t=y and t=s, and a revoked key (empty p=)', async () => {
    const r = await checkDkim('dkim.test', ctx, { selectors: ['testing', 'old'] });
    expect(r.selectors.map((s) => [s.selector, s.testing, s.strict, s.revoked, s.keyType])).toEqual([
      ['testing', true, true, false, 'rsa'],
      ['old', false, false, true, null],
    ]);
    expect(r.findings.find((f) => f.id === 'dkim.key.revoked')).toMatchObject({ severity: 'warn', selector: 'old' });
  });

  it('keeps a non-DKIM TXT record visible but not found', async () => {
    const r = await checkDkim('dkim.test', ctx, { selectors: ['spf'] });
    expect(r.selectors[0]).toMatchObject({ found: false, record: 'v=spf1 -all' });
    expect(r.findings.find((f) => f.id === 'dkim.record.not-dkim')).toMatchObject({ severity: 'fail', span: [0, 11] });
  });

  it('follows CNAME delegations, also into another zone', async () => {
    const inZone = await checkDkim('dkim.test', ctx, { selectors: ['alias'] });
    expect(inZone.selectors[0]).toMatchObject({
      found: true,
      keyBits: 2048,
      cnames: ['alias._domainkey.dkim.test'],
      delegatedTo: 's2048._domainkey.dkim.test',
    });
    expect(ids(inZone)).toEqual(['dkim.key.ok', 'dkim.record.delegated']);
    const m365 = await checkDkim('m365.dkim.test', ctx, { selectors: ['selector1'] });
    expect(m365.selectors[0]).toMatchObject({
      found: true,
      keyType: 'rsa',
      delegatedTo: 'selector1-m365-dkim-test._domainkey.tenant.dkim-provider.test',
    });
  });

  it('reports two key records at one selector as a failure (RFC 6376 §3.6.2.2)', async () => {
    const r = await checkDkim('multi.dkim.test', ctx, { selectors: ['default'] });
    expect(ids(r)).toContain('dkim.record.multiple');
    expect(r.selectors[0]!.records).toHaveLength(2);
  });
});

describe('checkDkim without selectors: guessing', () => {
  it('probes the common list and reports which exist', async () => {
    const r = await checkDkim('dkim.test', ctx);
    expect(r.guessed).toBe(true);
    expect(r.selectors.length).toBeGreaterThan(30);
    expect(r.selectors.filter((s) => s.found).map((s) => s.selector)).toEqual(['s2048']);
    expect(r.selectors.every((s) => s.source === 'common')).toBe(true);
    expect(ids(r)).toEqual(['dkim.key.ok']);
  });

  it('warns (not fails) when no guessed selector exists, and _domainkey does not exist either', async () => {
    const r = await checkDkim('none.dkim.test', ctx);
    expect(ids(r)).toEqual(['dkim.none']);
    expect(r.findings[0]!.severity).toBe('warn');
    expect(r.domainkey).toBe('nxdomain');
    expect(r.findings[0]!.message).toMatch(
      /_domainkey\.none\.dkim\.test does not exist \(NXDOMAIN\), so no selector has a key/,
    );
    expect(r.steps.at(-1)!.summary).toMatch(/^TXT _domainkey\.none\.dkim\.test → NXDOMAIN/);
  });

  // Issue #16: "no DKIM" when keys exist under a selector nobody guessed.
  it('says keys exist under an unknown selector when _domainkey answers NOERROR (RFC 8020)', async () => {
    const r = await checkDkim('hidden.dkim.test', ctx);
    expect(r.selectors.every((s) => !s.found)).toBe(true);
    expect(r.domainkey).toBe('nodata');
    expect(r.findings).toEqual([expect.objectContaining({ id: 'dkim.selector.unknown', severity: 'info' })]);
    expect(r.findings[0]!.message).toMatch(/under a selector that was not guessed/);
    // A named selector finds it.
    const named = await checkDkim('hidden.dkim.test', ctx, { selectors: ['k7x2q'] });
    expect(ids(named)).toContain('dkim.key.ok');
  });

  it('does not take a wildcard TXT for keys, nor its answer at _domainkey for keys below it', async () => {
    const r = await checkDkim('wild.dkim.test', ctx);
    expect(r.selectors.every((s) => !s.found)).toBe(true);
    expect(ids(r)).toEqual(['dkim.none', 'dkim.selector.non-dkim']);
    expect(r.domainkey).toBeUndefined();
  });

  it('guesses Microsoft 365 selectors from MX/SPF, including selector1-<domain-with-dashes>', async () => {
    const r = await checkDkim('m365.dkim.test', ctx);
    expect(r.providers).toEqual([
      expect.objectContaining({ provider: 'Microsoft 365', evidence: 'MX m365-dkim-test.mail.protection.outlook.com' }),
    ]);
    const found = r.selectors.filter((s) => s.found);
    expect(found.map((s) => [s.selector, s.source, s.revoked])).toEqual([
      ['selector1', 'provider', false],
      ['selector2-m365-dkim-test', 'provider', true],
    ]);
    expect(ids(r)).toEqual(['dkim.key.ok', 'dkim.key.revoked', 'dkim.provider.detected', 'dkim.record.delegated']);
    expect(r.findings.find((f) => f.id === 'dkim.key.revoked')!.severity).toBe('info');
  });

  it('warns when every key is Ed25519 (RFC 8463 §6: sign with RSA too)', async () => {
    expect(ids(await checkDkim('edonly.dkim.test', ctx))).toEqual(['dkim.ed25519-only', 'dkim.key.ok']);
  });
});

describe('checkDkim: selectors from a message', () => {
  const message = (d: string, s: string) =>
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n d=${d}; s=${s};\r\n h=from:to; bh=abc=; b=def\r\n ghi=\r\nFrom: a@${d}\r\n\r\nbody\r\n`;

  it('takes the selector from DKIM-Signature and checks only it', async () => {
    const r = await checkDkim('dkim.test', ctx, { message: message('dkim.test', 's2048') });
    expect(r.guessed).toBe(false);
    expect(r.selectors.map((s) => [s.selector, s.source, s.found])).toEqual([['s2048', 'message', true]]);
    expect(r.messageSignatures).toEqual([{ domain: 'dkim.test', selector: 's2048', algorithm: 'rsa-sha256' }]);
  });

  it('fails when the message names a selector that has no key', async () => {
    const r = await checkDkim('dkim.test', ctx, { message: message('dkim.test', 'gone') });
    expect(r.findings.find((f) => f.id === 'dkim.selector.missing')!.message).toMatch(
      /message is signed with selector gone/,
    );
  });

  it('says when the message is signed by another domain, and falls back to guessing', async () => {
    const r = await checkDkim('dkim.test', ctx, { message: message('esp.example', 'x') });
    expect(r.guessed).toBe(true);
    expect(ids(r)).toContain('dkim.message.other-domain');
    expect(ids(await checkDkim('dkim.test', ctx, { message: 'From: a@b\r\n\r\nhi' }))).toContain(
      'dkim.message.unsigned',
    );
  });
});

describe('checkDkim --key: does the private key match the published one?', () => {
  it('matches after following a CNAME delegation', async () => {
    const r = await checkDkim('m365.dkim.test', ctx, { keyFile: KEYS_DIR + 'rsa-2048-rotated.pem' });
    expect(r.keyFile).toMatchObject({ type: 'rsa', bits: 2048, matches: ['selector1'] });
    expect(r.selectors.find((s) => s.selector === 'selector1')!.keyMatch).toBe(true);
    expect(ids(r)).toContain('dkim.key-file.match');
  });

  it('fails on a key that belongs to no published record', async () => {
    const r = await checkDkim('dkim.test', ctx, {
      selectors: ['s2048', 'ed'],
      keyFile: KEYS_DIR + 'rsa-2048-rotated.pem',
    });
    expect(r.selectors.map((s) => s.keyMatch)).toEqual([false, false]);
    expect(r.findings.find((f) => f.id === 'dkim.key-file.mismatch')).toMatchObject({ severity: 'fail' });
  });

  it('matches Ed25519 keys, in PEM or as a dkimpy base64 seed', async () => {
    const r = await checkDkim('dkim.test', ctx, { selectors: ['ed'], keyFile: KEYS_DIR + 'ed25519.pem' });
    expect(r.keyFile!.matches).toEqual(['ed']);
    const { readFileSync, writeFileSync, mkdtempSync } = await import('node:fs');
    const { createPrivateKey } = await import('node:crypto');
    const der = createPrivateKey(readFileSync(KEYS_DIR + 'ed25519.pem', 'utf8')).export({
      type: 'pkcs8',
      format: 'der',
    });
    const seed = `${mkdtempSync('/tmp/mc-dkim-')}/seed.key`;
    writeFileSync(seed, der.subarray(der.length - 32).toString('base64') + '\n');
    expect((await checkDkim('dkim.test', ctx, { selectors: ['ed'], keyFile: seed })).keyFile!.matches).toEqual(['ed']);
  });

  it('throws a UsageError for an unreadable or non-key file', async () => {
    await expect(checkDkim('dkim.test', ctx, { selectors: ['s2048'], keyFile: '/nonexistent.pem' })).rejects.toThrow(
      /cannot read key file.*no such file/,
    );
    await expect(
      checkDkim('dkim.test', ctx, { selectors: ['s2048'], keyFile: KEYS_DIR + 'generate.sh' }),
    ).rejects.toMatchObject({ name: 'UsageError' });
  });
});

describe('checkDkim: temporary failures are unknown, never "no key"', () => {
  const failing = (status: 'timeout' | 'servfail', match: RegExp): Resolver => ({
    lookup: (n, t, o) =>
      match.test(n) ? Promise.resolve({ status, server: '192.0.2.53:53' }) : resolver.lookup(n, t, o),
  });

  it('an explicit selector that times out is temporary', async () => {
    const r = await checkDkim('dkim.test', { resolver: failing('timeout', /^s2048\./) }, { selectors: ['s2048'] });
    expect(r.selectors[0]).toMatchObject({ found: false, lookup: 'timeout' });
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'dkim.lookup.temporary', temporary: true, selector: 's2048' }),
    ]);
  });

  it("does not probe 40 selectors through a resolver that failed the domain's own MX and TXT", async () => {
    const r = await checkDkim('none.dkim.test', { resolver: failing('timeout', /./) });
    expect(r.selectors).toEqual([]);
    expect(r.steps.map((s) => s.summary.split(' →')[0]).sort()).toEqual(['MX none.dkim.test', 'TXT none.dkim.test']);
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'dkim.lookup.temporary', severity: 'warn', temporary: true }),
    ]);
    expect(renderDkim(r, plainTheme)).toContain('? MX/TXT none.dkim.test failed → selectors not probed');
  });

  it('guessed selectors that SERVFAIL prevent the "no DKIM" verdict', async () => {
    const r = await checkDkim('none.dkim.test', { resolver: failing('servfail', /^(default|dkim)\._domainkey/) });
    expect(ids(r)).toEqual(['dkim.lookup.temporary']);
    expect(r.findings[0]).toMatchObject({
      temporary: true,
      message: expect.stringMatching(/^2 of \d+ selector lookups failed \(SERVFAIL\)/),
    });
  });
});
