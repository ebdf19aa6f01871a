// The openspf RFC 7208 conformance suite (release 2014.04), every case, against our check_host().
// Where the suite allows several results the first is preferred; we assert membership, as pyspf's driver does.
import { describe, expect, it } from 'vitest';
import { checkHost } from '../../../../src/auth/spf/evaluate.js';
import { loadSuite } from './suite-resolver.js';

const cases = loadSuite();

describe('RFC 7208 test suite (openspf 2014.04)', () => {
  it('loads every scenario', () => {
    expect(cases.length).toBeGreaterThan(150);
  });

  for (const c of cases) {
    it(`${c.scenario} / ${c.id} (§${c.spec})`, async () => {
      const r = await checkHost(c.resolver, { ip: c.host, sender: c.mailfrom, helo: c.helo });
      expect(c.result, `${c.id}: got ${r.result} (${r.reason})`).toContain(r.result);
      if (c.explanation !== undefined) expect(r.explanation ?? 'DEFAULT').toBe(c.explanation);
    });
  }
});
