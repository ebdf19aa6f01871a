#!/usr/bin/env node
// Cold start of the CLI: median wall time of `mailcheck --version` (and `mx --help`) against `node -e 0`,
// interleaved in the same run so machine load affects both alike. Target: ratio ≤ 1.5.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/mailcheck.js', import.meta.url));
const runs = Number(process.env.RUNS ?? 21);
const cases = {
  'node -e 0': ['-e', '0'],
  'mailcheck --version': [bin, '--version'],
  'mailcheck mx --help': [bin, 'mx', '--help'],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));

for (let i = 0; i < runs + 2; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    if (i >= 2) times[name].push(ms); // the first two rounds warm the page cache
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`startup (median of ${runs} runs each, interleaved)`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(22)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}×`);
}
