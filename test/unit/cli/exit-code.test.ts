import { describe, expect, it } from 'vitest';
import { exitCode } from '../../../src/cli/exit-code.js';
import type { Finding } from '../../../src/core/result.js';

const r = (...findings: Finding[]) => ({ kind: 'x', findings });
const f = (severity: Finding['severity'], temporary = false): Finding => ({
  id: 'x.y',
  severity,
  message: 'm',
  ...(temporary ? { temporary } : {}),
});

describe('exitCode (shared/CONTRACT.md)', () => {
  it('is 0 when everything passed, warnings allowed', () =>
    expect(exitCode([r(f('ok'), f('warn'), f('info'))])).toBe(0));
  it('is 1 on any fail finding', () => expect(exitCode([r(f('ok')), r(f('fail'))])).toBe(1));
  it('is 1 on warnings with --strict', () => expect(exitCode([r(f('warn'))], { strict: true })).toBe(1));
  it('is 3 when only a temporary failure prevented a verdict', () =>
    expect(exitCode([r(f('fail', true), f('ok'))])).toBe(3));
  it('prefers a definite failure over a temporary one', () =>
    expect(exitCode([r(f('fail', true)), r(f('fail'))])).toBe(1));
  it('is 0 with no results', () => expect(exitCode([])).toBe(0));
});
