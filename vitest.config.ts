import { defineConfig } from 'vitest/config';

// Three projects: unit and e2e run in seconds with Node alone (npm test);
// integration needs Debian peers (knot, postfix, swaks, python3-dkim) started by .ci/run.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 30000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60000,
          hookTimeout: 60000,
        },
      },
    ],
  },
});
