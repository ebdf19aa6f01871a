// The batch progress bar shows at once, before any result (a silent resolver must not look like a hung command),
// keeps its clock moving while no result comes, and stays off the screen while a result line is written.
import { afterEach, describe, expect, it } from 'vitest';
import { progressBar, type ProgressBar } from '../../../src/cli/progress-bar.js';

let bar: ProgressBar | undefined;
afterEach(() => bar?.stop());

function stream() {
  const writes: string[] = [];
  return { writes, s: { columns: 100, write: (t: string) => (writes.push(t), true) } };
}

describe('progressBar', () => {
  it('draws 0/total at once, before the first tick', () => {
    const { writes, s } = stream();
    bar = progressBar({ total: 30, stream: s as never });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\r\[░+\] 0\/30 0% · 0\/s · ETA \?\x1b\[K$/);
  });

  it('without a total (stdin), says how many so far and for how long', () => {
    const { writes, s } = stream();
    bar = progressBar({ stream: s as never });
    expect(writes[0]).toMatch(/^\r0 checked · 0\/s · \d+s\x1b\[K$/);
  });

  it('redraws while no result comes, but not after clear() until the next tick', async () => {
    const { writes, s } = stream();
    bar = progressBar({ total: 3, stream: s as never, redrawMs: 10 });
    await new Promise((r) => setTimeout(r, 60));
    const drawn = writes.length;
    expect(drawn).toBeGreaterThan(2);
    bar.clear();
    const cleared = writes.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(writes.length).toBe(cleared);
    bar.tick();
    expect(writes.at(-1)).toMatch(/ 1\/3 33% /);
    bar.stop();
    const stopped = writes.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(writes.length).toBe(stopped);
  });
});
