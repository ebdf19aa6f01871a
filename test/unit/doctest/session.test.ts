// The doc-test runner: one bash for a document, each command's output and status apart, ports, timeouts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { judgeBlock, parseConsoleBlocks, runSession } from '../../helpers/doctest/index.js';

const md = (...lines: string[]) => lines.join('\n');

describe('runSession', () => {
  it('runs the blocks in one shell: variables carry over, $? is the last command, output and status apart', async () => {
    const blocks = parseConsoleBlocks(
      md(
        '```console',
        '$ X="a b"',
        '```',
        '```console',
        '$ printf "%s\\n" $X; echo err >&2',
        'a',
        'b',
        'err',
        '$ ls fixtures/zones/example.test.zone missing  # exit 2',
        '$ echo $?',
        '2',
        '$ pwd',
        '```',
      ),
    );
    const session = await runSession(blocks, { root: ROOT });
    const runs = blocks[1].commands.map((c) => session.runs.get(c));
    expect(runs.map((r) => r?.status)).toEqual([0, 2, 0, 0]);
    expect(runs[0]?.output).toBe('a\nb\nerr\n');
    // Commands run in a scratch directory that links the repository's files, shown as a clone in a home.
    expect(judgeBlock(blocks[1], session).shown.split('\n').slice(-1)).toEqual(['/home/you/projects/mailcheck']);
    expect(judgeBlock(blocks[0], session).ok).toBe(true);
    expect(session.shellErrors).toBe('');
  });

  it("judges a wrong output and a wrong exit status as a block to rewrite, a syntax error as that command's", async () => {
    const blocks = parseConsoleBlocks(
      md('```console', '$ echo one; false', 'two', '$ echo "unterminated', '$ echo still runs', 'still runs', '```'),
    );
    const session = await runSession(blocks, { root: ROOT });
    const verdict = judgeBlock(blocks[0], session);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([]);
    expect(verdict.shown.split('\n')).toEqual([
      '$ echo one; false  # exit 1',
      'one',
      '$ echo "unterminated  # exit 2',
      expect.stringMatching(/unexpected EOF while looking for matching/),
      '$ echo still runs',
      'still runs',
    ]);
  });

  it('gives ports 2525… a free port each, waits for a background server to listen, stops it at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-doctest-'));
    const server = join(dir, 'listen.mjs');
    writeFileSync(
      server,
      "import { createServer } from 'node:net';\n" +
        'const port = Number(process.argv[2]);\n' +
        // Listens late, as a receiver making its certificate does: the next command must still find it listening.
        // (The runner's readiness probe connects and leaves at once: the server must not die of that.)
        "setTimeout(() => createServer((s) => s.on('error', () => {}).end('hello from ' + port + '\\n')).listen(port, '127.0.0.1'), 300);\n",
    );
    try {
      const blocks = parseConsoleBlocks(
        md(
          '```console',
          `$ node ${server} 2525 &`,
          "$ node -e \"require('net').connect(2525, '127.0.0.1').pipe(process.stdout)\"",
          'hello from 2525',
          '```',
        ),
      );
      const session = await runSession(blocks, { root: ROOT });
      const [bg, client] = blocks[0].commands.map((c) => session.runs.get(c));
      const real = [...session.ports].find(([, shown]) => shown === 2525)?.[0];
      expect(real).toBeGreaterThan(0);
      expect(real).not.toBe(2525);
      expect(client?.output).toBe(`hello from ${real}\n`);
      expect(judgeBlock(blocks[0], session).ok).toBe(true);
      expect(bg?.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a command that does not finish, says which, and leaves the rest not run', async () => {
    const blocks = parseConsoleBlocks(md('```console', '$ echo before', 'before', '$ sleep 30', '$ echo after', '```'));
    const started = Date.now();
    const session = await runSession(blocks, { root: ROOT, commandTimeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(10_000);
    const verdict = judgeBlock(blocks[0], session);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      'README.md:4: $ sleep 30 — did not finish within 0.5 s',
      'README.md:5: $ echo after — not run: the run stopped at an earlier command',
    ]);
  });
});
