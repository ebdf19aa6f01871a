import type { Command } from 'commander';
import { examples, lazyAction } from '../lazy.js';

export function defineCompletion(program: Command): void {
  program.command('completion')
    .description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', examples(['source <(mailcheck completion bash)', 'mailcheck completion fish > ~/.config/fish/completions/mailcheck.fish']))
    .action(lazyAction(() => import('../commands/completion.js')));
}
