// Shared pieces of the text reports: findings lists, step lines, headings. Pure: theme in, string out.
import type { Finding, Severity, Step } from '../core/result.js';
import { escapeControl } from '../core/text.js';
import type { Theme } from './theme.js';

export function heading(t: Theme, text: string): string {
  return t.bold(escapeControl(text));
}

/** "  ✗ mx.exchange.no-address  nowhere.example.test has no A or AAAA record…" */
export function renderFindings(findings: readonly Finding[], t: Theme, opts: { indent?: string } = {}): string {
  const indent = opts.indent ?? '  ';
  if (!findings.length) return `${indent}${t.dim('no findings')}\n`;
  const order: Severity[] = ['fail', 'warn', 'info', 'ok'];
  const sorted = [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  return sorted
    .map((f) => {
      const tag = f.temporary ? t.warn(' (temporary)') : '';
      let line = `${indent}${t.mark(f.severity)} ${t.severity(f.severity, escapeControl(f.message))}${tag} ${t.dim(`[${f.id}]`)}`;
      if (f.advice) line += `\n${indent}  ${t.dim('→ ' + escapeControl(f.advice))}`;
      if (f.ref) line += ` ${t.dim(`(${f.ref})`)}`;
      return line;
    })
    .join('\n') + '\n';
}

export function renderStep(s: Step, t: Theme, indent = '  '): string {
  const mark = s.ok === false ? t.warn('?') : t.dim('?');
  return `${indent}${s.kind === 'dns' ? mark : t.dim('›')} ${escapeControl(s.summary)} ${t.dim(`${s.ms} ms`)}`;
}

export function verdictLine(findings: readonly Finding[], t: Theme): string {
  const fails = findings.filter((f) => f.severity === 'fail' && !f.temporary).length;
  const temps = findings.filter((f) => f.temporary).length;
  const warns = findings.filter((f) => f.severity === 'warn').length;
  if (fails) return t.fail(`✗ ${fails} failed check${fails > 1 ? 's' : ''}${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`);
  if (temps) return t.warn(`? no verdict: ${temps} temporary failure${temps > 1 ? 's' : ''}`);
  if (warns) return t.warn(`! passed with ${warns} warning${warns > 1 ? 's' : ''}`);
  return t.ok('✓ passed');
}
