// `check --batch` at scale, through the CLI, offline on the fixture zones: --shard K/N and --shards N with
// JOB_COMPLETION_INDEX split a list so that the shards' union is the whole run; --resume finishes a killed run in
// the same file; --summary-of totals shard outputs as one run; --workers N gives the output of one thread.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { createTestCa, type TestCa } from '../helpers/test-ca.js';

const ZONES = [
  '--offline',
  '--zone',
  'fixtures/zones/posture.test.zone',
  '--zone',
  'fixtures/zones/posture-reverse.zone',
  '--zone',
  'fixtures/zones/posture-reverse6.zone',
  '--zone',
  'fixtures/zones/example.test.zone',
];
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.posture.test\nmx: mx2.posture.test\nmax_age: 604800\n';
// Passing, failing and unknown-free domains, names that do not exist, and lines that are not domain names.
const NAMES = [
  'posture.test',
  'weak.posture.test',
  'stale.posture.test',
  'dane.posture.test',
  'nomail.posture.test',
  'example.test',
  'mx1.example.test',
  ...Array.from({ length: 24 }, (_, i) => `nx${i}.posture.test`),
  'not a domain',
  'bad..name',
];
const tmp = mkdtempSync(join(tmpdir(), 'mc-scale-e2e-'));
const list = join(tmp, 'domains.txt');
let ca: TestCa;
let https: TestHttpsServer;
let args: string[];
let whole: { stdout: string; code: number | null };

/** Lines keyed by domain, timings (`ms`) aside: what "the same result" means between two runs. */
function byDomain(ndjson: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of ndjson.split('\n').filter(Boolean))
    m.set(JSON.parse(line).domain, line.replace(/"ms":\d+/g, '"ms":0'));
  return m;
}

beforeAll(async () => {
  ca = createTestCa();
  https = await startHttpsServer(ca.issue(['mta-sts.posture.test', 'mta-sts.stale.posture.test']), {
    'mta-sts.posture.test/.well-known/mta-sts.txt': { body: POLICY },
    'mta-sts.stale.posture.test/.well-known/mta-sts.txt': { body: POLICY.replace('mx: mx2.posture.test\n', '') },
  });
  args = [...ZONES, '--selector', 's1', '--ca', ca.caFile, '--mta-sts-port', String(https.port)];
  writeFileSync(list, NAMES.join('\n') + '\n');
  whole = await runCli(['check', '--batch', list, ...args, '--json']);
});
afterAll(async () => {
  await https?.close();
  ca?.cleanup();
});

describe('check --shard / --shards', () => {
  it('four shards cover the list exactly once, and give the lines one run gives', async () => {
    expect(whole.code).toBe(1);
    const shards = await Promise.all(
      [1, 2, 3, 4].map((k) => runCli(['check', '--batch', list, ...args, '--json', '--shard', `${k}/4`])),
    );
    const union = new Map<string, string>();
    for (const s of shards) {
      for (const [d, line] of byDomain(s.stdout)) {
        expect(union.has(d)).toBe(false);
        union.set(d, line);
      }
    }
    expect(union).toEqual(byDomain(whole.stdout));
    // Every shard is used (33 names over 4), and each exits as its own lines say.
    expect(shards.every((s) => s.stdout.length > 0)).toBe(true);
    expect(Math.max(...shards.map((s) => s.code ?? 9))).toBe(whole.code);
  });

  it('a domain stays in its shard whatever the order of the list; --shards N + JOB_COMPLETION_INDEX = --shard i+1/N', async () => {
    const reversed = join(tmp, 'reversed.txt');
    writeFileSync(reversed, [...NAMES].reverse().join('\n') + '\n');
    const a = await runCli(['check', '--batch', list, ...args, '--json', '--shard', '2/3']);
    const b = await runCli(['check', '--batch', reversed, ...args, '--json', '--shards', '3'], {
      env: { JOB_COMPLETION_INDEX: '1' },
    });
    expect(new Set(byDomain(b.stdout).keys())).toEqual(new Set(byDomain(a.stdout).keys()));
  });

  it('bad shard options are usage errors (exit 2, one line)', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--shard', '0/4'], {}, /shard number in '0\/4' must be from 1 to 4/],
      [['--shard', '3'], {}, /'3' is not K\/N/],
      [['--shards', '4'], {}, /needs JOB_COMPLETION_INDEX/],
      [['--shards', '4'], { JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX '4' is not a shard index from 0 to 3/],
      [['--shard', '1/2', '--shards', '2'], { JOB_COMPLETION_INDEX: '0' }, /give one/],
    ];
    for (const [extra, env, message] of cases) {
      const r = await runCli(['check', '--batch', list, ...args, '--json', ...extra], { env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('check --batch at scale with no domains', () => {
  it('an empty list is bad input with --shard, --workers and --resume too; an empty shard of a list is not', async () => {
    const empty = join(tmp, 'empty.txt');
    writeFileSync(empty, '# none\n');
    for (const extra of [
      ['--shard', '1/4'],
      ['--workers', '2'],
      ['--resume', join(tmp, 'empty.ndjson')],
    ]) {
      const r = await runCli(['check', '--batch', empty, ...args, '--json', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^mailcheck: no domains in '.*empty\.txt' .*--allow-empty/);
    }
    // One domain over 8 shards: 7 of them have nothing to do, and that is a finished shard (exit 0, no lines).
    const one = join(tmp, 'one.txt');
    writeFileSync(one, 'posture.test\n');
    const codes = [];
    let lines = 0;
    for (let k = 1; k <= 8; k++) {
      const r = await runCli(['check', '--batch', one, ...args, '--json', '--shard', `${k}/8`]);
      codes.push(r.code);
      lines += r.stdout.split('\n').filter(Boolean).length;
    }
    expect(lines).toBe(1);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(7);
  });
});

describe('check --resume', () => {
  it('a run killed mid-line is finished in the same file: each domain once, as one run, nothing on stdout', async () => {
    const file = join(tmp, 'resumed.ndjson');
    const lines = whole.stdout.split('\n').filter(Boolean);
    // What a kill leaves: the first lines whole, then half of the next.
    writeFileSync(file, lines.slice(0, 12).join('\n') + '\n' + lines[12]!.slice(0, 500));
    const r = await runCli(['check', '--batch', list, ...args, '--json', '--resume', file]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/half-written line \(500 bytes, cut off\)/);
    expect(r.code).toBe(whole.code);
    const after = readFileSync(file, 'utf8');
    expect(after.split('\n').filter(Boolean)).toHaveLength(lines.length);
    expect(byDomain(after)).toEqual(byDomain(whole.stdout));
    // Again: nothing left to do, nothing appended, the same exit code (from the lines the file holds).
    const again = await runCli(['check', '--batch', list, ...args, '--json', '--resume', file]);
    expect(again.code).toBe(whole.code);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('creates the file when missing; a domain listed twice is done once', async () => {
    const file = join(tmp, 'fresh.ndjson');
    const twice = join(tmp, 'twice.txt');
    writeFileSync(twice, ['posture.test', 'weak.posture.test', 'POSTURE.test', 'posture.test'].join('\n'));
    const r = await runCli(['check', '--batch', twice, ...args, '--json', '--resume', file]);
    expect(r.stdout).toBe('');
    expect([...byDomain(readFileSync(file, 'utf8')).keys()]).toEqual(['posture.test', 'weak.posture.test']);
  });

  it('needs --json, and a file of results', async () => {
    const r = await runCli(['check', '--batch', list, ...args, '--resume', join(tmp, 'x.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/use it with --json/);
    const other = join(tmp, 'other.ndjson');
    writeFileSync(other, '{"kind":"mx","domain":"a.test"}\n');
    const w = await runCli(['check', '--batch', list, ...args, '--json', '--resume', other]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/other\.ndjson:1 is not a result of 'mailcheck check --json'/);
    // A directory is not a results file: one line, exit 2, and for --summary-of too.
    const d = await runCli(['check', '--batch', list, ...args, '--json', '--resume', tmp]);
    expect([d.code, d.stdout]).toEqual([2, '']);
    expect(d.stderr).toBe(`mailcheck: cannot read --resume file '${tmp}': not a regular file\n`);
    const s = await runCli(['check', '--summary-of', tmp]);
    expect(s.code).toBe(2);
    expect(s.stderr.trim().split('\n')).toHaveLength(1);
    expect(s.stderr).toMatch(/^mailcheck: cannot read results file '.*': not a regular file\n$/);
  });
});

describe('check --summary-of', () => {
  it('totals shard outputs as one run: the same table and exit code', async () => {
    const files = await Promise.all(
      [1, 2, 3].map(async (k) => {
        const f = join(tmp, `shard-${k}.ndjson`);
        writeFileSync(f, (await runCli(['check', '--batch', list, ...args, '--json', '--shard', `${k}/3`])).stdout);
        return f;
      }),
    );
    const text = await runCli(['check', '--batch', list, ...args]);
    const summary = await runCli(['check', '--summary-of', ...files]);
    expect(summary.code).toBe(text.code);
    // The one-run table, from its head line on, less the time and rate a summary of files cannot know.
    const table = (s: string) =>
      s.slice(s.indexOf(`${NAMES.length} domains`)).replace(/ in [\d.]+ s \([\d.]+\/s\)/, '');
    expect(table(summary.stdout)).toBe(table(text.stdout));
    expect(summary.stderr).toMatch(/2 input lines were not a domain name/);
    const json = JSON.parse((await runCli(['check', '--summary-of', ...files, '--json'])).stdout);
    expect(json).toMatchObject({ kind: 'batch-summary', domains: NAMES.length, invalid: 2 });
  });

  it('refuses a file cut off mid-line, and a domain in two files counts once', async () => {
    const cut = join(tmp, 'cut.ndjson');
    writeFileSync(cut, whole.stdout.slice(0, whole.stdout.length - 100));
    const r = await runCli(['check', '--summary-of', cut]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/half-written line .*--resume/);
    const full = join(tmp, 'full.ndjson');
    writeFileSync(full, whole.stdout);
    const twice = await runCli(['check', '--summary-of', full, full, '--json']);
    expect(JSON.parse(twice.stdout).domains).toBe(NAMES.length + 2);
    expect(twice.stderr).toMatch(/31 lines repeated a domain already counted/);
  });
});

describe('check --workers', () => {
  it('two worker threads give the lines, order, summary and exit code of one thread', async () => {
    for (const format of [['--json'], ['--format', 'text'], ['--format', 'junit']]) {
      const one = await runCli(['check', '--batch', list, ...args, ...format, '--workers', '1']);
      const two = await runCli(['check', '--batch', list, ...args, ...format, '--workers', '2']);
      const norm = (s: string) =>
        s
          .replace(/"ms":\d+/g, '"ms":0')
          .replace(/\d+ ms\b/g, 'N ms')
          .replace(/ in [\d.]+ s \([\d.]+\/s\)/, '')
          .replace(/time="[\d.]+"|timestamp="[^"]+"/g, '');
      expect(norm(two.stdout)).toBe(norm(one.stdout));
      expect(two.code).toBe(one.code);
      expect(two.stderr).toBe(one.stderr);
    }
  });
});
