// Help and usage-error output, snapshotted (non-TTY, NO_COLOR: 80 columns, no escapes). The command list is
// read from the program tree, so a new command (or subcommand) gets a help snapshot and the example check.
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/cli.js';

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

const paths = commandPaths(await buildProgram());

describe('help', () => {
  it('the tree has the commands of the contract', () => {
    const names = paths.map((p) => p.join(' '));
    for (const c of [
      'mx',
      'spf',
      'dkim',
      'dkim keygen',
      'dmarc',
      'check',
      'probe',
      'send',
      'receive',
      'verify',
      'completion',
    ])
      expect(names).toContain(c);
  });

  it('mailcheck --help lists every command with examples and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const [name] of paths.filter((p) => p.length === 1))
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(r.stdout).toMatch(/^Examples:\n {2}\$ mailcheck /m);
    expect(r.stdout).toMatch(/Exit codes: 0/);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatchSnapshot();
  });

  it.each(paths.map((p) => [p.join(' '), p]))(
    'mailcheck %s --help shows usage, options and an example of itself',
    async (_name, path) => {
      const r = await runCli([...path, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: mailcheck ${path.join(' ')} `));
      // At least one example that runs this very command (for dkim: one without the keygen subcommand).
      const own = r.stdout
        .split('\n')
        .filter((l) => l.startsWith(`  $ mailcheck ${path.join(' ')} `) || l === `  $ mailcheck ${path.join(' ')}`);
      const sub = (cmd: string) =>
        path.length === 1 &&
        paths.some((p) => p.length === 2 && p[0] === path[0] && cmd.startsWith(`  $ mailcheck ${path[0]} ${p[1]}`));
      expect(own.filter((l) => !sub(l)).length).toBeGreaterThan(0);
      // Examples paste into an interactive shell: no '!' outside single quotes (bash history expansion).
      for (const l of r.stdout.split('\n').filter((x) => x.startsWith('  $ ')))
        expect(l.replace(/'[^']*'/g, ''), l).not.toContain('!');
      // Help fits 80 columns when it is not a terminal.
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
      expect(r.stdout).toMatchSnapshot();
    },
  );

  it('help <command> is the same as <command> --help', async () => {
    const [a, b] = await Promise.all([runCli(['help', 'mx']), runCli(['mx', '--help'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('usage errors: one line saying what was expected, exit 2', () => {
  it.each([
    ['a wrong flag', ['mx', 'example.test', '--bogus']],
    ['a near-miss flag', ['mx', 'example.test', '--jsn']],
    ['a wrong flag before the command', ['--bogus', 'mx', 'example.test']],
    ['a missing argument', ['mx']],
    ['too many arguments', ['mx', 'a.test', 'b.test']],
    ["a typo'd command (mxx)", ['mxx', 'example.test']],
    ["a typo'd command (chek)", ['chek', 'example.test']],
    ['an unknown command', ['frobnicate']],
    ['a bad --timeout', ['mx', 'example.test', '--offline', '--timeout', 'abc']],
    ['a --timeout without its value', ['mx', 'example.test', '--timeout']],
    ['a bad --format', ['check', 'example.test', '--offline', '--format', 'xml']],
    ['a missing required option', ['send', '--to', 'b@example.test']],
    ['a missing keygen --selector', ['dkim', 'keygen', '--domain', 'example.test']],
    ['an unknown shell', ['completion', 'tcsh']],
  ])('%s', async (_what, args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^mailcheck: [^\n]+\n$/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(r.stderr).toMatchSnapshot();
  });

  it('an unknown option names the usage of the command it was given to', async () => {
    expect((await runCli(['spf', '--bogus'])).stderr).toContain(
      '(usage: mailcheck spf [options] [domain]; more: mailcheck spf --help)',
    );
    expect((await runCli(['dkim', 'keygen', '--bogus'])).stderr).toContain(
      '(usage: mailcheck dkim keygen [options]; more: mailcheck dkim keygen --help)',
    );
  });
});

describe('options of a subcommand and global options', () => {
  it("dkim keygen --selector is keygen's own, and global options work before or after the command", async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const out = join(mkdtempSync(join(tmpdir(), 'mc-help-')), 'k.pem');
    const r = await runCli([
      'dkim',
      'keygen',
      '--domain',
      'example.test',
      '--selector',
      'sel1',
      '--type',
      'ed25519',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ selector: 'sel1', domain: 'example.test' });
    const zone = ['--offline', '--zone', 'fixtures/zones/example.test.zone'];
    for (const args of [
      ['--json', 'mx', 'example.test', ...zone],
      ['mx', 'example.test', ...zone, '--json'],
    ]) {
      const m = await runCli(args);
      expect(m.code).toBe(0);
      expect(JSON.parse(m.stdout)).toMatchObject({ domain: 'example.test' });
    }
    // A flag given to the command beats the root's default: --no-color after the command, with FORCE_COLOR.
    for (const args of [
      ['mx', 'example.test', ...zone, '--no-color'],
      ['--no-color', 'mx', 'example.test', ...zone],
    ]) {
      const m = await runCli(args, { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
      expect(m.stdout).not.toContain('\x1b[');
    }
    const coloured = await runCli(['mx', 'example.test', ...zone], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain('\x1b[');
  });
});
