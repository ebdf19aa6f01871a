// The client's name (iprev, RFC 8601 §3): PTR, then forward confirmation; only a host name can be the name.
import { describe, expect, it } from 'vitest';
import { isHostName, lookupClientName } from '../../../src/receive/client-name.js';
import { fakeResolver } from '../../helpers/fake-resolver.js';

const FORGED = 'evil) by mx.bank.example (via.x';

describe('lookupClientName', () => {
  it('a forward-confirmed PTR name is the name', async () => {
    const r = fakeResolver({
      '7.2.0.192.in-addr.arpa PTR': ['client.example.'],
      'client.example A': ['192.0.2.7'],
    });
    expect(await lookupClientName('192.0.2.7', r)).toEqual({
      name: 'client.example',
      ptr: ['client.example'],
      iprev: 'pass',
    });
  });

  it('a PTR name that is not a host name is never the name, even forward-confirmed, and is not looked up', async () => {
    const log: string[] = [];
    const r = fakeResolver(
      {
        '7.2.0.192.in-addr.arpa PTR': [`${FORGED}.`, 'ev\x1b[2jil.example.', 'a\u202eb.example.'],
        [`${FORGED} A`]: ['192.0.2.7'],
        'ev\x1b[2jil.example A': ['192.0.2.7'],
        'a\u202eb.example A': ['192.0.2.7'],
      },
      log,
    );
    const c = await lookupClientName('192.0.2.7', r);
    expect(c).toMatchObject({ name: null, iprev: 'fail' });
    expect(c.ptr).toHaveLength(3); // still reported as published
    expect(log).toEqual(['7.2.0.192.in-addr.arpa PTR']);
  });

  it('a valid name among invalid ones is still found', async () => {
    const r = fakeResolver({
      '7.2.0.192.in-addr.arpa PTR': [`${FORGED}.`, 'mail.example.'],
      [`${FORGED} A`]: ['192.0.2.7'],
      'mail.example A': ['192.0.2.7'],
    });
    expect((await lookupClientName('192.0.2.7', r)).name).toBe('mail.example');
  });
});

describe('isHostName', () => {
  it.each([
    ['mail.example', true],
    ['localhost', true],
    ['a-b.c_d.example', true],
    ['xn--bcher-kva.example', true],
    ['-a.example', false],
    ['a-.example', false],
    ['a..example', false],
    ['', false],
    ['1.2.3.4', false],
    [FORGED, false],
    ['a b.example', false],
    ['a\u202eb.example', false],
    ['bücher.example', false],
    [`${'a'.repeat(64)}.example`, false],
    [`${'a.'.repeat(127)}ab`, false],
  ])('%j → %s', (name, valid) => expect(isHostName(name)).toBe(valid));
});
