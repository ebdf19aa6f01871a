import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('mailcheck completion', () => {
  it("bash: a valid script that completes commands and each command's flags", async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `${r.stdout}\nCOMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _mailcheck; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete("mailcheck 'm'").split(' ')).toEqual(['mx']);
    expect(complete("mailcheck mx '--j'")).toBe('--json');
    expect(complete("mailcheck dkim 'key'")).toBe('keygen');
    expect(complete("mailcheck send '--dkim-s'")).toBe('--dkim-selector');
    expect(complete("mailcheck 'de'")).toBe('demo');
    expect(complete("mailcheck demo '--kee'")).toBe('--keep');
  });
  it('zsh and fish scripts name every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      for (const c of ['mx', 'spf', 'dkim', 'dmarc', 'check', 'probe', 'send', 'receive', 'verify', 'demo'])
        expect(r.stdout).toContain(c);
    }
  });
  it('an unknown shell is a usage error', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected bash, zsh or fish/);
  });
});
