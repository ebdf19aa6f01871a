// The README's console blocks are doc tests: each `$ mailcheck …` runs (built CLI, offline fixtures) and its output
// must be what the block shows, so the tour cannot drift from the tool. DOCS_UPDATE=1 (npm run docs:update)
// rewrites the blocks from real output instead. Conventions: CONTRIBUTING.md, "Console blocks in the docs".
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import {
  judgeBlock,
  parseConsoleBlocks,
  replaceBlocks,
  runSession,
  type BlockVerdict,
  type DocBlock,
  type SessionResult,
} from '../helpers/doctest/index.js';

const UPDATE = process.env.DOCS_UPDATE === '1';
const DOCS = ['README.md'];
// A few recipes pipe JSON into jq: .ci/run installs it, but the quick start's `npm test` must also pass on a fresh
// machine without it, so those blocks are skipped there (and say so), never judged against "jq: not found".
const HAS_JQ = spawnSync('jq', ['--version']).status === 0;
const needsJq = (block: DocBlock) => block.commands.some((c) => /\|\s*jq\b/.test(c.shell));

for (const name of DOCS) {
  const file = join(ROOT, name);
  const markdown = readFileSync(file, 'utf8');
  const blocks = parseConsoleBlocks(markdown, name);

  describe(`${name} console blocks`, () => {
    let session: SessionResult;
    const verdicts = new Map<DocBlock, BlockVerdict>();

    beforeAll(async () => {
      session = await runSession(blocks, { root: ROOT });
    }, 300_000);

    afterAll(() => {
      if (!UPDATE) return;
      const bodies = new Map<DocBlock, string[]>();
      for (const [block, v] of verdicts) if (!v.ok && v.problems.length === 0) bodies.set(block, v.shown.split('\n'));
      if (bodies.size === 0) return;
      writeFileSync(file, replaceBlocks(markdown, bodies));
      console.log(`docs:update rewrote ${bodies.size} console block(s) of ${name}: review them with git diff`);
    });

    it('has console blocks to run', () => {
      expect(blocks.length).toBeGreaterThan(0);
      expect(session.shellErrors).toBe('');
    });

    for (const block of blocks) {
      const title = `${name}:${block.open} $ ${block.commands[0].shell.split('\n')[0]}`;
      it.skipIf(!HAS_JQ && needsJq(block))(title, () => {
        const verdict = judgeBlock(block, session);
        verdicts.set(block, verdict);
        expect(verdict.problems).toEqual([]);
        if (UPDATE) return;
        expect(
          verdict.shown,
          `${name}:${block.open}: the block differs from the real output (npm run docs:update)`,
        ).toBe(verdict.expected);
      });
    }
  });
}
