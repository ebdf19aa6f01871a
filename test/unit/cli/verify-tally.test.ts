import { describe, expect, it } from 'vitest';
import { VerifyTally } from '../../../src/cli/verify-tally.js';
import { exitCode } from '../../../src/cli/exit-code.js';
import { finding, type Finding } from '../../../src/core/result.js';
import { worseExitCode } from '../../../src/verify/requirements/exit-code.js';
import type { RequirementsVerdict } from '../../../src/verify/requirements/types.js';
import { unverifiable } from '../../../src/verify/run.js';
import type { VerifiedFile, VerifyItem } from '../../../src/verify/types.js';

// The tally replaced a list of every result with counters: its exit code must be the one the list gave
// (verify.ts before: 2 for any unreadable file, else exitCode over all items, and under --strict the worse of
// that with requirementsExitCode over every verdict), for any mix of messages.
function listExitCode(items: VerifyItem[], strict: boolean): number {
  if (items.some((i) => 'error' in i)) return 2;
  if (!strict) return exitCode(items);
  // requirementsExitCode over the list, as it was: any fail → 1, else any temperror → 3.
  const verdicts = items.flatMap((i) => ('error' in i ? [] : [i.requirementsVerdict]));
  let requirements: 0 | 1 | 3 = 0;
  if (verdicts.some((v) => v.result === 'fail')) requirements = 1;
  else if (verdicts.some((v) => v.result === 'temperror')) requirements = 3;
  return worseExitCode(exitCode(items, { strict: true }), requirements);
}

const FINDINGS: Finding[][] = [
  [],
  [finding('verify.dmarc.pass', 'ok', 'x')],
  [finding('verify.dkim.l-tail', 'warn', 'x')],
  [finding('verify.dmarc.fail', 'fail', 'x')],
  [finding('verify.dmarc.temperror', 'fail', 'x', { temporary: true })],
];
const VERDICTS: RequirementsVerdict['result'][] = ['pass', 'fail', 'temperror'];
const DMARC = ['pass', 'fail', 'none'] as const;

function message(seed: number): VerifyItem {
  if (seed % 11 === 10) return unverifiable({ file: `bad${seed}` }, 'not a message');
  return {
    kind: 'verify',
    file: `m${seed}`,
    size: 1,
    findings: FINDINGS[seed % FINDINGS.length]!,
    dmarc: { result: DMARC[seed % 3]! },
    requirementsVerdict: { result: VERDICTS[(seed >> 2) % 3]! },
  } as unknown as VerifiedFile;
}

describe('VerifyTally', () => {
  it('gives the exit code a list of every result gave, with and without --strict', () => {
    let seed = 1;
    for (let run = 0; run < 2000; run++) {
      const items: VerifyItem[] = [];
      const n = run % 7;
      for (let k = 0; k < n; k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        items.push(message(seed % 97));
      }
      const t = new VerifyTally();
      for (const i of items) t.add(i);
      expect(t.exitCode(false)).toBe(listExitCode(items, false));
      expect(t.exitCode(true)).toBe(listExitCode(items, true));
    }
  });

  it('counts what the summary shows: DMARC results, unreadable files and authenticated messages', () => {
    const t = new VerifyTally();
    for (const i of [message(0), message(1), message(3), message(4), message(10), message(5)]) t.add(i);
    expect(t.summary(2)).toEqual({
      total: 6,
      byDmarc: { pass: 2, fail: 2, none: 1 },
      authenticated: 3,
      unreadable: 1,
      seconds: 2,
    });
  });
});
