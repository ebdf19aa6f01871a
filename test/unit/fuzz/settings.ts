// Fuzz settings: a fixed seed and few runs in the normal suite (reproducible CI), or `npm run fuzz`:
// FUZZ_RUNS=<n> with a random seed (FUZZ_SEED=<n> to replay one); fast-check prints seed and path on failure.
import fc from 'fast-check';

const runs = Number(process.env.FUZZ_RUNS) || 0;
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;

/** Parameters for fc.assert: `numRuns` in the normal suite, FUZZ_RUNS (scaled by `weight`) in a long run. */
export function fuzz(numRuns: number, weight = 1): fc.Parameters<unknown> {
  if (runs) return { numRuns: Math.max(1, Math.round(runs * weight)), ...(seed !== undefined ? { seed } : {}) };
  return { numRuns, seed: 42 };
}

/** A long run needs more than the default test timeout. */
export const FUZZ_TIMEOUT = runs ? 30 * 60_000 : 20_000;
