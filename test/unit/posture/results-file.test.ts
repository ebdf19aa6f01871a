// results-file.ts: the NDJSON of a batch read back for --resume (a half-written last line cut off, from a file of
// any size) and --summary-of (every line a posture result, or a UsageError naming file and line).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { invalidInput } from '../../../src/posture/check.js';
import { cutPartialLine, partialTail, readResults, resultKey } from '../../../src/posture/results-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-results-'));
const line = (domain: string) => JSON.stringify({ ...invalidInput(domain, 'x'), kind: 'posture' }) + '\n';
const collect = async (file: string) => {
  const out: string[] = [];
  for await (const r of readResults(file)) out.push(resultKey(r));
  return out;
};

describe('results files', () => {
  it('finds and cuts a half-written last line, however long the file, and leaves a whole one alone', async () => {
    const file = join(dir, 'a.ndjson');
    const whole = Array.from({ length: 3000 }, (_, i) => line(`D${i}.test`)).join('');
    writeFileSync(file, whole + line('cut.test').slice(0, 40));
    expect(await partialTail(file)).toBe(40);
    expect(await cutPartialLine(file)).toBe(40);
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(await cutPartialLine(file)).toBe(0);
    // A file that is all one partial line goes to zero; a missing one is nothing to cut.
    writeFileSync(file, '{"kind":"posture","dom');
    expect(await cutPartialLine(file)).toBe(22);
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(await partialTail(join(dir, 'missing.ndjson'))).toBe(0);
  });

  it('reads each line as a result, keyed by its lower-cased domain; blank lines are skipped', async () => {
    const file = join(dir, 'b.ndjson');
    writeFileSync(file, line('A.test') + '\n' + line('b.test'));
    expect(await collect(file)).toEqual(['a.test', 'b.test']);
  });

  it('a line that is not a posture result is a usage error naming the file and line', async () => {
    const file = join(dir, 'c.ndjson');
    writeFileSync(file, line('a.test') + '{"kind":"mx","domain":"a.test"}\n');
    await expect(collect(file)).rejects.toThrow(
      new UsageError(`${file}:2 is not a result of 'mailcheck check --json'`),
    );
    writeFileSync(file, 'not json\n');
    await expect(collect(file)).rejects.toThrow(/c\.ndjson:1 is not a JSON line/);
    await expect(collect(join(dir, 'missing.ndjson'))).rejects.toThrow(/no such file/);
  });
});
