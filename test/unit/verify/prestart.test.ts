// Which helpers a verify forks before its command line is parsed (src/verify/prestart.ts): a guess from the
// paths that must match what the run itself decides for Maildirs and folders, and stay off for anything else.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER_THRESHOLD, planHelpers, threadsFor, v8FlagsFor } from '../../../src/verify/prestart.js';

let tmp: string;
let maildir: string;
let folder: string;
let small: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mailcheck-prestart-'));
  maildir = join(tmp, 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  // 300 in new/, 300 in cur/, and what listFolder skips: tmp/ and dot files.
  for (let i = 0; i < 300; i++) {
    writeFileSync(join(maildir, 'new', `${i}.M1P1.host`), 'x');
    writeFileSync(join(maildir, 'cur', `${i}.M1P1.host:2,S`), 'x');
    writeFileSync(join(maildir, 'tmp', `${i}.M1P1.host`), 'x');
  }
  writeFileSync(join(maildir, 'new', '.hidden'), 'x');
  folder = join(tmp, 'folder');
  mkdirSync(folder);
  for (let i = 0; i < HELPER_THRESHOLD - 1; i++) writeFileSync(join(folder, `${i}.eml`), 'x');
  writeFileSync(join(folder, '.DS_Store'), 'x');
  small = join(tmp, 'one.eml');
  writeFileSync(small, 'x');
  writeFileSync(join(tmp, 'big.mbox'), Buffer.alloc(1 << 20));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('planHelpers', () => {
  const cores = availableParallelism();
  const wanted = (count: number, jobs?: number) => {
    const procs = threadsFor(count, jobs);
    return procs > 1
      ? { helpers: procs - 1, v8Flags: v8FlagsFor(Math.ceil(count / procs)) }
      : { helpers: 0, v8Flags: [] };
  };

  it('counts a Maildir as the run does (new/ and cur/, no dot files) and plans its helpers', () => {
    expect(planHelpers(['verify', maildir])).toEqual(wanted(600));
    expect(planHelpers(['verify', maildir, '--jobs', '3'])).toEqual({ helpers: 2, v8Flags: ['--no-opt'] });
    expect(planHelpers(['verify', '--jobs=2', maildir, '--json'])).toEqual({ helpers: 1, v8Flags: ['--no-opt'] });
    // Options and their values read as paths only add what they name: an --ip value nothing, a file one.
    expect(planHelpers(['verify', maildir, '--ip', '192.0.2.1', '--zone', small])).toEqual(wanted(601));
    if (cores > 1) expect(planHelpers(['verify', maildir]).helpers).toBe(cores - 1);
  });

  it('starts nothing below the threshold, for --jobs 1, a bad --jobs, or another command', () => {
    expect(planHelpers(['verify', folder])).toEqual({ helpers: 0, v8Flags: [] }); // one file short, .DS_Store aside
    expect(planHelpers(['verify', folder, small])).toEqual(wanted(HELPER_THRESHOLD));
    expect(planHelpers(['verify', maildir, '--jobs', '1'])).toEqual({ helpers: 0, v8Flags: [] });
    expect(planHelpers(['verify', maildir, '--jobs', 'x'])).toEqual({ helpers: 0, v8Flags: [] });
    expect(planHelpers(['verify', maildir, '--jobs'])).toEqual({ helpers: 0, v8Flags: [] });
    expect(planHelpers(['dkim', 'verify', maildir])).toEqual({ helpers: 0, v8Flags: [] });
    expect(planHelpers(['--json', 'verify', join(tmp, 'missing')])).toEqual({ helpers: 0, v8Flags: [] });
    expect(planHelpers([])).toEqual({ helpers: 0, v8Flags: [] });
  });

  it('takes a big file for an mbox worth helpers, a small one for one message', () => {
    expect(planHelpers(['verify', join(tmp, 'big.mbox')])).toEqual(wanted(HELPER_THRESHOLD));
    expect(planHelpers(['verify', small])).toEqual({ helpers: 0, v8Flags: [] });
  });
});
