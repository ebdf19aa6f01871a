import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupCommit, openMaildir } from '../../../src/receive/maildir.js';

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
