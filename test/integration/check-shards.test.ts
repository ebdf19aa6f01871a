// `check --batch` spread over processes as docs/scale.md tells it, against Knot DNS serving the bench's synthetic
// zones: the Kubernetes Indexed Job's script (docs/scale-job.yaml, run as written: 4 processes with
// JOB_COMPLETION_INDEX 0…3) and the GNU parallel recipe give, shard files together, what one run gives; a run
// killed midway and resumed gives it too; --summary-of over the shards gives one run's table and exit code.
// (No container runtime here: the image's command is the same `mailcheck`, put on PATH.)
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { findKnotd, startKnot, type KnotServer } from '../helpers/knot.js';
// @ts-expect-error: a plain .mjs module of the bench, shared so the test checks the zones the bench measures.
import { writeBenchZones } from '../../bench/batch-zones.mjs';

const knotd = findKnotd();
const hasParallel = spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;
// Locally a missing peer skips; in CI it is a failure with a clear message, never a silent pass.
const withKnot = knotd || process.env.CI ? describe : describe.skip;
const withParallel = (knotd && hasParallel) || process.env.CI ? it : it.skip;

const DOMAINS = 600;
const dir = mkdtempSync(join(tmpdir(), 'mc-shards-'));
const bin = join(dir, 'bin');
let knot: KnotServer;
let env: Record<string, string>;
let whole: { stdout: string; code: number | null };

/** Lines by domain, timings aside: "the same result" between runs. */
function byDomain(ndjson: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of ndjson.split('\n').filter(Boolean)) {
    const domain = JSON.parse(line).domain as string;
    expect(m.has(domain), `${domain} twice`).toBe(false);
    m.set(domain, line.replace(/"ms":\d+/g, '"ms":0'));
  }
  return m;
}

/** The two maps are equal; when not, the first difference, short (a whole result is ~20 KB of JSON). */
function expectSameResults(got: Map<string, string>, want: Map<string, string>): void {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [domain, line] of want) {
    const other = got.get(domain)!;
    if (other === line) continue;
    let i = 0;
    while (other[i] === line[i]) i++;
    expect(`${domain}: …${other.slice(Math.max(0, i - 120), i + 120)}…`).toBe(
      `${domain}: …${line.slice(Math.max(0, i - 120), i + 120)}…`,
    );
  }
}

function shardFiles(out: string): Map<string, string> {
  const all = new Map<string, string>();
  for (const f of readdirSync(out).filter((f) => f.endsWith('.ndjson')))
    for (const [d, line] of byDomain(readFileSync(join(out, f), 'utf8'))) {
      expect(all.has(d), `${d} in two shards`).toBe(false);
      all.set(d, line);
    }
  return all;
}

/** Runs a shell script as a pod or a shell would, `mailcheck` on PATH being this checkout's CLI. */
function sh(script: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

withKnot('check --batch over shards and resumed runs (Knot DNS)', () => {
  beforeAll(async () => {
    if (!knotd) throw new Error('knotd not found: install the Debian package `knot` (.ci/run does)');
    const files = writeBenchZones(dir, DOMAINS) as { fwd: string; v4: string; v6: string; list: string };
    knot = await startKnot([files.fwd, files.v4, files.v6]);
    mkdirSync(bin);
    writeFileSync(join(bin, 'mailcheck'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'mailcheck'), 0o755);
    // As the manifest's pods: the resolver from the environment, no flag.
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      MAILCHECK_RESOLVER: `${knot.host}:${knot.port}`,
      CI: '1',
      NO_COLOR: '1',
    };
    mkdirSync(join(dir, 'work', 'in'), { recursive: true });
    writeFileSync(join(dir, 'work', 'in', 'domains.txt'), readFileSync(files.list));
    whole = await runCli(['check', '--batch', join(dir, 'work', 'in', 'domains.txt'), '--json'], {
      env,
      timeoutMs: 120_000,
    });
  }, 180_000);
  afterAll(async () => {
    await knot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the Indexed Job: its script, 4 processes with JOB_COMPLETION_INDEX 0…3, gives together what one run gives', async () => {
    expect(whole.code).toBe(1);
    expect(byDomain(whole.stdout).size).toBe(DOMAINS);
    const job = parse(readFileSync(join(ROOT, 'docs', 'scale-job.yaml'), 'utf8'));
    const container = job.spec.template.spec.containers[0];
    const script = (container.args[0] as string).replaceAll('/work/', `${dir}/work/`);
    // The manifest's shard count and its --shards agree, and the pod's command is this shell.
    expect(script).toContain(`--shards ${job.spec.completions}`);
    expect(container.command).toEqual(['sh', '-c']);
    const out = join(dir, 'work', 'out');
    mkdirSync(out, { recursive: true });
    // One pod after the other: side by side on this 2-core machine (with knot and the other test files) they would
    // only test how the machine copes; the split does not depend on it.
    const pods: { code: number | null }[] = [];
    for (let i = 0; i < (job.spec.completions as number); i++)
      pods.push(await sh(script, { JOB_COMPLETION_INDEX: String(i) }));
    // Exit 1 (domains fail checks) is a result: the script reports the pod done.
    expect(pods.map((p) => p.code)).toEqual([0, 0, 0, 0]);
    expectSameResults(shardFiles(out), byDomain(whole.stdout));

    const summary = await sh(`mailcheck check --summary-of ${out}/shard-*.ndjson`);
    const one = await runCli(['check', '--batch', join(dir, 'work', 'in', 'domains.txt')], { env, timeoutMs: 120_000 });
    expect(summary.code).toBe(one.code);
  }, 240_000);

  it('a run killed midway and resumed: each domain once, as one run', async () => {
    const file = join(dir, 'killed.ndjson');
    const args = [BIN, 'check', '--batch', join(dir, 'work', 'in', 'domains.txt'), '--json', '--resume', file];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    // Killed (SIGKILL, no chance to finish a line) once a third of the domains are in the file.
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
        if (lines >= DOMAINS / 3) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.once('exit', () => {
        clearInterval(t);
        reject(new Error('the run ended before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    const partial = readFileSync(file, 'utf8').split('\n').length - 1;
    expect(partial).toBeGreaterThanOrEqual(DOMAINS / 3);
    expect(partial).toBeLessThan(DOMAINS);
    const resumed = await runCli(args.slice(1), { env, timeoutMs: 120_000 });
    expect(resumed.stdout).toBe('');
    expect(resumed.code).toBe(whole.code);
    expectSameResults(byDomain(readFileSync(file, 'utf8')), byDomain(whole.stdout));
  }, 240_000);

  withParallel(
    'the GNU parallel recipe (run on this host, -S :) gives what one run gives',
    async () => {
      const out = join(dir, 'parallel');
      mkdirSync(out);
      const list = join(dir, 'work', 'in', 'domains.txt');
      const r = await sh(
        `cd ${out} && cp ${list} domains.txt && parallel --will-cite -S : --jobs 4 ` +
          `'mailcheck check --batch domains.txt --shard {}/4 --json --resume shard-{}.ndjson' ::: 1 2 3 4; ` +
          `mailcheck check --summary-of shard-*.ndjson > summary.txt`,
      );
      expect(r.stderr).not.toMatch(/parallel: Error/);
      expectSameResults(shardFiles(out), byDomain(whole.stdout));
      expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toMatch(new RegExp(`^${DOMAINS} domains: `, 'm'));
    },
    240_000,
  );
});
