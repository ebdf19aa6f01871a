// `mailcheck completion bash|zsh|fish`: flags and help; the script is generated in ../commands/completion.ts.
import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.js';
import { examples, lazyAction } from '../lazy.js';

export function defineCompletion(program: Command): void {
  // The global options too, so they are accepted after the command as with every other command.
  addGlobalOptions(program.command('completion'))
    .description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      examples([
        'source <(mailcheck completion bash)',
        'mailcheck completion fish > ~/.config/fish/completions/mailcheck.fish',
      ]),
    )
    .action(lazyAction(() => import('../commands/completion.js')));
}
