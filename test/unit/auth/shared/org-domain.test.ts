import { describe, expect, it } from 'vitest';
import { organizationalDomain } from '../../../../src/auth/shared/org-domain.js';

describe('organizationalDomain (RFC 7489 §3.2, Public Suffix List via tldts)', () => {
  it.each([
    ['example.com', 'example.com'],
    ['mail.example.com', 'example.com'],
    ['a.b.c.example.co.uk', 'example.co.uk'],
    ['co.uk', 'co.uk'],
    ['com', 'com'],
    // Private-section suffixes count, as in mailauth: each github.io site is its own organization.
    ['user.github.io', 'user.github.io'],
    ['www.user.github.io', 'user.github.io'],
    // Unknown TLDs fall under the "*" rule (§3.2 step 3): one label of suffix.
    ['deep.sub.dmarc.test', 'dmarc.test'],
    ['xn--bcher-kva.example.com', 'example.com'],
    ['Mail.Example.COM.', 'example.com'],
  ])('%s → %s', (domain, org) => expect(organizationalDomain(domain)).toBe(org));
});
