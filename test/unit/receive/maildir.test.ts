import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STALE_TMP_MS, groupCommit, openMaildir } from '../../../src/receive/maildir.js';

describe('groupCommit (shared directory fsyncs)', () => {
  it('callers arriving while a run is in flight share the next run: N concurrent calls, two runs', async () => {
    let runs = 0;
    let release!: () => void;
    const op = () => {
      runs++;
      return new Promise<void>((r) => (release = r));
    };
    const sync = groupCommit(op);
    const first = sync();
    const later = Array.from({ length: 10 }, () => sync());
    expect(runs).toBe(1);
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2); // the ten waited for a run that started after they asked
    release();
    await Promise.all(later);
    expect(runs).toBe(2);
  });

  it('a caller is never resolved by a run that started before it asked', async () => {
    const started: number[] = [];
    let clock = 0;
    const releases: (() => void)[] = [];
    const sync = groupCommit(() => {
      started.push(clock);
      return new Promise<void>((r) => releases.push(r));
    });
    void sync();
    clock = 1;
    let resolvedAt = -1;
    const p = sync().then(() => (resolvedAt = started[started.length - 1]!));
    releases[0]!();
    await new Promise((r) => setImmediate(r));
    expect(resolvedAt).toBe(-1);
    releases[1]!();
    await p;
    expect(resolvedAt).toBe(1);
  });

  it('a failed run fails its callers, and the next call runs again', async () => {
    let n = 0;
    const sync = groupCommit(async () => {
      if (n++ === 0) throw new Error('EIO');
    });
    await expect(sync()).rejects.toThrow('EIO');
    await expect(sync()).resolves.toBeUndefined();
  });
});

describe('openMaildir', () => {
  it('creates tmp/new/cur, writes every part in order, and leaves tmp/ empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      const md = await openMaildir(join(dir, 'deep', 'inbox'));
      const parts = [Buffer.from('Header: 1\r\n'), Buffer.from('\r\nbody\r\n')];
      const stored = await Promise.all(Array.from({ length: 20 }, () => md.deliver(parts)));
      await md.close();
      expect((await readdir(md.root)).sort()).toEqual(['cur', 'new', 'tmp']);
      expect(await readdir(join(md.root, 'tmp'))).toEqual([]);
      const names = await readdir(join(md.root, 'new'));
      expect(new Set(names).size).toBe(20);
      for (const s of stored) {
        expect(s.name).toMatch(/^\d+\.M\d+P\d+Q\d+R[0-9a-f]+\.[^/:]+,S=19$/);
        expect(await readFile(s.path, 'latin1')).toBe('Header: 1\r\n\r\nbody\r\n');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a delivery that cannot be written fails and leaves nothing behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      const md = await openMaildir(dir);
      await rm(join(dir, 'tmp'), { recursive: true });
      await expect(md.deliver([Buffer.from('x')])).rejects.toThrow(/cannot store the message/);
      expect(await readdir(join(dir, 'new'))).toEqual([]);
      await md.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('openMaildir: a disk that refuses (tests run as root, so a read-only mode would not stop us)', () => {
  it.each([
    [
      'new/ replaced by a regular file',
      async (d: string) => {
        await rm(join(d, 'new'), { recursive: true });
        await writeFile(join(d, 'new'), 'not a directory');
      },
    ],
    [
      'tmp/ replaced by a dangling symlink',
      async (d: string) => {
        await rm(join(d, 'tmp'), { recursive: true });
        await symlink(join(d, 'nowhere'), join(d, 'tmp'));
      },
    ],
  ])('%s: the delivery fails and leaves no file anywhere', async (_what, breakIt) => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      const md = await openMaildir(dir);
      await breakIt(dir);
      await expect(md.deliver([Buffer.from('Subject: x\r\n\r\nbody\r\n')])).rejects.toThrow(/cannot store the message/);
      await md.close();
      const left = (await readdir(dir, { recursive: true })).filter((f) => !['tmp', 'new', 'cur'].includes(String(f)));
      expect(left).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('openMaildir: new/ deleted and made again while running', () => {
  /** The directories this process holds open under `dir`, as the kernel names them ("… (deleted)" once unlinked). */
  const openDirs = async (dir: string) => {
    const out: string[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
      if (target.startsWith(dir)) out.push(target.slice(dir.length));
    }
    return out.sort();
  };

  it.skipIf(!existsSync('/proc/self/fd')).each([
    ['told by the watch on the root', true],
    ['by a stat per group, without a watch', false],
  ])('the next group fsyncs the new new/ (its inode changed), not the unlinked old one: %s', async (_how, watch) => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      const md = await openMaildir(dir, { watch });
      await md.deliver([Buffer.from('Subject: 1\r\n\r\nbody\r\n')]);
      expect(await openDirs(dir)).toEqual(['/new']);
      await rm(join(dir, 'new'), { recursive: true });
      await mkdir(join(dir, 'new'));
      await md.deliver([Buffer.from('Subject: 2\r\n\r\nbody\r\n')]);
      // The rename went into the new directory; the handle fsynced for it is that directory's.
      expect(await readdir(join(dir, 'new'))).toHaveLength(1);
      expect(await openDirs(dir)).toEqual(['/new']);
      await md.close();
      expect(await openDirs(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('openMaildir: tmp/ sweep after a crash (Maildir: delete files in tmp/ not accessed for 36 hours)', () => {
  it('removes stale files, keeps and counts younger ones, leaves other entries alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      const now = Date.now();
      await mkdir(join(dir, 'tmp'), { recursive: true });
      const at = async (name: string, ageMs: number) => {
        await writeFile(join(dir, 'tmp', name), 'partial message');
        const t = new Date(now - ageMs);
        await utimes(join(dir, 'tmp', name), t, t);
      };
      await at('old-1', STALE_TMP_MS + 60_000);
      await at('old-2', 30 * 24 * 3600 * 1000);
      await at('young', STALE_TMP_MS - 60_000);
      await at('fresh', 0);
      await mkdir(join(dir, 'tmp', 'a-directory'));
      const md = await openMaildir(dir, { now: () => now });
      expect(md.tmpSweep).toEqual({ removed: 2, kept: 2 });
      expect((await readdir(join(dir, 'tmp'))).sort()).toEqual(['a-directory', 'fresh', 'young']);
      await md.close();
      // An hour later the 'young' one has crossed the line.
      const later = await openMaildir(dir, { now: () => now + 3600_000 });
      expect(later.tmpSweep).toEqual({ removed: 1, kept: 1 });
      await later.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a new Maildir has nothing to sweep', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      const md = await openMaildir(join(dir, 'inbox'));
      expect(md.tmpSweep).toEqual({ removed: 0, kept: 0 });
      await md.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
