// A temporary finding is no verdict, not a failure: its severity is warn, so counting severity "fail" (the README's
// jq recipe, the contract's exit 1) counts real failures only, and `temporary` still makes the exit code 3.
import { describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import { finding } from '../../../src/core/result.js';
import { verdictLine } from '../../../src/report/steps.js';
import { plainTheme } from '../../../src/report/theme.js';

describe('finding()', () => {
  it('gives a temporary finding severity warn, whatever the caller asked', () => {
    expect(finding('x.timeout', 'fail', 'no answer', { temporary: true })).toEqual({
      id: 'x.timeout',
      severity: 'warn',
      message: 'no answer',
      temporary: true,
    });
    expect(finding('x.bad', 'fail', 'bad').severity).toBe('fail');
  });

  it('a temporary warn still means exit 3 (also with --strict), and the verdict line says no verdict', () => {
    const r = { kind: 'x', findings: [finding('x.timeout', 'fail', 'no answer', { temporary: true })] };
    expect(exitCode([r])).toBe(3);
    expect(exitCode([r], { strict: true })).toBe(3);
    expect(verdictLine(r.findings, plainTheme)).toBe('? no verdict: 1 temporary failure');
    const both = [...r.findings, finding('x.weak', 'warn', 'weak'), finding('x.bad', 'fail', 'bad')];
    expect(verdictLine(both, plainTheme)).toBe('✗ 1 failed check, 1 warning');
  });
});
