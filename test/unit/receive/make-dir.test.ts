// Creating the Maildir's directories: bounded where Node's recursive mkdir loops, and errors in words.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inWords, makeDirs } from '../../../src/receive/make-dir.js';

describe('makeDirs', () => {
  it('creates missing parents with the mode given, and accepts directories that exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'make-dir-'));
    try {
      await makeDirs(join(dir, 'a', 'b', 'c'), 0o700);
      expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
      expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
      await expect(makeDirs(join(dir, 'a', 'b'), 0o700)).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file in the way: ENOTDIR, worded with the part of the path that is the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'make-dir-'));
    try {
      await writeFile(join(dir, 'file'), 'x');
      for (const target of [join(dir, 'file'), join(dir, 'file', 'x', 'tmp')]) {
        const e = await makeDirs(target, 0o700).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect((e as NodeJS.ErrnoException).code).toBe('ENOTDIR');
        expect(await inWords(e)).toBe(`'${join(dir, 'file')}' is not a directory`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync('/proc/self'))(
    "a file system that takes no new entries (/proc): an error at once, where Node's recursive mkdir loops forever",
    async () => {
      const t0 = performance.now();
      const e = await makeDirs('/proc/nope/tmp', 0o700).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(await inWords(e)).toBe("cannot create '/proc/nope': the file system takes no new entries there");
    },
  );
});

describe('inWords', () => {
  const sys = (code: string, message: string, syscall?: string, path?: string) =>
    Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}), ...(path ? { path } : {}) });

  it('says what was tried on which path and why, without the error code', async () => {
    expect(await inWords(sys('EPERM', "EPERM: operation not permitted, mkdir '/sys/x'", 'mkdir', '/sys/x'))).toBe(
      "cannot create '/sys/x': not permitted",
    );
    expect(await inWords(sys('EACCES', "EACCES: permission denied, open '/m/new'", 'open', '/m/new'))).toBe(
      "cannot open '/m/new': permission denied",
    );
    expect(await inWords(sys('EROFS', "EROFS: read-only file system, mkdir '/ro/m'", 'mkdir', '/ro/m'))).toBe(
      "cannot create '/ro/m': the file system is read-only",
    );
    expect(await inWords(sys('EISDIR', "EISDIR: illegal operation on a directory, open '/d'", 'open', '/d'))).toBe(
      "'/d' is a directory",
    );
  });

  it("a code we have no phrase for keeps the system's words, still without the code", async () => {
    const w = await inWords(sys('EXDEV', "EXDEV: cross-device link not permitted, rename '/a'", 'rename', '/a'));
    expect(w).toBe("cannot use '/a': cross-device link not permitted");
    expect(w).not.toMatch(/EXDEV/);
  });
});
