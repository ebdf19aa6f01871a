import { describe, expect, it } from 'vitest';
import { definedOnly } from '../../../src/core/object.js';

describe('definedOnly()', () => {
  it('leaves out the undefined-valued keys and keeps the order of the others', () => {
    const o = definedOnly({ a: 1, b: undefined, c: null, d: '', e: 0, f: false, g: undefined, h: 'x' });
    expect(Object.keys(o)).toEqual(['a', 'c', 'd', 'e', 'f', 'h']);
    expect('b' in o).toBe(false);
    expect(JSON.stringify(o)).toBe('{"a":1,"c":null,"d":"","e":0,"f":false,"h":"x"}');
  });

  it('gives the same object, key for key, as the conditional spreads it replaces', () => {
    const spread = (ip?: string, helo?: string) => ({ ...(ip ? { ip } : {}), sender: 's', ...(helo ? { helo } : {}) });
    const helper = (ip?: string, helo?: string) =>
      definedOnly({ ip: ip || undefined, sender: 's', helo: helo || undefined });
    for (const [ip, helo] of [[], ['192.0.2.1'], [undefined, 'mx.test'], ['', ''], ['192.0.2.1', 'mx.test']]) {
      expect(JSON.stringify(helper(ip, helo))).toBe(JSON.stringify(spread(ip, helo)));
      expect(helper(ip, helo)).toStrictEqual(spread(ip, helo));
    }
  });

  it('copies: the argument is left as it was', () => {
    const input = { a: undefined, b: 2 };
    definedOnly(input);
    expect(Object.keys(input)).toEqual(['a', 'b']);
  });
});
