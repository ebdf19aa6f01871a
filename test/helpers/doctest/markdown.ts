// Doc tests, part 1: finds the ```console blocks of a Markdown file and splits each into commands (`$ ` lines,
// `\`-continued) and the output written under them. The conventions are described in CONTRIBUTING.md.

/** One `$ ` command of a console block and the output the document shows for it. */
export interface DocCommand {
  /** 1-based line of the `$ ` line in the file. */
  line: number;
  /** The command line(s) as written, without the block's indentation (the first one starts with `$ `). */
  source: string[];
  /** The shell text to run: `$ ` removed, continuation lines kept (bash joins `\`-newline itself). */
  shell: string;
  /** The exit status the document claims: a comment `# exit N` (any words after) ending the command, else 0. */
  exit: number;
  /** Exit status not checked: a background command (`&`), or the next command shows `$?` itself. */
  exitShown: boolean;
  background: boolean;
  /** The output lines under the command, as written (the block's indentation removed). */
  expected: string[];
}

export interface DocBlock {
  file: string;
  /** 1-based lines of the opening and closing fences. */
  open: number;
  close: number;
  /** The fence's indentation (a block inside a list item), put back when the block is rewritten. */
  indent: string;
  commands: DocCommand[];
}

export class DocSyntaxError extends Error {}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/;
const EXIT_NOTE = /\s+#\s*exit\s+(\d+)\b.*$/;

/** The console blocks of a Markdown text that are to be run (```console, not ```console no-run). */
export function parseConsoleBlocks(markdown: string, file = 'README.md'): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = FENCE.exec(lines[i]);
    if (!m) {
      i++;
      continue;
    }
    const [, indent, fence, lang, rest] = m;
    const end = findClose(lines, i + 1, fence);
    if (end < 0) throw new DocSyntaxError(`${file}:${i + 1}: code block is never closed`);
    if (lang === 'console' && !/\bno-run\b/.test(rest)) {
      const body = lines.slice(i + 1, end).map((l) => dedent(l, indent.length));
      blocks.push({ file, open: i + 1, close: end + 1, indent, commands: parseSession(body, i + 2, file) });
    }
    i = end + 1;
  }
  return blocks;
}

function findClose(lines: string[], from: number, fence: string): number {
  const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
  for (let j = from; j < lines.length; j++) if (close.test(lines[j])) return j;
  return -1;
}

function dedent(line: string, n: number): string {
  let k = 0;
  while (k < n && line[k] === ' ') k++;
  return line.slice(k);
}

/** Splits a block's lines (first at line `first` of the file) into commands and their output. */
export function parseSession(body: string[], first: number, file = 'README.md'): DocCommand[] {
  const commands: DocCommand[] = [];
  let k = 0;
  while (k < body.length) {
    const line = body[k];
    if (!line.startsWith('$ ') && line !== '$') {
      if (commands.length === 0) {
        if (line.trim() === '') {
          k++;
          continue;
        }
        throw new DocSyntaxError(`${file}:${first + k}: console block output before its first "$ " command line`);
      }
      commands[commands.length - 1].expected.push(line);
      k++;
      continue;
    }
    const start = k;
    const source = [line];
    while (/\\$/.test(source[source.length - 1]) && k + 1 < body.length) source.push(body[++k]);
    k++;
    commands.push(makeCommand(source, first + start));
  }
  if (commands.length === 0) throw new DocSyntaxError(`${file}:${first - 1}: console block without a "$ " command`);
  for (let c = 0; c + 1 < commands.length; c++) {
    if (commands[c + 1].shell.includes('$?')) commands[c].exitShown = true;
  }
  return commands;
}

function makeCommand(source: string[], line: number): DocCommand {
  const last = source[source.length - 1];
  const note = EXIT_NOTE.exec(last);
  const shell = [source[0].slice(2), ...source.slice(1)].join('\n');
  const background = /(^|[^&])&\s*(#.*)?$/.test(last);
  return {
    line,
    source,
    shell,
    exit: note ? Number(note[1]) : 0,
    exitShown: background,
    background,
    expected: [],
  };
}

/** The command's lines with the `# exit N` note saying `status` (none for 0). */
export function withExitNote(source: string[], status: number): string[] {
  const out = source.slice();
  const last = out[out.length - 1].replace(EXIT_NOTE, '');
  out[out.length - 1] = status === 0 ? last : `${last}  # exit ${status}`;
  return out;
}

/** Replaces the bodies of the given blocks (between their fences) with new lines; other text is kept as is. */
export function replaceBlocks(markdown: string, bodies: Map<DocBlock, string[]>): string {
  const lines = markdown.split('\n');
  const sorted = [...bodies.keys()].sort((a, b) => b.open - a.open);
  for (const block of sorted) {
    const body = bodies.get(block) ?? [];
    const indented = body.map((l) => (l === '' ? '' : block.indent + l));
    lines.splice(block.open, block.close - block.open - 1, ...indented);
  }
  return lines.join('\n');
}
