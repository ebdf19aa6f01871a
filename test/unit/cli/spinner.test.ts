// The spinner shows only where it cannot garble output: a TTY (interactive), and not under --verbose.
import { describe, expect, it } from 'vitest';
import { startSpinner } from '../../../src/cli/spinner.js';

describe('startSpinner', () => {
  it('is none off a TTY, with --json (not interactive) or under --verbose', async () => {
    expect(await startSpinner({ interactive: false, verbose: false }, 'x')).toBeUndefined();
    expect(await startSpinner({ interactive: true, verbose: true }, 'x')).toBeUndefined();
  });
});

describe('startSpinner on a TTY', () => {
  it('gives a spinner whose text can follow the work and that stops (twice is harmless)', async () => {
    const s = await startSpinner({ interactive: true, verbose: false }, 'Probing');
    expect(s).toBeDefined();
    s!.text = 'Probing: mx.test ← 220';
    expect(s!.text).toBe('Probing: mx.test ← 220');
    s!.stop();
    s!.stop();
  });
});
