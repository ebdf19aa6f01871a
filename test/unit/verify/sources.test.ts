import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTasks } from '../../../src/verify/run.js';
import type { VerifyItem } from '../../../src/verify/types.js';
import { expandTargets, splitMbox } from '../../../src/verify/sources.js';
import { fixtureResolver } from '../../helpers/zones.js';

describe('splitMbox (RFC 4155, mboxrd)', () => {
  it('splits at "From " lines after an empty line, drops the separator line and undoes >From quoting', () => {
    const mbox =
      'From a@x Sat Nov 29 10:00:00 2025\nSubject: 1\n\n>From the start\n>>From quoted twice\nFrom inside a paragraph is not a separator\n\nFrom b@x Sat Nov 29 10:00:01 2025\nSubject: 2\n\nbody\n\n';
    const parts = splitMbox(Buffer.from(mbox)).map((b) => b.toString());
    expect(parts).toEqual([
      'Subject: 1\n\nFrom the start\n>From quoted twice\nFrom inside a paragraph is not a separator\n',
      'Subject: 2\n\nbody\n',
    ]);
  });
});

describe('expandTargets and verifyTasks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-sources-'));
    const md = join(dir, 'Maildir');
    for (const sub of ['new', 'cur', 'tmp']) await mkdir(join(md, sub), { recursive: true });
    await writeFile(join(md, 'new', '1.eml'), 'From: a@mailer.test\r\nSubject: one\r\n\r\nhi\r\n');
    await writeFile(join(md, 'cur', '2.eml:2,S'), 'From: b@mailer.test\r\nSubject: two\r\n\r\nhi\r\n');
    await writeFile(join(md, 'tmp', 'partial'), 'From: half');
    await writeFile(join(md, 'new', '.hidden'), 'x');
    await writeFile(join(dir, 'junk.txt'), 'not a message at all\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a Maildir is new/ and cur/ (not tmp/, not dotfiles); a missing path is an error of its own', async () => {
    const { tasks, errors } = await expandTargets([join(dir, 'Maildir'), join(dir, 'missing.eml')]);
    expect(tasks.map((t) => t.file.slice(dir.length))).toEqual(['/Maildir/new/1.eml', '/Maildir/cur/2.eml:2,S']);
    expect(errors).toEqual([{ file: join(dir, 'missing.eml'), error: 'no such file or folder' }]);
  });

  it('an mbox gives one task per message, with its position', async () => {
    const { tasks } = await expandTargets([new URL('../../../fixtures/eml/inbox.mbox', import.meta.url).pathname]);
    expect(tasks.map((t) => t.index)).toEqual([1, 2, 3]);
  });

  it('verifies in input order; a file that is not a message is an item with an error, the others go on', async () => {
    const { tasks } = await expandTargets([join(dir, 'junk.txt'), join(dir, 'Maildir')]);
    const items: VerifyItem[] = [];
    await verifyTasks(
      tasks,
      { authservId: 'x' },
      { resolver: fixtureResolver(), now: () => new Date() },
      { jobs: 1, onItem: (i) => items.push(i) },
    );
    expect(items.map((i) => ('error' in i ? `error: ${i.error}` : i.from))).toEqual([
      "error: not a message: the first line of the header section is not a header field ('not a message at all')",
      'a@mailer.test',
      'b@mailer.test',
    ]);
    expect(items[0]!.findings[0]!.id).toBe('verify.input.unreadable');
  });
});
