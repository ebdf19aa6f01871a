// One check_host() for every entry point (issue #18): the openspf RFC 7208 suite through verify's and receive's
// checkSpf() must give what check_host() itself gives `mailcheck spf --ip` — the same result and explanation —
// and a result the suite accepts. (verify once went through mailauth's spf(), which misses 8 of these cases.)
import { describe, expect, it } from 'vitest';
import { checkHost } from '../../../src/auth/spf/evaluate.js';
import { checkSpf } from '../../../src/verify/spf.js';
import { loadSuite } from '../auth/spf/suite-resolver.js';

const cases = loadSuite();

describe('verify/receive SPF = spf --ip on the RFC 7208 suite', () => {
  for (const c of cases) {
    it(`${c.scenario} / ${c.id} (§${c.spec})`, async () => {
      // A receiver name per case: verify memoizes verdicts per (ip, sender, HELO, receiver) within their TTLs,
      // and the scenarios reuse addresses over different zone data.
      const mta = `mx.${c.scenario.replace(/\W+/g, '-')}.${c.id}.test`;
      const [direct, viaVerify] = await Promise.all([
        checkHost(c.resolver, { ip: c.host, sender: c.mailfrom, helo: c.helo, receiver: mta }),
        checkSpf({ ip: c.host, sender: c.mailfrom, helo: c.helo }, c.resolver, mta),
      ]);
      expect(viaVerify.result, `${c.id}: ${viaVerify.reason}`).toBe(direct.result);
      expect(c.result).toContain(viaVerify.result);
      expect(viaVerify.explanation).toBe(direct.explanation);
    });
  }
});
