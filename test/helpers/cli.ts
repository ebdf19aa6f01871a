// Runs the built CLI as a user would: `node bin/mailcheck.js ...`, capturing stdout, stderr and the exit code.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/mailcheck.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CI: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `mailcheck ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 20000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A CLI that refuses its arguments exits before reading stdin: writing to it then is EPIPE, not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

const RSS_HOOK = fileURLToPath(new URL('./rss-hook.mjs', import.meta.url));

/** runCli, plus the child's peak RSS in MiB (getrusage), written to a file by an exit hook preloaded into it. */
export async function runCliPeakRss(
  args: string[],
  opts: Parameters<typeof runCli>[1] = {},
): Promise<CliRun & { rssMiB: number }> {
  const file = join(tmpdir(), `mc-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const r = await runCli(args, {
    ...opts,
    env: { ...opts.env, NODE_OPTIONS: `--import ${RSS_HOOK}`, MC_RSS_FILE: file },
  });
  const rssMiB = Number(readFileSync(file, 'utf8')) / 1024;
  rmSync(file);
  return { ...r, rssMiB };
}

/** The zone-file arguments for the shared sandbox fixtures, fully offline. */
export const SANDBOX = [
  '--offline',
  '--zone',
  'fixtures/zones/example.test.zone',
  '--zone',
  'fixtures/zones/2.0.192.in-addr.arpa.zone',
  '--zone',
  'fixtures/zones/8.b.d.0.1.0.0.2.ip6.arpa.zone',
];
