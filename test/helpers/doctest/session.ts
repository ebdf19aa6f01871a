// Doc tests, part 3: runs a document's console commands, in order, in one bash (so `Z=…` in one block serves the
// next, and a receiver started with `&` serves the commands after it), in a scratch directory that links the
// repository's files, with `mailcheck` on PATH. Each command's output (stdout and stderr, as a terminal shows them)
// and exit status are kept apart; ports 2525–2529 in commands stand for free ports.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocBlock, DocCommand } from './markdown.js';

/** Port numbers that stand for a free port in a document's commands (and are shown in place of it). */
export const PLACEHOLDER_PORTS = [2525, 2526, 2527, 2528, 2529];

export interface CommandRun {
  command: DocCommand;
  /** What it printed, stdout and stderr interleaved; undefined when it never ran. */
  output?: string;
  /** Its exit status; undefined when it never ran or did not finish. */
  status?: number;
  /** Why it has no status: timed out, or the run stopped before it. */
  problem?: string;
}

export interface SessionResult {
  runs: Map<DocCommand, CommandRun>;
  runDir: string;
  ports: Map<number, number>;
  /** What bash itself said on stderr (not the commands: theirs is in their output). */
  shellErrors: string;
}

export interface SessionOptions {
  /** The repository: its top-level entries are linked into the scratch directory, its bin/mailcheck.js is run. */
  root: string;
  /** Longest a single command may take, in ms (default 60 s): then the run is stopped. */
  commandTimeoutMs?: number;
  /** Extra environment for the commands. */
  env?: Record<string, string>;
  /** Keep the scratch directory (to look at what the commands wrote). */
  keep?: boolean;
}

export async function runSession(blocks: DocBlock[], opts: SessionOptions): Promise<SessionResult> {
  const base = realpathSync(mkdtempSync(join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'mc-doc-')));
  // /tmp/mc-doc-XXXXXX/mailcheck is as long as the path it is shown as, so lines that print it wrap the same.
  const runDir = join(base, 'mailcheck');
  const binDir = join(base, 'bin');
  const io = join(base, 'io');
  for (const d of [runDir, binDir, io]) mkdirSync(d);
  for (const entry of readdirSync(opts.root)) {
    if (entry === '.git' || entry === 'node_modules') continue;
    symlinkSync(join(opts.root, entry), join(runDir, entry));
  }
  writeFileSync(
    join(binDir, 'mailcheck'),
    `#!/bin/sh\nexec ${shq(process.execPath)} ${shq(join(opts.root, 'bin', 'mailcheck.js'))} "$@"\n`,
    { mode: 0o755 },
  );
  const ports = await freePorts(PLACEHOLDER_PORTS.length);
  const portMap = new Map(PLACEHOLDER_PORTS.map((p, k) => [p, ports[k]]));
  const commands = blocks.flatMap((b) => b.commands);
  writeFileSync(join(base, 'script.sh'), script(commands, runDir, io, portMap));

  const env: Record<string, string | undefined> = { ...process.env };
  // As in a plain shell: no COLUMNS (bash does not export it), so output is as piped (reports at 80 columns,
  // stream lines whole) — what `cat receive.log` shows too; no colour; no mailcheck settings of the user's.
  for (const k of Object.keys(env)) {
    if (k.startsWith('MAILCHECK_') || ['FORCE_COLOR', 'COLUMNS', 'LINES'].includes(k)) delete env[k];
  }
  Object.assign(env, {
    PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NO_COLOR: '1',
    TZ: 'UTC',
    LC_ALL: 'C.UTF-8',
    CI: '1',
    ...opts.env,
  });
  const { started, shellErrors, timedOut } = await runScript(join(base, 'script.sh'), runDir, env, opts);

  const runs = new Map<DocCommand, CommandRun>();
  commands.forEach((command, k) => {
    const run: CommandRun = { command };
    const out = join(io, `${k}.out`);
    const rc = join(io, `${k}.rc`);
    if (existsSync(out)) run.output = readFileSync(out, 'utf8');
    if (existsSync(rc)) run.status = Number(readFileSync(rc, 'utf8').trim());
    else if (timedOut && k === started) run.problem = `did not finish within ${timeoutOf(opts) / 1000} s`;
    else if (k > started) run.problem = 'not run: the run stopped at an earlier command';
    else if (!command.background) run.problem = 'did not finish';
    runs.set(command, run);
  });
  if (!opts.keep) rmSync(base, { recursive: true, force: true });
  return { runs, runDir, ports: invert(portMap), shellErrors };
}

function timeoutOf(opts: SessionOptions): number {
  return opts.commandTimeoutMs ?? 60_000;
}

function invert(map: Map<number, number>): Map<number, number> {
  return new Map([...map].map(([shown, real]) => [real, shown]));
}

/** bash single-quoting. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// Each command is eval'ed, so a syntax error is that command's (exit 2, its message in its output) and the run
// goes on; `(exit $rc)` first gives `echo $?` the status of the command before. A command run in the background
// is waited for until the ports it names accept connections, as a reader waits for the "listening" line.
function script(commands: DocCommand[], runDir: string, io: string, ports: Map<number, number>): string {
  const lines = [
    `cd ${shq(runDir)} || exit 97`,
    '__dt_rc=0',
    '__dt_wait_port() { local i; for ((i = 0; i < 400; i++)); do',
    '  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }',
  ];
  commands.forEach((c, k) => {
    let shell = c.shell;
    const used: number[] = [];
    for (const [shown, real] of ports) {
      const re = new RegExp(`(?<!\\d)${shown}(?!\\d)`, 'g');
      if (re.test(shell)) used.push(real);
      shell = shell.replace(re, `${real}`);
    }
    const out = shq(join(io, `${k}.out`));
    lines.push(
      `echo "begin ${k}"`,
      `(exit $__dt_rc); eval ${shq(shell)} > ${out} 2>&1 < /dev/null`,
      `__dt_rc=$?; echo "$__dt_rc" > ${shq(join(io, `${k}.rc`))}`,
    );
    if (c.background) for (const p of used) lines.push(`__dt_wait_port ${p}`);
  });
  // Whatever still runs in the background at the end is stopped, as closing the terminal would.
  lines.push('echo "begin end"', 'kill $(jobs -p) 2>/dev/null; wait', '');
  return lines.join('\n');
}

interface ScriptRun {
  /** Index of the last command begun. */
  started: number;
  shellErrors: string;
  timedOut: boolean;
}

function runScript(
  file: string,
  cwd: string,
  env: Record<string, string | undefined>,
  opts: SessionOptions,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', file], { cwd, env, detached: true, stdio: 'pipe' });
    child.stdin.end();
    let started = -1;
    let stderr = '';
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, timeoutOf(opts));
    };
    arm();
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const p of parts) {
        const m = /^begin (\d+|end)$/.exec(p);
        if (!m) continue;
        if (m[1] !== 'end') started = Number(m[1]);
        arm();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      // Background commands still holding the group (one that ignored SIGTERM) go too.
      killGroup();
      resolve({ started, shellErrors: stderr, timedOut });
    });
  });
}

/** Ports free on 127.0.0.1 now (the OS picks them; each is closed again for the commands to take). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === 'object' && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
