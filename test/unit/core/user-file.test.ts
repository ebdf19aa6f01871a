// Files a user names: read whole, or one usage line "cannot read <what> '<path>': <why>", the same for every flag.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { cannotRead, fileErrorReason, readUserFile } from '../../../src/core/user-file.js';

describe('readUserFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailcheck-user-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a.txt');
  writeFileSync(file, 'h\xe9', 'latin1');

  it('returns the bytes, or the text in the encoding asked for', async () => {
    expect(await readUserFile(file, '--eml file')).toEqual(Buffer.from([0x68, 0xe9]));
    expect(await readUserFile(file, 'message', 'latin1')).toBe('hé');
  });

  it('says "no such file" for a missing file, and the errno code otherwise', async () => {
    const missing = join(dir, 'missing.pem');
    await expect(readUserFile(missing, '--ca file', 'utf8')).rejects.toThrow(UsageError);
    await expect(readUserFile(missing, '--ca file', 'utf8')).rejects.toThrow(
      `cannot read --ca file '${missing}': no such file`,
    );
    await expect(readUserFile(dir, 'zone file', 'utf8')).rejects.toThrow(`cannot read zone file '${dir}': EISDIR`);
  });

  it('falls back to the message when an error has no code', () => {
    expect(fileErrorReason(new Error('boom'))).toBe('boom');
    expect(cannotRead('policy file', 'p.yml', new Error('boom')).message).toBe("cannot read policy file 'p.yml': boom");
  });
});
