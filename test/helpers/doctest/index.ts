// Doc tests: a document's console blocks, run and held against what they show (test/e2e/readme.test.ts), and
// rewritten from real output (npm run docs:update). Conventions: CONTRIBUTING.md, "Console blocks in the docs".
import { compareOutput, outputLines } from './compare.js';
import { type DocBlock, type DocCommand, withExitNote } from './markdown.js';
import type { SessionResult } from './session.js';

export { parseConsoleBlocks, replaceBlocks, DocSyntaxError, type DocBlock } from './markdown.js';
export { runSession, PLACEHOLDER_PORTS, type SessionResult } from './session.js';

export interface BlockVerdict {
  ok: boolean;
  /** The block's body as the document has it. */
  expected: string;
  /** The block's body as it should be: real output, kept in the document's words wherever they still match. */
  shown: string;
  /** Commands that did not run to the end (timed out, never started): the block cannot be judged or rewritten. */
  problems: string[];
}

/** Holds one block against the session's real output. */
export function judgeBlock(block: DocBlock, session: SessionResult): BlockVerdict {
  const expected: string[] = [];
  const shown: string[] = [];
  const problems: string[] = [];
  for (const command of block.commands) {
    expected.push(...command.source, ...command.expected);
    const run = session.runs.get(command);
    if (!run || run.problem || run.output === undefined) {
      problems.push(`${block.file}:${command.line}: $ ${command.shell} — ${run?.problem ?? 'not run'}`);
      shown.push(...command.source, ...command.expected);
      continue;
    }
    shown.push(...sourceShown(command, run.status));
    const real = outputLines(run.output, { runDir: session.runDir, ports: session.ports });
    shown.push(...compareOutput(command.expected, real).shown, ...trailingBlanks(command.expected));
  }
  const text = (lines: string[]) => lines.map((l) => l.trimEnd()).join('\n');
  return {
    ok: problems.length === 0 && text(expected) === text(shown),
    expected: text(expected),
    shown: text(shown),
    problems,
  };
}

/** The command as the document should show it: with `# exit N` when it ends with a status other than 0. */
function sourceShown(command: DocCommand, status: number | undefined): string[] {
  if (command.exitShown || status === undefined || status === command.exit) return command.source;
  return withExitNote(command.source, status);
}

/** The blank lines a command's output ends with in the document (kept: they separate it from the next command). */
function trailingBlanks(expected: string[]): string[] {
  let n = 0;
  while (n < expected.length && expected[expected.length - 1 - n].trim() === '') n++;
  return new Array<string>(n).fill('');
}
