// Whole-message verdicts on the signed fixtures (signed by python3-dkim and mailauth when they were made),
// against the fixture zones; and how a verdict maps to findings and so to the exit code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import { formatAuthenticationResults } from '../../../src/verify/auth-results.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { fixtureResolver } from '../../helpers/zones.js';

const resolver = fixtureResolver(['mail.test.zone', 'mailer.test.zone']);
const ctx = { resolver, now: () => new Date() };
const eml = (name: string) => readFileSync(new URL(`../../../fixtures/eml/${name}`, import.meta.url));
const verdict = (name: string, o: { ip?: string; helo?: string; sender?: string } = {}) =>
  verifyMessage(eml(name), { authservId: 'mx.test', ...o }, ctx);

describe('verifyMessage on the fixtures', () => {
  it('rsa-sha256 by python3-dkim: DKIM pass, aligned, DMARC pass → exit 0', async () => {
    const v = await verdict('signed-rsa.eml');
    expect(v).toMatchObject({
      from: 'alice@mail.test',
      spf: null,
      dmarc: { result: 'pass', policy: 'reject', aligned: { dkim: true, spf: false } },
      arc: { result: 'none' },
    });
    expect(v.dkim).toMatchObject([
      {
        result: 'pass',
        domain: 'mail.test',
        selector: 'rsa2048',
        algorithm: 'rsa-sha256',
        aligned: true,
        keyBits: 2048,
      },
    ]);
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(0);
  });

  it('ed25519-sha256 by mailauth with simple/simple: pass → exit 0', async () => {
    const v = await verdict('signed-ed25519.eml');
    expect(v.dkim[0]).toMatchObject({ result: 'pass', algorithm: 'ed25519-sha256', canonicalization: 'simple/simple' });
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(0);
  });

  it('tampered body: DKIM fail, DMARC fail (p=reject) → exit 1', async () => {
    const v = await verdict('tampered.eml');
    expect(v.dkim[0]).toMatchObject({ result: 'fail', reason: 'body hash did not verify' });
    expect(v.dmarc).toMatchObject({ result: 'fail', disposition: 'reject' });
    expect(v.findings.find((f) => f.severity === 'fail')!.id).toBe('verify.dmarc.fail');
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(1);
  });

  it('the same tampered message passes DMARC through SPF when the client IP is allowed (RFC 7489 §4.2)', async () => {
    const v = await verdict('tampered.eml', { ip: '127.0.0.1', sender: 'alice@mail.test' });
    expect(v.spf).toMatchObject({ result: 'pass', domain: 'mail.test', identity: 'mailfrom' });
    expect(v.dmarc).toMatchObject({ result: 'pass', aligned: { spf: true, dkim: false } });
    expect(v.findings.map((f) => [f.id, f.severity])).toContainEqual(['verify.dkim.fail', 'warn']);
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(0);
  });

  it('SPF fail for a client the domain does not list (RFC 7208 §2.6.4)', async () => {
    const v = await verdict('unsigned.eml', { ip: '192.0.2.99', sender: 'news@mailer.test' });
    expect(v.spf).toMatchObject({ result: 'fail', domain: 'mailer.test' });
  });

  it('signed by a third party: DKIM pass but not aligned → DMARC fail → exit 1', async () => {
    const v = await verdict('third-party.eml');
    expect(v.dkim[0]).toMatchObject({ result: 'pass', domain: 'mailer.test', aligned: false });
    expect(v.dmarc.result).toBe('fail');
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(1);
  });

  it("no DMARC record but a passing DKIM signature → exit 0 (the contract's rule)", async () => {
    const v = await verdict('no-dmarc.eml');
    expect(v.dmarc).toMatchObject({ result: 'none', policy: null });
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(0);
  });

  it('no DMARC record and nothing signed → unauthenticated → exit 1', async () => {
    const v = await verdict('unsigned.eml');
    expect(v.dkim).toEqual([
      { result: 'none', domain: null, selector: null, algorithm: null, reason: 'message not signed', aligned: false },
    ]);
    expect(v.findings.find((f) => f.severity === 'fail')!.id).toBe('verify.unauthenticated');
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(1);
  });

  it('a DNS timeout that could change the outcome is a temporary failure → exit 3, never "no key"', async () => {
    const dead = { lookup: async () => ({ status: 'timeout' as const, server: '192.0.2.53:53' }) };
    const v = await verifyMessage(
      eml('signed-rsa.eml'),
      { authservId: 'mx.test' },
      { resolver: dead, now: () => new Date() },
    );
    expect(v.dkim[0]!.result).toBe('temperror');
    expect(v.dmarc.result).toBe('temperror');
    expect(exitCode([{ kind: 'verify', ...v }])).toBe(3);
  });

  it('takes the MAIL FROM from Return-Path: when only --ip is given', async () => {
    const withRp = Buffer.concat([Buffer.from('Return-Path: <news@mailer.test>\r\n'), eml('unsigned.eml')]);
    const v = await verifyMessage(withRp, { authservId: 'mx.test', ip: '127.0.0.1' }, ctx);
    expect(v.spf).toMatchObject({ result: 'pass', sender: 'news@mailer.test', identity: 'mailfrom' });
  });

  it('writes the Authentication-Results header a receiver would add (RFC 8601)', async () => {
    const v = await verdict('signed-rsa.eml', { ip: '127.0.0.1', helo: 'mx.mail.test', sender: 'alice@mail.test' });
    expect(v.authenticationResults).toBe(
      [
        'Authentication-Results: mx.test;',
        '\tdkim=pass header.d=mail.test header.i=@mail.test header.s=rsa2048 header.a=rsa-sha256 header.b=' +
          v.dkim[0]!.b +
          ';',
        '\tspf=pass (domain of alice@mail.test designates 127.0.0.1 as permitted sender) smtp.mailfrom=alice@mail.test;',
        '\tdmarc=pass (p=REJECT dis=NONE) header.from=mail.test;',
        '\tarc=none',
      ].join('\r\n'),
    );
  });
});

describe('formatAuthenticationResults', () => {
  it('escapes comments and quotes values that are not tokens, so message text cannot break the field', () => {
    const h = formatAuthenticationResults({
      authservId: 'mx.test',
      dkim: [
        {
          result: 'fail',
          domain: 'x.test',
          selector: 's',
          algorithm: 'rsa-sha256',
          reason: 'bad (really)\r\nX-Evil: 1',
          identity: '"a b"@x.test',
        },
      ],
      spf: null,
      dmarc: {
        result: 'none',
        policy: null,
        aligned: { spf: false, dkim: false },
        domain: 'x.test',
        recordDomain: null,
        record: null,
        adkim: 'r',
        aspf: 'r',
        pct: 100,
        disposition: 'none',
      },
      arc: { result: 'none' },
    });
    expect(h).toContain('dkim=fail (bad \\(really\\) X-Evil: 1) header.d=x.test header.i="\\"a b\\"@x.test"');
    expect(h.split('\r\n').every((l, i) => i === 0 || l.startsWith('\t'))).toBe(true);
  });
});
