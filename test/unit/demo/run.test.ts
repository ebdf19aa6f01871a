// The demo in-process, on loopback: both acts play out, every step as expected; an expectation that does not
// hold makes the step, the act and the result fail (exit 1), so the demo's exit code means something.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playAct, scripts } from '../../../src/demo/acts.js';
import { runDemo } from '../../../src/demo/run.js';
import { setStage, type Stage } from '../../../src/demo/stage.js';
import type { DemoResult, DemoStep } from '../../../src/demo/types.js';
import { exitCode } from '../../../src/cli/exit-code.js';
import { renderDemo } from '../../../src/report/text/demo.js';
import { plainTheme } from '../../../src/report/theme.js';
import { offlineResolver } from '../../../src/dns/layered.js';

const ctx = { resolver: offlineResolver(), timeoutMs: 5000, now: () => new Date(), onEvent: () => {} };

describe('runDemo', () => {
  let result: DemoResult;
  beforeAll(async () => {
    ({ result } = await runDemo(
      { domain: 'sandbox.test', selector: 'demo', dnsPort: 0, smtpPort: 0, keyType: 'ed25519', keep: false },
      ctx,
    ));
  }, 30_000);

  it('passes every step and exits 0', () => {
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(exitCode([result])).toBe(0);
    expect(result.findings.map((f) => f.id)).toEqual(['demo.ok']);
  });

  it('resolves the MX through the embedded DNS server, over the wire', () => {
    const dns = result.steps.filter((s) => s.act === 'legitimate' && s.actor === 'sender' && s.kind === 'dns');
    expect(dns[0]!.summary).toBe('MX sandbox.test → 10 mx.sandbox.test');
    expect(dns[0]!.detail).toMatchObject({ server: `127.0.0.1:${result.dns.port}` });
    expect(dns.map((s) => s.summary)).toContain('A mx.sandbox.test → 127.0.0.1');
  });

  it('delivers the genuine message over STARTTLS and it passes SPF, DKIM and DMARC', () => {
    const [legit] = result.acts;
    expect(legit).toMatchObject({
      name: 'legitimate',
      spf: 'pass',
      dkim: ['pass'],
      dmarc: { result: 'pass', policy: 'reject', disposition: 'none' },
      ok: true,
    });
    const kinds = result.steps.filter((s) => s.act === 'legitimate').map((s) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(['dkim', 'dns', 'tcp', 'tls', 'smtp', 'spf', 'dmarc', 'store']));
    const smtp = result.steps.find((s) => s.act === 'legitimate' && s.kind === 'smtp')!;
    const lines = (smtp.detail as { transcript: { dir: string; line: string }[] }).transcript.map((l) => l.line);
    expect(lines).toContain('STARTTLS');
    expect(lines.some((l) => /^250 OK: queued as/.test(l))).toBe(true);
    // The receiver asked the sandbox DNS for the key and the policy itself.
    const asked = result.steps
      .filter((s) => s.act === 'legitimate' && s.actor === 'receiver' && s.kind === 'dns')
      .map((s) => s.summary);
    expect(asked.some((s) => s.startsWith('TXT demo._domainkey.sandbox.test → "v=DKIM1; k=ed25519;'))).toBe(true);
    expect(asked.some((s) => s.startsWith('TXT _dmarc.sandbox.test → "v=DMARC1; p=reject;'))).toBe(true);
    expect(legit!.authenticationResults).toMatch(/dmarc=pass/);
  });

  it('catches the forgery: SPF fail from 127.0.0.2, DKIM fail (body hash), DMARC fail with p=reject', () => {
    const forged = result.acts[1]!;
    expect(forged).toMatchObject({
      name: 'forged',
      clientAddress: '127.0.0.2',
      spf: 'fail',
      dkim: ['fail'],
      dmarc: { result: 'fail', policy: 'reject', disposition: 'reject' },
      ok: true,
    });
    const dkim = result.steps.find((s) => s.act === 'forged' && s.actor === 'receiver' && s.kind === 'dkim')!;
    expect(dkim).toMatchObject({ expected: 'fail', actual: 'fail', ok: true });
    expect(dkim.why).toMatch(/body hash/);
  });

  it('renders at 80 columns without wrapping badly, every verdict readable without colour', () => {
    const text = renderDemo(result, plainTheme);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).toMatch(/✓ SPF pass · DKIM pass · DMARC pass/);
    expect(text).toMatch(/✓ SPF fail · DKIM fail · DMARC fail → p=reject: caught/);
    expect(text).toMatch(/Every step behaved as expected/);
  });
});

describe('an expectation that does not hold', () => {
  let stage: Stage;
  const steps: DemoStep[] = [];
  beforeAll(async () => {
    stage = await setStage(
      {
        domain: 'sandbox.test',
        selector: 'demo',
        dnsPort: 0,
        smtpPort: 0,
        keyType: 'ed25519',
        timeoutMs: 5000,
        now: ctx.now,
        onEvent: () => {},
      },
      steps,
    );
  }, 30_000);
  afterAll(() => stage.close());

  it('fails the step and the act, with expected and actual', async () => {
    const forged = scripts(stage)[1]!;
    // Pretend the demo expected the forgery to pass DMARC: the real verdict (fail) must then count as a failure.
    const { act, steps: played } = await playAct(
      stage,
      { ...forged, expect: { ...forged.expect, dmarc: 'pass' } },
      { ...ctx, resolver: stage.resolver() },
    );
    const dmarc = played.find((s) => s.kind === 'dmarc')!;
    expect(dmarc).toMatchObject({ ok: false, expected: 'pass', actual: 'fail' });
    expect(act.ok).toBe(false);
    const text = renderDemo(
      {
        kind: 'demo',
        ok: false,
        domain: 'sandbox.test',
        dns: { host: '127.0.0.1', port: 1 },
        smtp: { host: '127.0.0.1', port: 2, tls: 'starttls' },
        maildir: '/x/inbox',
        kept: false,
        zoneFiles: [],
        keyFile: '/x/k.pem',
        selector: 'demo',
        acts: [act],
        steps: [...steps, ...played],
        findings: [
          {
            id: 'demo.forged.dmarc',
            severity: 'fail',
            message: 'The forged message: DMARC fail (expected pass, got fail)',
          },
        ],
        ms: 10,
      },
      plainTheme,
    );
    expect(text).toMatch(/expected pass, got fail/);
    expect(text).toMatch(/✗ Some steps did not behave as expected/);
  }, 30_000);
});

describe('without a second loopback address (macOS, BSD)', () => {
  it('the forger uses a look-alike envelope domain: SPF passes for it, DMARC still fails (not aligned)', async () => {
    const { result } = await runDemo(
      {
        domain: 'sandbox.test',
        selector: 'demo',
        dnsPort: 0,
        smtpPort: 0,
        keyType: 'ed25519',
        keep: false,
        forger: null,
      },
      ctx,
    );
    const forged = result.acts[1]!;
    expect(forged).toMatchObject({
      clientAddress: '127.0.0.1',
      mailFrom: 'mallory@sandbox-secure.test',
      spf: 'pass',
      dkim: ['fail'],
      dmarc: { result: 'fail', policy: 'reject' },
      ok: true,
    });
    expect(result.ok).toBe(true);
    expect(result.zoneFiles.some((f) => f.endsWith('sandbox-secure.test.zone'))).toBe(true);
  }, 30_000);
});
