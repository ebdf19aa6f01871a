// What report reads: folders (recursively), Maildirs (new/ and cur/, never tmp/), mbox files streamed a message at
// a time (mboxrd quoting undone, an over-large message named and skipped), and paths that are not there.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listInputs, readInputs, readMbox, type Input } from '../../../src/reports/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-report-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(gen: AsyncGenerator<Input>): Promise<Input[]> {
  const out: Input[] = [];
  for await (const i of gen) out.push(i);
  return out;
}

describe('listInputs', () => {
  it('a Maildir: new/ and cur/ only; a plain folder: files and sub-folders, hidden ones skipped', async () => {
    const md = join(dir, 'md');
    for (const s of ['new', 'cur', 'tmp']) mkdirSync(join(md, s), { recursive: true });
    writeFileSync(join(md, 'new', '2.x'), 'a');
    writeFileSync(join(md, 'cur', '1.x:2,S'), 'b');
    writeFileSync(join(md, 'tmp', '3.x'), 'unfinished');
    const plain = join(dir, 'plain');
    mkdirSync(join(plain, '2024', '05'), { recursive: true });
    writeFileSync(join(plain, 'b.xml'), '');
    writeFileSync(join(plain, '.hidden.xml'), '');
    writeFileSync(join(plain, '2024', '05', 'a.xml.gz'), '');
    const { files, errors } = await listInputs([md, plain, join(dir, 'missing')]);
    expect(files).toEqual([
      join(md, 'new', '2.x'),
      join(md, 'cur', '1.x:2,S'),
      join(plain, '2024', '05', 'a.xml.gz'),
      join(plain, 'b.xml'),
    ]);
    expect(errors).toEqual([{ path: join(dir, 'missing'), error: 'no such file or folder' }]);
  });
});

describe('mbox', () => {
  it('streams messages, undoes >From quoting, keeps CRLF-less bodies whole', async () => {
    const mbox = join(dir, 'box');
    writeFileSync(
      mbox,
      'From a@example.com Thu May  2 00:00:00 2024\nSubject: one\n\nline\n>From here\n\nFrom b@example.com Thu May  2 00:00:01 2024\nSubject: two\n\nbody two\n',
    );
    const got = await all(readInputs([mbox], 1 << 20));
    expect(got.map((g) => ('data' in g ? [g.label, g.data.toString()] : [g.label, g.error]))).toEqual([
      [`${mbox} #1`, 'Subject: one\n\nline\nFrom here'],
      [`${mbox} #2`, 'Subject: two\n\nbody two'],
    ]);
  });

  it('a message over the limit is named and skipped, the next one still read', async () => {
    const mbox = join(dir, 'big');
    writeFileSync(mbox, `From x\nSubject: big\n\n${'y'.repeat(5000)}\n\nFrom z\nSubject: small\n\nok\n`);
    const got = await all(readMbox(mbox, 1000));
    expect(got[0]).toEqual({
      label: `${mbox} #1`,
      error: 'a message over the 1000-byte limit for one input',
      tooLarge: true,
    });
    expect(got[1]).toMatchObject({ label: `${mbox} #2` });
  });

  it('a last line without a newline counts against the limit too', async () => {
    const mbox = join(dir, 'tail');
    writeFileSync(mbox, `From z\nSubject: small\n\nok\n\nFrom x\nSubject: big\n\n${'y'.repeat(5000)}`);
    const got = await all(readMbox(mbox, 1000));
    expect(got).toEqual([
      { label: `${mbox} #1`, data: Buffer.from('Subject: small\n\nok') },
      { label: `${mbox} #2`, error: 'a message over the 1000-byte limit for one input', tooLarge: true },
    ]);
  });

  it('a line longer than the limit is dropped as it streams, and the messages after it are read', async () => {
    // 3 MB without a newline, across a dozen read chunks, in a box whose limit is 64 KiB.
    const mbox = join(dir, 'longline');
    writeFileSync(
      mbox,
      `From x\nSubject: long\n\n${'z'.repeat(3 << 20)}\nmore\n\nFrom y\nSubject: after\n\nok\n` +
        `\nFrom w\nSubject: also long\n\n${'w'.repeat(1 << 20)}`,
    );
    const got = await all(readMbox(mbox, 64 * 1024));
    expect(got.map((g) => ('data' in g ? [g.label, g.data.toString()] : [g.label, g.error]))).toEqual([
      [`${mbox} #1`, 'a message over the 65536-byte limit for one input'],
      [`${mbox} #2`, 'Subject: after\n\nok'],
      [`${mbox} #3`, 'a message over the 65536-byte limit for one input'],
    ]);
  });

  it('a file over the limit is one error', async () => {
    const f = join(dir, 'large.xml');
    writeFileSync(f, 'x'.repeat(3000));
    expect(await all(readInputs([f], 1000))).toEqual([
      { label: f, error: '3000 bytes, over the 1000-byte limit for one input', tooLarge: true },
    ]);
  });
});
