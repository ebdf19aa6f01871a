// `mailcheck completion bash|zsh|fish`: completion scripts generated from the command tree itself,
// so they never drift from the real flags.
import type { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { buildProgram } from '../program.js';

interface Spec {
  name: string;
  options: string[];
  subcommands: Spec[];
}

function specOf(cmd: Command): Spec {
  const flags = (o: Option) => [o.long, o.short].filter((f): f is string => Boolean(f));
  return {
    name: cmd.name(),
    options: [...cmd.options.flatMap(flags), '--help'],
    subcommands: cmd.commands.map(specOf),
  };
}

export async function run(shell: string): Promise<number> {
  const spec = specOf(await buildProgram());
  const script = { bash, zsh, fish }[shell as 'bash'];
  if (!script) throw new UsageError(`completion: unknown shell '${shell}' (expected bash, zsh or fish)`);
  process.stdout.write(script(spec));
  return 0;
}

function bash(s: Spec): string {
  const cases = s.subcommands
    .map((c) => `    ${c.name}) opts="${[...c.options, ...c.subcommands.map((x) => x.name)].join(' ')}" ;;`)
    .join('\n');
  return `# mailcheck bash completion: source <(mailcheck completion bash)
_mailcheck() {
  local cur cmd opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd" in
${cases}
    *) opts="${[...s.subcommands.map((c) => c.name), ...s.options].join(' ')}" ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  # Arguments (domains, files) fall back to file names.
  [[ \${#COMPREPLY[@]} -eq 0 && -n "$cmd" ]] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o default -F _mailcheck mailcheck
`;
}

function zsh(s: Spec): string {
  const cmds = s.subcommands.map((c) => `'${c.name}'`).join(' ');
  const cases = s.subcommands
    .map((c) => `    ${c.name}) compadd -- ${[...c.options, ...c.subcommands.map((x) => x.name)].join(' ')} ;;`)
    .join('\n');
  return `#compdef mailcheck
# mailcheck zsh completion: mailcheck completion zsh > "\${fpath[1]}/_mailcheck"
_mailcheck() {
  if (( CURRENT == 2 )); then
    compadd -- ${cmds} ${s.options.join(' ')}
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
  _files
}
compdef _mailcheck mailcheck
`;
}

function fish(s: Spec): string {
  const lines = [
    '# mailcheck fish completion: mailcheck completion fish > ~/.config/fish/completions/mailcheck.fish',
    'complete -c mailcheck -f',
  ];
  for (const c of s.subcommands) lines.push(`complete -c mailcheck -n __fish_use_subcommand -a ${c.name}`);
  for (const c of s.subcommands) {
    for (const o of c.options.filter((x) => x.startsWith('--')))
      lines.push(`complete -c mailcheck -n '__fish_seen_subcommand_from ${c.name}' -l ${o.slice(2)}`);
    for (const sub of c.subcommands)
      lines.push(`complete -c mailcheck -n '__fish_seen_subcommand_from ${c.name}' -a ${sub.name}`);
  }
  return lines.join('\n') + '\n';
}
