import { describe, expect, it } from 'vitest';
import { signaturesInMessage } from '../../../../src/auth/dkim/message-selectors.js';
import { providerGuesses } from '../../../../src/auth/dkim/selectors.js';

describe('signaturesInMessage (RFC 6376 §3.5)', () => {
  it('reads d= and s= from every DKIM-Signature, unfolding headers, stopping at the body', () => {
    const msg = [
      'Received: from x',
      'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=Example.COM;',
      '\ts=Sel1; h=from:to; bh=abc=;',
      '\tb=AAAA',
      '\t BBBB',
      'dkim-signature:v=1; a=ed25519-sha256; d=esp.example; s=ed',
      'From: a@example.com',
      '',
      'DKIM-Signature: d=body.example; s=not-a-header',
    ].join('\r\n');
    expect(signaturesInMessage(msg)).toEqual([
      { domain: 'example.com', selector: 'sel1', algorithm: 'rsa-sha256' },
      { domain: 'esp.example', selector: 'ed', algorithm: 'ed25519-sha256' },
    ]);
  });

  it('ignores signatures without d= or s=, and LF-only messages work too', () => {
    expect(signaturesInMessage('DKIM-Signature: v=1; d=x.test\nFrom: a\n\nbody')).toEqual([]);
    expect(signaturesInMessage('DKIM-Signature: d=x.test; s=a\n\nbody')).toEqual([
      { domain: 'x.test', selector: 'a', algorithm: null },
    ]);
  });
});

describe('providerGuesses', () => {
  it.each([
    [
      { mx: ['contoso-com.mail.protection.outlook.com'], spf: null },
      'Microsoft 365',
      ['selector1', 'selector2', 'selector1-contoso-com', 'selector2-contoso-com'],
    ],
    [
      { mx: [], spf: 'v=spf1 include:spf.protection.outlook.com -all' },
      'Microsoft 365',
      ['selector1', 'selector2', 'selector1-contoso-com', 'selector2-contoso-com'],
    ],
    [
      { mx: ['aspmx.l.google.com', 'alt1.aspmx.l.google.com'], spf: null },
      'Google Workspace',
      ['google', 'google2048'],
    ],
    [{ mx: ['in1-smtp.messagingengine.com'], spf: null }, 'Fastmail', ['fm1', 'fm2', 'fm3', 'mesmtp']],
    [{ mx: [], spf: 'v=spf1 include:sendgrid.net ~all' }, 'SendGrid', ['s1', 's2', 'smtpapi']],
  ])('%j → %s', (evidence, provider, selectors) => {
    expect(providerGuesses('contoso.com', evidence)).toEqual([expect.objectContaining({ provider, selectors })]);
  });

  it('guesses nothing from unrelated mail setups (and does not match look-alike names)', () => {
    expect(
      providerGuesses('x.test', {
        mx: ['mx.x.test', 'evil-google.com.attacker.test'],
        spf: 'v=spf1 include:notsendgrid.net -all',
      }),
    ).toEqual([]);
  });
});
