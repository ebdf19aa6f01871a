import { describe, expect, it } from 'vitest';
import { received, rfc5322Date, traceHeaders } from '../../../src/receive/trace-headers.js';

const base = {
  hostname: 'mx.mail.test',
  helo: 'client.example',
  ip: '192.0.2.7',
  clientName: null,
  protocol: 'ESMTP',
  id: 'ABC123',
  mailFrom: 'a@example.org',
  rcptTo: ['b@mail.test'],
  date: new Date('2025-11-29T10:00:00Z'),
};

describe('trace headers (RFC 5321 §4.4, RFC 3848, RFC 8601)', () => {
  it('Return-Path, then Authentication-Results, then Received, each CRLF-terminated', () => {
    const h = traceHeaders({
      ...base,
      authenticationResults: 'Authentication-Results: mx.mail.test;\r\n\tdkim=none',
    }).toString();
    expect(h).toBe(
      'Return-Path: <a@example.org>\r\n' +
        'Authentication-Results: mx.mail.test;\r\n\tdkim=none\r\n' +
        'Received: from client.example ([192.0.2.7])\r\n\tby mx.mail.test (mailcheck) with ESMTP id ABC123\r\n\tfor <b@mail.test>; Sat, 29 Nov 2025 10:00:00 +0000\r\n',
    );
  });

  it('names a forward-confirmed client, writes IPv6 literals as [IPv6:…], and the TLS protocol and cipher', () => {
    const r = received({
      ...base,
      ip: '2001:db8::7',
      clientName: 'client.example',
      protocol: 'ESMTPS',
      tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
    });
    expect(r).toBe(
      'Received: from client.example (client.example [IPv6:2001:db8::7])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n\tby mx.mail.test (mailcheck) with ESMTPS id ABC123\r\n\tfor <b@mail.test>; Sat, 29 Nov 2025 10:00:00 +0000',
    );
  });

  it('omits "for" with several recipients, and writes a null sender as <>', () => {
    const h = traceHeaders({ ...base, mailFrom: '', rcptTo: ['x@a.test', 'y@b.test'] }).toString();
    expect(h.startsWith('Return-Path: <>\r\n')).toBe(true);
    expect(h).not.toContain('for <');
  });

  it('cannot be split by what the client sent: controls, parentheses and spaces in HELO are neutralised', () => {
    const r = received({ ...base, helo: 'evil (x)\r\nX-Injected: yes' });
    expect(r).not.toMatch(/\r\nX-Injected/);
    expect(r.split('\r\n')[0]).toBe('Received: from evil??x???X-Injected:?yes ([192.0.2.7])');
  });

  it('a client name that is not a host name never enters the header: the address literal alone', () => {
    // A forward-confirmed PTR can be any bytes in DNS; this one would forge a "by" clause.
    const r = received({ ...base, clientName: 'evil) by mx.bank.example (via.x' });
    expect(r.split('\r\n')[0]).toBe('Received: from client.example ([192.0.2.7])');
    expect(r.match(/\bby /g)).toHaveLength(1);
    expect(received({ ...base, clientName: 'a\u202eb.example' }).split('\r\n')[0]).toBe(
      'Received: from client.example ([192.0.2.7])',
    );
  });

  it('formats RFC 5322 dates in UTC', () => {
    expect(rfc5322Date(new Date('2026-01-05T03:04:05Z'))).toBe('Mon, 05 Jan 2026 03:04:05 +0000');
  });
});
