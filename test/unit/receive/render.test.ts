import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  renderListening,
  renderReceived,
  renderReceiveSummary,
  renderRejected,
} from '../../../src/report/text/receive.js';
import type { ReceivedMessage } from '../../../src/receive/server.js';
import { createTheme, plainTheme } from '../../../src/report/theme.js';

// Whole-line assertions render wide; the 80-column test below checks the wrapping.
const wide = createTheme(false, 200);

const message: ReceivedMessage = {
  event: 'message',
  id: 'ABC000001',
  file: '/tmp/inbox/new/1764410400.M1P2Q3.host,S=2100',
  remoteAddress: '127.0.0.1',
  helo: 'client.test',
  mailFrom: 'alice@mail.test',
  rcptTo: ['bob@example.net'],
  size: 2048,
  tls: true,
  tlsProtocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  auth: {
    spf: { result: 'pass', domain: 'mail.test' },
    dkim: [{ result: 'pass', domain: 'mail.test', selector: 's1', algorithm: 'ed25519-sha256', aligned: true }],
    dmarc: { result: 'pass', policy: 'reject', aligned: { spf: true, dkim: true } },
    arc: { result: 'none' },
  },
  receivedAt: '2025-11-29T10:00:01.000Z',
  clientName: null,
  from: 'Alice <alice@mail.test>',
  authenticationResults: '',
  findings: [],
  requirements: [],
  requirementsVerdict: { profile: 'all', result: 'pass', failed: [], advice: [] },
};

describe('receive text report', () => {
  it('says where it listens, how it stores, its limits and how it stops', () => {
    const text = renderListening(
      {
        host: '127.0.0.1',
        port: 2525,
        maildir: '/tmp/inbox',
        hostname: 'mx.test',
        tls: 'starttls',
        certificate: 'self-signed',
        maxSize: 25 * 1024 * 1024,
        maxRecipients: 100,
        maxConnections: 50,
        maxConnectionsPerClient: 20,
        commandTimeoutMs: 60000,
        dataTimeoutMs: 600000,
        count: 3,
      },
      wide,
    );
    expect(text).toBe(
      [
        'mailcheck receive listening on smtp://127.0.0.1:2525 as mx.test (STARTTLS offered, self-signed certificate)',
        '  storing in /tmp/inbox/new (Maildir: fsynced before each 250)',
        '  limits: 25 MB per message, 100 recipients, 50 connections (20 per client); 60 s per command, 600 s for DATA',
        '  stops after 3 messages (or Ctrl-C)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('one live line per message with its results', () => {
    expect(renderReceived(message, wide, 7)).toBe(
      '✓ 10:00:01 #7 alice@mail.test (From: Alice <alice@mail.test>) → bob@example.net  2.0 KB TLSv1.3  spf=pass dkim=pass(mail.test) dmarc=pass req=pass  new/1764410400.M1P2Q3.host,S=2100\n',
    );
    const failed = {
      ...message,
      tls: false,
      rcptTo: ['a@x.test', 'b@x.test', 'c@x.test'],
      from: 'alice@mail.test',
      findings: [{ id: 'verify.dmarc.fail', severity: 'fail' as const, message: 'x' }],
      auth: { ...message.auth, dmarc: { ...message.auth.dmarc, result: 'fail' } },
      requirementsVerdict: {
        profile: 'bulk' as const,
        result: 'fail' as const,
        failed: ['transport.tls', 'dns.fcrdns'],
        advice: [],
      },
    };
    expect(renderReceived(failed, wide, 8)).toMatch(
      /^✗ 10:00:01 #8 alice@mail\.test → a@x\.test \+2 {2}2\.0 KB plain {2}spf=pass dkim=pass\(mail\.test\) dmarc=fail bulk=fail\(tls,fcrdns\) /,
    );
    // A temporary finding (severity warn) is no verdict: '?', neither ✓ nor ✗.
    const unknown = {
      ...message,
      findings: [{ id: 'verify.dmarc.temperror', severity: 'warn' as const, message: 'x', temporary: true }],
    };
    expect(renderReceived(unknown, wide, 9)).toMatch(/^\? 10:00:01 #9 /);
  });

  it('refusals, the closing count, sizes', () => {
    expect(
      renderRejected(
        {
          event: 'rejected',
          remoteAddress: '127.0.0.1',
          mailFrom: '',
          rcptTo: ['b@x.test'],
          code: 552,
          reason: 'too big\x1b[2J',
        },
        plainTheme,
      ),
    ).toMatch(/✗ \d\d:\d\d:\d\d 552 refused <> → b@x\.test: too big\\x1b\[2J\n$/);
    expect(renderReceiveSummary(3, 1, 2, plainTheme)).toBe(
      '\nreceiver stopped: 3 messages stored, 1 not authenticated, 2 refused\n',
    );
    expect([formatBytes(900), formatBytes(2048), formatBytes(25 * 1024 * 1024)]).toEqual(['900 B', '2.0 KB', '25 MB']);
  });
});

describe('receive text report at 80 columns', () => {
  it('wraps the listening banner and each message line under itself', () => {
    const banner = renderListening(
      {
        host: '127.0.0.1',
        port: 2525,
        maildir: '/tmp/inbox',
        hostname: 'mx.test',
        tls: 'starttls',
        certificate: 'self-signed',
        maxSize: 25 * 1024 * 1024,
        maxRecipients: 100,
        maxConnections: 50,
        commandTimeoutMs: 60000,
        dataTimeoutMs: 600000,
      },
      plainTheme,
    );
    const line = renderReceived(message, plainTheme, 7);
    for (const l of (banner + line).split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
    // Nothing is lost: the same words as the wide line.
    expect(line.replace(/\s+/g, ' ').trim()).toBe(renderReceived(message, wide, 7).replace(/\s+/g, ' ').trim());
  });
});
