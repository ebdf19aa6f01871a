// probe --relay-test against `mailcheck receive` (issue #13 item 7): an accept-all sink that says what it is is
// reported as one, not as an open relay; a server that accepts without saying so is still an open relay.
import { afterEach, describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Context } from '../../../src/core/context.js';
import { offlineResolver } from '../../../src/dns/layered.js';
import { probeHost } from '../../../src/probe/check.js';
import { renderProbe } from '../../../src/report/text/probe.js';
import { plainTheme } from '../../../src/report/theme.js';
import { startTestReceiver, type TestReceiver } from '../../helpers/receiver.js';
import { startSmtpPeer, type SmtpPeer } from '../../helpers/smtp-peer.js';

const ctx: Context = { resolver: offlineResolver(), timeoutMs: 2000, now: () => new Date(), onEvent: () => {} };
const running: (TestReceiver | SmtpPeer)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => ('stop' in r ? r.stop() : r.close())));
});

const probe = (port: number) =>
  probeHost({ exchange: '127.0.0.1', address: '127.0.0.1', port }, ctx, { relayTest: true, tls: 'none' });

describe('probe --relay-test', () => {
  it('mailcheck receive: accepted, but an accept-all sink by its own greeting — not an open relay (exit 0)', async () => {
    const rx = await startTestReceiver();
    running.push(rx);
    const h = await probe(rx.port);
    expect(h.relay).toMatchObject({
      accepted: true,
      sink: { declaredBy: 'greeting', text: expect.stringMatching(/mailcheck receive .*never relays/) },
    });
    const ids = h.findings.map((f) => f.id);
    expect(ids).toContain('probe.relay.sink');
    expect(ids).not.toContain('probe.relay.open');
    expect(h.findings.find((f) => f.id === 'probe.relay.sink')).toMatchObject({
      severity: 'info',
      message: expect.stringMatching(/accept-all sink .* never relays/),
    });
    expect(exitCode([{ kind: 'probe', findings: h.findings }])).toBe(0);
    // Nothing was stored: MAIL, RCPT, then RSET, never DATA.
    expect(rx.messages).toHaveLength(0);
    const text = renderProbe(
      {
        kind: 'probe',
        target: '127.0.0.1',
        port: rx.port,
        tls: 'none',
        all: false,
        hosts: [h],
        findings: h.findings,
        steps: [],
      },
      plainTheme,
    );
    expect(text).toMatch(/relay test .*accept-all sink by its greeting/);
    expect(text).not.toMatch(/OPEN RELAY/);
  });

  it('a server that accepts without saying it is a sink is an open relay (exit 1)', async () => {
    const p = await startSmtpPeer({ hostname: 'mx.relay.test' });
    running.push(p);
    const h = await probe(p.port);
    expect(h.relay?.sink).toBeUndefined();
    expect(h.findings.map((f) => f.id)).toContain('probe.relay.open');
    expect(exitCode([{ kind: 'probe', findings: h.findings }])).toBe(1);
  });

  it('the sink verdict needs both: the greeting that says so, and the acceptance', async () => {
    const p = await startSmtpPeer({
      hostname: 'mx.relay.test',
      greeting: 'mx.relay.test ESMTP mailcheck receive (a test receiver: stores, never relays)',
      localDomains: ['relay.test'],
    });
    running.push(p);
    const h = await probe(p.port);
    expect(h.relay).toMatchObject({ accepted: false });
    expect(h.relay?.sink).toBeUndefined();
    expect(h.findings.map((f) => f.id)).toContain('probe.relay.closed');
  });
});
