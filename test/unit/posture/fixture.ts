// The posture fixture in memory (fixtures/zones/posture*.zone) with a local HTTPS server for the MTA-STS policy
// hosts and BIMI assets of posture.test, behind the same cached resolver stack the CLI builds.
import { cached } from '../../../src/dns/cache.js';
import { layered, offlineResolver } from '../../../src/dns/layered.js';
import type { Resolver } from '../../../src/dns/types.js';
import type { Context } from '../../../src/core/context.js';
import { startHttpsServer, type TestHttpsServer } from '../../helpers/https-server.js';
import { createTestCa, type TestCa } from '../../helpers/test-ca.js';
import { loadFixtureZone } from '../../helpers/zones.js';

export const POSTURE_ZONES = ['posture.test.zone', 'posture-reverse.zone', 'posture-reverse6.zone'];
export const GOOD_POLICY =
  'version: STSv1\nmode: enforce\nmx: mx1.posture.test\nmx: mx2.posture.test\nmax_age: 604800\n';
export const STALE_POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.posture.test\nmax_age: 604800\n';

export interface PostureFixture {
  ca: TestCa;
  https: TestHttpsServer;
  resolver: Resolver;
  ctx(resolver?: Resolver): Context;
  close(): Promise<void>;
}

export async function postureFixture(): Promise<PostureFixture> {
  const ca = createTestCa();
  const https = await startHttpsServer(
    ca.issue(['mta-sts.posture.test', 'mta-sts.stale.posture.test', 'bimi.posture.test']),
    {
      'mta-sts.posture.test/.well-known/mta-sts.txt': { body: GOOD_POLICY },
      'mta-sts.stale.posture.test/.well-known/mta-sts.txt': { body: STALE_POLICY },
    },
  );
  const resolver = cached(layered(POSTURE_ZONES.map(loadFixtureZone), offlineResolver()));
  return {
    ca,
    https,
    resolver,
    ctx: (r = resolver) => ({
      resolver: r,
      timeoutMs: 2000,
      now: () => new Date('2026-11-29T12:00:00Z'),
      onEvent: () => {},
    }),
    close: async () => {
      await https.close();
      ca.cleanup();
    },
  };
}
