// Reading the connection back from our own Received: field: exactly the format receive writes (round trip through
// src/receive/trace-headers.ts), only the topmost field, only under our authserv-id.
import { describe, expect, it } from 'vitest';
import { received, traceHeaders, type TraceInput } from '../../../src/receive/trace-headers.js';
import { parseMessage } from '../../../src/verify/message.js';
import { parseOwnReceived, readOwnReceived } from '../../../src/verify/received-trace.js';

const base: TraceInput = {
  hostname: 'mx.mail.test',
  helo: 'client.example',
  ip: '192.0.2.7',
  clientName: null,
  protocol: 'ESMTP',
  id: 'ABC123',
  mailFrom: 'a@example.test',
  rcptTo: ['b@mail.test'],
  date: new Date('2025-11-29T10:00:00Z'),
};
const BODY = 'From: a@example.test\r\nSubject: x\r\n\r\nhi\r\n';
const stored = (t: TraceInput, body = BODY) =>
  parseMessage(
    Buffer.concat([
      traceHeaders({ ...t, authenticationResults: 'Authentication-Results: x; none' }),
      Buffer.from(body),
    ]),
  );

describe('readOwnReceived', () => {
  it('reads IP, HELO and "no TLS" from the field receive wrote', () => {
    expect(readOwnReceived(stored(base), 'mx.mail.test')).toEqual({
      ip: '192.0.2.7',
      helo: 'client.example',
      clientName: null,
      protocol: 'ESMTP',
      tls: false,
      by: 'mx.mail.test',
      id: 'ABC123',
    });
  });

  it('reads TLS version and cipher, a forward-confirmed name and an IPv6 client', () => {
    const t = {
      ...base,
      ip: '2001:db8::7',
      clientName: 'client.example',
      protocol: 'ESMTPS',
      tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
      rcptTo: ['b@mail.test', 'c@mail.test'],
    };
    expect(readOwnReceived(stored(t), 'MX.mail.test.')).toMatchObject({
      ip: '2001:db8::7',
      clientName: 'client.example',
      tls: true,
      tlsProtocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
    });
  });

  it('an empty HELO and an address-literal HELO', () => {
    expect(readOwnReceived(stored({ ...base, helo: '' }), 'mx.mail.test')!.helo).toBe('');
    expect(readOwnReceived(stored({ ...base, helo: '[192.0.2.7]' }), 'mx.mail.test')!.helo).toBe('[192.0.2.7]');
  });

  it('under another authserv-id the field is not ours (RFC 8601 §5: only our own name is trusted)', () => {
    expect(readOwnReceived(stored(base), 'other.test')).toBeNull();
  });

  it('only the topmost Received: counts: a forged one of ours below another host’s is ignored', () => {
    const forged = `${received({ ...base, ip: '203.0.113.66' })}\r\n${BODY}`;
    // As another MTA stored it: its own Received: on top, the sender's forgery below.
    const elsewhere = parseMessage(
      Buffer.from(`Received: from x (x [198.51.100.1]) by mx.other.test; date\r\n${forged}`),
    );
    expect(readOwnReceived(elsewhere, 'mx.mail.test')).toBeNull();
    // Stored by us: ours is on top and wins over the forgery below it.
    expect(readOwnReceived(stored(base, forged), 'mx.mail.test')!.ip).toBe('192.0.2.7');
  });

  it('anything but our exact format is not ours', () => {
    for (const v of [
      'from client.example ([192.0.2.7]) by mx.mail.test (Postfix) with ESMTP id X; Sat, 29 Nov 2025',
      'from client.example ([not-an-ip]) by mx.mail.test (mailcheck) with ESMTP id X; Sat, 29 Nov 2025',
      'from client.example ([192.0.2.7]) by mx.mail.test (mailcheck) with ESMTP id X',
      `from ${'a '.repeat(5000)}`,
    ])
      expect(parseOwnReceived(v, 'mx.mail.test')).toBeNull();
  });
});
