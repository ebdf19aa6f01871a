// The CI gate's policy file: validation (every typo is an exit-2 error naming the key) and evaluation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDmarc } from '../../../src/auth/dmarc/check.js';
import { UsageError } from '../../../src/core/errors.js';
import { checkPosture } from '../../../src/posture/check.js';
import { isIgnored, loadPolicy, parsePolicy } from '../../../src/posture/policy.js';
import { allQualifier, policyFindings } from '../../../src/posture/policy-eval.js';
import type { PostureChecks } from '../../../src/posture/types.js';
import { fixtureResolver } from '../../helpers/zones.js';
import { postureFixture, type PostureFixture } from './fixture.js';

const FIXTURES = new URL('../../../fixtures/policy/', import.meta.url).pathname;

describe('policy validation', () => {
  it('reads the fixture gate', async () => {
    const p = await loadPolicy(`${FIXTURES}mailcheck.yml`);
    expect(p).toMatchObject({
      mx: { required: true, minHosts: 2 },
      spf: { maxLookups: 8, all: ['-all', '~all'] },
      dkim: { selectors: ['s1'], minBits: 2048 },
      dmarc: { policy: { atLeast: 'reject' }, rua: true },
      mtaSts: { mode: { atLeast: 'enforce' } },
      tlsRpt: { required: true },
    });
  });

  it.each([
    [
      { dmarc: { polcy: 'reject' } },
      /unknown key 'dmarc\.polcy' — did you mean 'policy'\? \(known under dmarc: required, policy/,
    ],
    [{ dmark: { policy: 'reject' } }, /unknown key 'dmark' — did you mean 'dmarc'\?/],
    [{ dmarc: { policy: 'rejekt' } }, /dmarc\.policy must be one of none, quarantine, reject/],
    [{ dmarc: { policy: ['reject', 'nope'] } }, /dmarc\.policy must be one of/],
    [{ spf: { maxLookups: 11 } }, /spf\.maxLookups must be a whole number from 0 to 10 \(got 11\)/],
    [{ spf: { maxLookups: '8' } }, /spf\.maxLookups must be a whole number/],
    [{ spf: { all: '-al' } }, /spf\.all: "-al" is not an all qualifier/],
    [{ dkim: { selectors: ['ok', 'bad selector'] } }, /"bad selector" is not a selector name/],
    [{ dmarc: { rua: 'yes' } }, /dmarc\.rua must be required or optional/],
    [{ mx: true }, /mx must be a mapping/],
    [{ strict: 'yes' }, /strict must be true or false/],
    [{ ignore: ['not an id'] }, /ignore must list finding ids/],
    [['a list'], /top level must be a mapping/],
  ])('rejects %j', (doc, message) => {
    expect(() => parsePolicy(doc, 'p.yml')).toThrow(UsageError);
    expect(() => parsePolicy(doc, 'p.yml')).toThrow(message);
  });

  it.each([
    ['typo.yml', /policy .*typo\.yml: unknown key 'dmarc\.polcy'/],
    ['bad-value.yml', /dmarc\.policy must be one of/],
    ['not-yaml.yml', /not-yaml\.yml:\d+:\d+: not valid YAML/],
    ['missing.yml', /cannot read policy file .*missing\.yml': no such file/],
  ])('%s is a usage error with one clear line', async (file, message) => {
    const e = await loadPolicy(`${FIXTURES}${file}`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message).not.toContain('\n');
  });

  it('accepts an empty file and "optional" values', () => {
    expect(parsePolicy(null, 'p')).toEqual({ source: 'p' });
    expect(parsePolicy({ dmarc: { rua: 'optional', policy: ['quarantine', 'reject'] } }, 'p').dmarc).toEqual({
      rua: false,
      policy: { oneOf: ['quarantine', 'reject'] },
    });
  });

  it('matches ignore patterns by id or prefix', () => {
    expect(isIgnored('dkim.none', ['dkim.*'])).toBe(true);
    expect(isIgnored('dkimx.none', ['dkim.*'])).toBe(false);
    expect(isIgnored('mx.redundancy.single', ['mx.redundancy.single'])).toBe(true);
  });
});

let fx: PostureFixture;
beforeAll(async () => {
  fx = await postureFixture();
});
afterAll(() => fx?.close());
const opts = () => ({ ca: [fx.ca.caPem], mtaStsPort: fx.https.port, allowPrivate: true });

describe('policy evaluation', () => {
  it('a domain that meets every requirement gets ok findings, one per requirement', async () => {
    const policy = await loadPolicy(`${FIXTURES}mailcheck.yml`);
    const r = await checkPosture('posture.test', fx.ctx(), { ...opts(), selectors: ['s1'], policy });
    const own = r.findings.filter((f) => f.id.startsWith('policy.'));
    expect(own.map((f) => [f.id, f.severity])).toEqual([
      ['policy.mx.required', 'ok'],
      ['policy.mx.min-hosts', 'ok'],
      ['policy.spf.required', 'ok'],
      ['policy.spf.max-lookups', 'ok'],
      ['policy.spf.all', 'ok'],
      ['policy.dkim.selector', 'ok'],
      ['policy.dkim.min-bits', 'ok'],
      ['policy.dmarc.policy', 'ok'],
      ['policy.dmarc.rua', 'ok'],
      ['policy.mta-sts.mode', 'ok'],
      ['policy.tls-rpt.required', 'ok'],
    ]);
    expect(r.ok).toBe(true);
  });

  it('unmet requirements become fail findings on their check', async () => {
    const policy = await loadPolicy(`${FIXTURES}mailcheck.yml`);
    const r = await checkPosture('weak.posture.test', fx.ctx(), { ...opts(), selectors: ['s1'], policy });
    const failed = r.findings.filter((f) => f.id.startsWith('policy.') && f.severity === 'fail');
    expect(failed.map((f) => `${f.check}:${f.id}`)).toEqual([
      'mx:policy.mx.min-hosts',
      'dkim:policy.dkim.selector',
      'dmarc:policy.dmarc.policy',
      'dmarc:policy.dmarc.rua',
      'mtaSts:policy.mta-sts.mode',
      'tlsRpt:policy.tls-rpt.required',
    ]);
    expect(failed.find((f) => f.id === 'policy.dmarc.policy')!.message).toBe(
      'Fails the policy (' + policy.source + '): the DMARC policy must be reject; it is p=none.',
    );
  });

  it('leaves a requirement unjudged when its check had no verdict', async () => {
    const r = await checkPosture(
      'posture.test',
      fx.ctx({
        lookup: (n, t, o) =>
          n.startsWith('_dmarc.') ? Promise.resolve({ status: 'timeout', server: 'x' }) : fx.resolver.lookup(n, t, o),
      }),
      {
        ...opts(),
        policy: parsePolicy({ dmarc: { policy: 'reject' } }, 'p'),
      },
    );
    expect(r.findings.filter((f) => f.id.startsWith('policy.'))).toEqual([]);
    expect(r.summary.find((s) => s.check === 'dmarc')!.verdict).toBe('unknown');
  });

  it('strict and ignore from the file', async () => {
    const policy = await loadPolicy(`${FIXTURES}strict.yml`);
    const r = await checkPosture('posture.test', fx.ctx(), { ...opts(), selectors: ['s1'], policy });
    const reserved = r.findings.filter((f) => f.id === 'mx.address.reserved-range');
    expect(reserved.every((f) => f.severity === 'info')).toBe(true);
    // dnssec.signed cannot hold for an unsigned zone file: the gate fails.
    expect(r.findings.find((f) => f.id === 'policy.dnssec.signed')).toMatchObject({ severity: 'fail' });
    expect(r.ok).toBe(false);
    const ignored = parsePolicy({ ignore: ['dkim.*', 'dane.*'], strict: true }, 'p');
    const weak = await checkPosture('weak.posture.test', fx.ctx(), { ...opts(), selectors: ['s1'], policy: ignored });
    expect(weak.findings.find((f) => f.id === 'dkim.selector.missing')).toMatchObject({
      severity: 'info',
      message: expect.stringMatching(/^\(ignored by policy\)/),
    });
  });

  it('an SMTP requirement without --smtp says it was not checked', async () => {
    const r = await checkPosture('posture.test', fx.ctx(), {
      ...opts(),
      policy: parsePolicy({ smtp: { starttls: 'required' } }, 'p'),
    });
    expect(r.findings.find((f) => f.id === 'policy.smtp.not-probed')).toMatchObject({ severity: 'warn' });
  });
});

describe('allQualifier', () => {
  const tree = (terms: object[]) =>
    ({ domain: 'x', record: '', status: 'ok', errors: [], terms, lookups: 0, voidLookups: 0 }) as never;
  it('reads the all of the record, or of its redirect target (RFC 7208 §6.1)', () => {
    expect(allQualifier(tree([{ kind: 'mechanism', name: 'all', qualifier: '~' }]))).toBe('~all');
    expect(allQualifier(tree([{ kind: 'mechanism', name: 'all', qualifier: '+' }]))).toBe('+all');
    expect(
      allQualifier(
        tree([
          { kind: 'modifier', name: 'redirect', child: tree([{ kind: 'mechanism', name: 'all', qualifier: '-' }]) },
        ]),
      ),
    ).toBe('-all');
    expect(allQualifier(tree([{ kind: 'mechanism', name: 'ip4' }]))).toBeNull();
  });
});

describe('the DMARC gate judges what receivers apply (RFC 9989)', () => {
  const resolver = fixtureResolver(['dmarcbis.test.zone']);
  const gate = (domain: string, policy: Record<string, unknown>) =>
    checkDmarc(domain, { resolver }).then((dmarc) =>
      policyFindings(parsePolicy({ dmarc: policy }, 'p'), { dmarc } as PostureChecks).map((f) => [
        f.id,
        f.severity,
        f.message.replace('Fails the policy (p): ', '').replace('Meets the policy (p): ', ''),
      ]),
    );

  it('a record receivers ignore (p=bogus, rua=bogus) is no record, and rua=bogus no report address', async () => {
    expect(await gate('badp.dmarcbis.test', { required: true, rua: 'required' })).toEqual([
      [
        'policy.dmarc.required',
        'fail',
        'a DMARC record is required; receivers ignore the one at _dmarc.badp.dmarcbis.test (an invalid p=, sp= or np= and no valid rua=).',
      ],
      ['policy.dmarc.rua', 'fail', 'aggregate reports (rua=) are required; none of bogus is a valid URI.'],
    ]);
    // A valid rua= beside an invalid p=: receivers act as if p=none (§4.10.1), so the record counts.
    expect(await gate('badp-rua.dmarcbis.test', { required: true, rua: 'required' })).toEqual([
      ['policy.dmarc.required', 'ok', 'a DMARC record is required; one is published.'],
      ['policy.dmarc.rua', 'ok', 'aggregate reports (rua=) are required; they go to mailto:agg@dmarcbis.test.'],
    ]);
  });

  it('t=y: receivers apply the policy one level weaker, so p=reject in test mode is not "reject"', async () => {
    expect(await gate('testing.dmarcbis.test', { policy: 'reject' })).toEqual([
      [
        'policy.dmarc.policy',
        'fail',
        'the DMARC policy must be reject; it is p=reject with t=y, so receivers apply quarantine.',
      ],
    ]);
    expect(await gate('testing.dmarcbis.test', { policy: 'quarantine' })).toEqual([
      [
        'policy.dmarc.policy',
        'ok',
        'the DMARC policy must be quarantine or stronger; it is p=reject with t=y, so receivers apply quarantine.',
      ],
    ]);
  });
});
