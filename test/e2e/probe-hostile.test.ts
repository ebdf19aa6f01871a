// Hostile SMTP servers against `probe` and `send` (issue #8): silence, an endless line, a gigabyte, an endless
// multi-line reply, a close mid-reply, replies out of order, a stalled TLS handshake. Each ends in a finding and
// the contract's exit code within the timeouts, with the client's memory bounded (max RSS read from the child).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliPeakRss } from '../helpers/cli.js';
import {
  generateCertificate,
  startSmtpPeer,
  type GeneratedCert,
  type Misbehaviour,
  type SmtpPeer,
} from '../helpers/smtp-peer.js';

const T = 500;
/** Runs the CLI and also returns how long it took and its peak RSS in MiB. */
async function measured(args: string[], label: string) {
  const started = performance.now();
  const r = await runCliPeakRss(args, { timeoutMs: 30_000 });
  const out = { ...r, ms: performance.now() - started };
  // MC_FIGURES=1: print the figures docs/robustness.md quotes.
  if (process.env.MC_FIGURES)
    process.stderr.write(
      `figure: ${args[0]} ${label}: exit ${r.code} ${Math.round(out.ms)} ms, peak RSS ${Math.round(out.rssMiB)} MiB\n`,
    );
  return out;
}

let cert: GeneratedCert;
const peers: SmtpPeer[] = [];
async function peer(mode: Misbehaviour): Promise<SmtpPeer> {
  const p = await startSmtpPeer({ mode, hostname: 'mx1.smtp.test', tls: cert });
  peers.push(p);
  return p;
}
beforeAll(() => {
  cert = generateCertificate({ cn: 'mx1.smtp.test' });
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  cert.cleanup();
});

const probe = (p: SmtpPeer, label: string) =>
  measured(['probe', '127.0.0.1', '--offline', '--port', String(p.port), '--timeout', String(T), '--json'], label);
const send = (p: SmtpPeer, label: string, extra: string[] = []) =>
  measured(
    [
      'send',
      '--offline',
      '--from',
      'a@example.test',
      '--to',
      'b@smtp.test',
      '--body',
      'hi',
      '--server',
      `127.0.0.1:${p.port}`,
      '--timeout',
      String(T),
      '--json',
      ...extra,
    ],
    label,
  );
const findingIds = (stdout: string) => (JSON.parse(stdout) as { findings: { id: string }[] }).findings.map((f) => f.id);

// mode → the probe finding, probe's exit code, send's exit code. send: a server that never greeted was not
// reached (3); one that greeted and then failed is an undelivered message (1). stall-tls with --tls require.
const cases: [Misbehaviour, string, number, number][] = [
  ['silent', 'probe.banner.timeout', 3, 3],
  ['endless-line', 'probe.protocol.too-long', 1, 1],
  ['gigabyte', 'probe.protocol.too-long', 1, 1],
  ['flood', 'probe.protocol.too-long', 1, 1],
  ['close-mid-reply', 'probe.protocol.closed', 3, 1],
  ['wrong-order', 'probe.protocol.malformed', 1, 1],
  ['stall-tls', 'probe.tls.timeout', 3, 1],
];

describe.each(cases)('a server in mode %s', (mode, finding, probeExit, sendExit) => {
  it(`probe: ${finding}, exit ${probeExit}, within the timeouts, bounded memory`, async () => {
    const p = await peer(mode);
    const r = await probe(p, mode);
    if (process.env.MC_FIGURES) process.stderr.write(`figure: probe ${mode}: streamed ${p.streamed} bytes\n`);
    expect(findingIds(r.stdout)).toContain(finding);
    expect(r.code).toBe(probeExit);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    // The greeting waits up to 6 × --timeout (RFC 5321 §4.5.3.2.1 allows minutes), other steps 1 ×.
    expect(r.ms).toBeLessThan((mode === 'silent' ? 6 : 3) * T + 4000);
    expect(r.rssMiB).toBeLessThan(200);
    // The client hung up long before the server ran out of bytes to send.
    if (mode === 'gigabyte' || mode === 'flood') expect(p.streamed).toBeLessThan(64 * 1024 ** 2);
  });

  it(`send: not delivered, exit ${sendExit}, within the timeouts, bounded memory`, async () => {
    const p = await peer(mode);
    // stall-tls: without --tls require, opportunistic TLS falls back to plaintext (RFC 7435) and delivers.
    const r = await send(p, mode, mode === 'stall-tls' ? ['--tls', 'require'] : []);
    const j = JSON.parse(r.stdout);
    expect(j.delivered).toEqual([]);
    expect(j.rejected.map((x: { recipient: string }) => x.recipient)).toEqual(['b@smtp.test']);
    expect(p.messages).toHaveLength(0);
    expect(r.code).toBe(sendExit);
    expect(r.ms).toBeLessThan((mode === 'silent' ? 6 : 3) * T + 4000);
    expect(r.rssMiB).toBeLessThan(200);
    if (mode === 'gigabyte' || mode === 'flood') expect(p.streamed).toBeLessThan(64 * 1024 ** 2);
  });
});

describe('terminal safety: the SMTP banner', () => {
  it('ESC, CSI, OSC, BEL and C1 bytes in the greeting are escaped in probe text output', async () => {
    const p = await startSmtpPeer({ greeting: 'mx.test \x1b[2J\x1b]0;pwned\x07 \x9b31m \u009d evil' });
    peers.push(p);
    for (const extra of [[], ['-v']]) {
      const r = await runCli(['probe', '127.0.0.1', '--offline', '--port', String(p.port), ...extra]);
      expect(r.stdout).toContain('mx.test');
      for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
  });
});
