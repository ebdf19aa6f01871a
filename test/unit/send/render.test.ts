import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { offlineResolver } from '../../../src/dns/layered.js';
import { renderSend } from '../../../src/report/text/send.js';
import { plainTheme } from '../../../src/report/theme.js';
import { parseMailbox } from '../../../src/send/address.js';
import { sendMessage } from '../../../src/send/check.js';
import type { SendResult } from '../../../src/send/types.js';
import { parseSigningKey } from '../../../src/send/dkim-sign.js';
import { startSmtpPeer } from '../../helpers/smtp-peer.js';

// Content assertions read whole lines: render wider than the 80 columns of a pipe (test/unit/report/width.test.ts checks 80).
const wide = { ...plainTheme, width: 200 };

const r: SendResult = {
  kind: 'send',
  messageId: '<abc@example.test>',
  from: 'alice@example.test',
  to: ['bob@example.net', 'x@nullmx.example'],
  delivered: [
    {
      recipient: 'bob@example.net',
      exchange: 'mx.example.net',
      address: '192.0.2.25',
      port: 25,
      response: '250 2.0.0 Ok: queued as 4ABC',
      code: 250,
      queueId: '4ABC',
      tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: false },
    },
  ],
  rejected: [
    {
      recipient: 'x@nullmx.example',
      response: 'nullmx.example publishes a null MX: it accepts no mail (RFC 7505)',
      code: 0,
      reason: 'no-route',
      temporary: false,
    },
  ],
  tls: { mode: 'starttls', encrypted: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: false },
  dkim: {
    signed: true,
    domain: 'example.test',
    selector: 's1',
    algorithm: 'ed25519-sha256',
    keyBits: 256,
    signedHeaders: ['from', 'to'],
  },
  auth: null,
  size: 812,
  routes: [
    {
      domain: 'example.net',
      recipients: ['bob@example.net'],
      port: 25,
      implicit: false,
      hosts: [{ exchange: 'mx.example.net', preference: 10, addresses: ['192.0.2.25'] }],
    },
    {
      domain: 'nullmx.example',
      recipients: ['x@nullmx.example'],
      port: 25,
      implicit: false,
      hosts: [],
      problem: 'nullmx.example publishes a null MX: it accepts no mail (RFC 7505)',
    },
  ],
  sessions: [
    {
      exchange: 'mx.example.net',
      address: '192.0.2.25',
      port: 25,
      outcome: 'data',
      reply: '250 2.0.0 Ok: queued as 4ABC',
      tls: { protocol: 'TLSv1.3', cipher: 'x', verified: false },
      ms: 80,
      transcript: [
        { dir: 'S', line: '220 mx.example.net ESMTP' },
        { dir: 'C', line: 'EHLO client.test' },
        { dir: 'S', line: '550 5.1.1 \x07bell' },
      ],
    },
  ],
  findings: [
    { id: 'send.delivered', severity: 'ok', message: 'bob@example.net: delivered' },
    { id: 'send.route.none', severity: 'fail', message: 'x@nullmx.example: nowhere to deliver' },
  ],
  steps: [],
};

describe('renderSend', () => {
  it('tells what was sent, the route, the sessions with transcripts, and each recipient', () => {
    const out = renderSend(r, wide);
    expect(out.split('\n')[0]).toBe('Message <abc@example.test>');
    expect(out).toContain('DKIM    ✓ signed d=example.test s=s1 ed25519-sha256 256-bit, relaxed/relaxed');
    expect(out).toContain('TLS     starttls → encrypted (TLSv1.3)');
    expect(out).toContain('? example.net (bob@example.net) → MX 10 mx.example.net [192.0.2.25]');
    expect(out).toContain('✗ nullmx.example (x@nullmx.example) → nullmx.example publishes a null MX');
    expect(out).toContain('✓ mx.example.net [192.0.2.25]:25  TLSv1.3  250 2.0.0 Ok: queued as 4ABC 80 ms');
    expect(out).toContain('Transcript mx.example.net [192.0.2.25]:25');
    expect(out).toContain('  S: 550 5.1.1 \\x07bell');
    expect(out).toMatch(
      /│ ✓ delivered +│ bob@example\.net +│ mx\.example\.net │ 250 2\.0\.0 Ok: queued as 4ABC {2}\(queue id 4ABC\)/,
    );
    expect(out).toMatch(/│ ✗ no-route +│ x@nullmx\.example │ – /);
    expect(out).toContain('✗ 1 failed check');
    expect(out).not.toMatch(/[\x07\x1b]/);
  });

  it('TLS says "nothing sent" when no message went out (a certificate --tls verify refused), not "not encrypted"', () => {
    const refused: SendResult = {
      ...r,
      delivered: [],
      tls: { mode: 'verify', encrypted: false, protocol: null, cipher: null, verified: null },
      sessions: [{ ...r.sessions[0]!, outcome: 'tls-unverified' }],
    };
    const out = renderSend(refused, wide);
    expect(out).toContain('TLS     verify → nothing sent\n');
    expect(out).not.toContain('not encrypted');
  });

  it('leaves the transcript out on request', () => {
    expect(renderSend(r, wide, { transcript: false })).not.toContain('Transcript');
  });

  it('shows a folded DKIM-Signature as the wire has it: one C: per line, long lines cut under ↪ (80 columns)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = parseSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'test key');
    const peer = await startSmtpPeer();
    try {
      const sent = await sendMessage(
        {
          from: parseMailbox('alice@example.test', '--from'),
          to: [parseMailbox('bob@example.net', '--to')],
          subject: 'folded',
          body: 'Hello.\n',
          dkim: { key, selector: 's1' },
        },
        { resolver: offlineResolver(), timeoutMs: 2000, now: () => new Date(), onEvent: () => {} },
        { server: { host: peer.host, port: peer.port }, tls: 'none' },
      );
      const transcript = sent.sessions[0]!.transcript.filter((l) => l.dir === 'C').map((l) => l.line);
      const start = transcript.findIndex((l) => l.startsWith('DKIM-Signature:'));
      let end = start + 1;
      while (/^[ \t]/.test(transcript[end]!)) end++;
      const wire = transcript.slice(start, end);
      expect(wire.length).toBeGreaterThan(3);
      const out = renderSend(sent, plainTheme).split('\n');
      expect(Math.max(...out.map((l) => l.length))).toBeLessThanOrEqual(80);
      // Every wire line starts a C: line with its own text (a fold keeps its leading space); pieces of a line
      // cut for width follow under ↪; no C: line is empty but the one that ends the header.
      const at = out.findIndex((l) => l.startsWith('  C: DKIM-Signature:'));
      const rebuilt: string[] = [];
      for (const l of out.slice(at).filter((x) => /^ {2}(C:|↪) /.test(x))) {
        if (l.startsWith('  C: ')) rebuilt.push(l.slice(5));
        else rebuilt[rebuilt.length - 1] += l.slice(5);
      }
      expect(rebuilt.slice(0, wire.length)).toEqual(wire);
      const emptyC = out.filter((l) => /^ {2}C: ?$/.test(l));
      expect(emptyC).toHaveLength(1);
      expect(out.some((l) => /^ +b=/.test(l))).toBe(false);
    } finally {
      await peer.close();
    }
  });
});
