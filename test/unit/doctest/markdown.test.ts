// The doc-test parser: which fenced blocks run, how a console block splits into commands and output.
import { describe, expect, it } from 'vitest';
import { DocSyntaxError, parseConsoleBlocks, replaceBlocks, withExitNote } from '../../helpers/doctest/markdown.js';

const md = (...lines: string[]) => lines.join('\n');

describe('parseConsoleBlocks', () => {
  it('runs ```console blocks only: sh, text, untagged and console no-run blocks are shown, not run', () => {
    const blocks = parseConsoleBlocks(
      md(
        '# Title',
        '```sh',
        'mailcheck mx example.com',
        '```',
        '```',
        '$ plain',
        '```',
        '```console no-run',
        '$ mailcheck probe example.com',
        '```',
        '```console',
        '$ mailcheck mx example.test $Z',
        'MX chain for example.test',
        '```',
      ),
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ open: 11, close: 14, indent: '' });
    expect(blocks[0].commands).toEqual([
      {
        line: 12,
        source: ['$ mailcheck mx example.test $Z'],
        shell: 'mailcheck mx example.test $Z',
        exit: 0,
        exitShown: false,
        background: false,
        expected: ['MX chain for example.test'],
      },
    ]);
  });

  it('joins `\\`-continued lines into one command and keeps blank output lines', () => {
    const [block] = parseConsoleBlocks(
      md(
        '```console',
        '$ mailcheck send --from a@x.test \\',
        '    --to b@x.test',
        'line 1',
        '',
        'line 3',
        '$ true',
        '```',
      ),
    );
    expect(block.commands.map((c) => c.shell)).toEqual([
      'mailcheck send --from a@x.test \\\n    --to b@x.test',
      'true',
    ]);
    expect(block.commands[0].line).toBe(2);
    expect(block.commands[0].expected).toEqual(['line 1', '', 'line 3']);
    expect(block.commands[1].line).toBe(7);
  });

  it('reads `# exit N` (words may follow), background `&`, and a next command that shows $? itself', () => {
    const [block] = parseConsoleBlocks(
      md(
        '```console',
        '$ mailcheck receive --port 2525 > log &',
        '$ mailcheck report r.xml  # exit 1: own mail fails',
        '$ mailcheck chek',
        'mailcheck: unknown command',
        '$ echo $?',
        '2',
        '$ a && b',
        '```',
      ),
    );
    expect(block.commands.map((c) => [c.exit, c.exitShown, c.background])).toEqual([
      [0, true, true],
      [1, false, false],
      [0, true, false],
      [0, false, false],
      [0, false, false],
    ]);
  });

  it('strips a list item indentation from a fenced block inside it', () => {
    const [block] = parseConsoleBlocks(md('- item', '  ```console', '  $ echo hi', '  hi', '  ```'));
    expect(block.indent).toBe('  ');
    expect(block.commands[0]).toMatchObject({ shell: 'echo hi', expected: ['hi'] });
  });

  it('refuses output before the first command, an empty block and an unclosed fence, naming the line', () => {
    expect(() => parseConsoleBlocks(md('text', '```console', 'output', '$ cmd', '```'))).toThrow(
      new DocSyntaxError('README.md:3: console block output before its first "$ " command line'),
    );
    expect(() => parseConsoleBlocks(md('```console', '', '```'))).toThrow(/README.md:1: console block without/);
    expect(() => parseConsoleBlocks(md('```console', '$ x'), 'docs/a.md')).toThrow(
      'docs/a.md:1: code block is never closed',
    );
  });

  it('does not take a longer closing fence for another block, nor ~~~ for ```', () => {
    const blocks = parseConsoleBlocks(md('````console', '$ echo', '```', '~~~', '````', '```console', '$ b', '```'));
    expect(blocks.map((b) => b.commands.map((c) => c.shell))).toEqual([['echo'], ['b']]);
    expect(blocks[0].commands[0].expected).toEqual(['```', '~~~']);
  });
});

describe('withExitNote and replaceBlocks', () => {
  it('sets, changes and removes the exit note on the last line of a command', () => {
    expect(withExitNote(['$ a \\', '  b'], 1)).toEqual(['$ a \\', '  b  # exit 1']);
    expect(withExitNote(['$ a  # exit 1: why'], 3)).toEqual(['$ a  # exit 3']);
    expect(withExitNote(['$ a  # exit 1'], 0)).toEqual(['$ a']);
  });

  it('replaces only the bodies of the given blocks, with their indentation, leaving the rest byte for byte', () => {
    const text = md('intro', '```console', '$ a', 'old', '```', 'middle', '  ```console', '  $ b', '  ```', 'end', '');
    const blocks = parseConsoleBlocks(text);
    const out = replaceBlocks(
      text,
      new Map([
        [blocks[0], ['$ a', 'new 1', 'new 2']],
        [blocks[1], ['$ b', '', 'x']],
      ]),
    );
    expect(out).toBe(
      md(
        'intro',
        '```console',
        '$ a',
        'new 1',
        'new 2',
        '```',
        'middle',
        '  ```console',
        '  $ b',
        '',
        '  x',
        '  ```',
        'end',
        '',
      ),
    );
  });
});
