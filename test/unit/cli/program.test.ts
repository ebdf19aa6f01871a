// main.ts builds only the command a command line runs (src/cli/program.ts): that command must be the same as in the
// whole tree — its help, its options, its subcommands, and the usage line its errors show.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, usageErrorLine } from '../../../src/cli/program.js';

const all = await buildProgram();
const names = all.commands.map((c) => c.name()).filter((n) => n !== 'help');

function tree(cmd: Command): unknown {
  return {
    name: cmd.name(),
    help: cmd.helpInformation(),
    options: cmd.options.map((o) => o.flags),
    usage: usageErrorLine(cmd, 'commander.missingArgument', "error: missing required argument 'x'"),
    subcommands: cmd.commands.map(tree),
  };
}

describe('buildProgram(command)', () => {
  it('builds every command of the contract, in the order help lists them', () => {
    expect(names).toEqual(
      expect.arrayContaining(['mx', 'spf', 'dkim', 'dmarc', 'check', 'probe', 'send', 'receive', 'verify', 'demo']),
    );
  });

  it.each(names)('%s alone is the command of the whole tree', async (name) => {
    const one = await buildProgram(name);
    expect(one.commands.map((c) => c.name())).toEqual([name]);
    expect(tree(one.commands[0]!)).toEqual(tree(all.commands.find((c) => c.name() === name)!));
  });

  it('anything that is not a command (a root option value, a typo, help) builds the whole tree', async () => {
    for (const word of [undefined, '5', 'verfy', 'help', 'constructor', '__proto__'])
      expect((await buildProgram(word)).commands.map((c) => c.name())).toEqual(all.commands.map((c) => c.name()));
  });
});
