// JUnit XML for CI servers (Jenkins, GitLab, GitHub test reporters): a <testsuite> per domain and a <testcase>
// per check; fail → <failure>, unknown → <error> (no verdict is not a pass), warnings → <system-out>, or
// <failure> with --strict. Written as a stream (open, one suite per domain, close) so batches stay flat. Pure.
import type { Finding } from '../core/result.js';
import { escapeControl } from '../core/text.js';
import { checkLabel } from '../posture/registry.js';
import type { PostureResult } from '../posture/types.js';

export function junitOpen(name = 'mailcheck'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(name)}">\n`;
}

export function junitClose(): string {
  return '</testsuites>\n';
}

export function junitSuite(r: PostureResult, o: { strict?: boolean; timestamp?: Date } = {}): string {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  const invalid = r.findings.find((f) => f.id === 'posture.input.invalid');
  if (invalid) {
    errors++;
    cases.push(
      `    <testcase classname="${xml(classname(r.domain))}" name="input" time="0">\n      <error message="${xml(invalid.message)}" type="${invalid.id}"/>\n    </testcase>\n`,
    );
  }
  for (const s of r.summary) {
    const own = r.findings.filter((f) => f.check === s.check);
    const failing = own.filter((f) => !f.temporary && (f.severity === 'fail' || (o.strict && f.severity === 'warn')));
    const temporary = own.filter((f) => f.temporary);
    const warnings = own.filter((f) => !f.temporary && f.severity === 'warn' && !o.strict);
    const time = (
      ((r.checks[s.check] as { steps?: { ms: number }[] } | null | undefined)?.steps ?? []).reduce(
        (a, x) => a + x.ms,
        0,
      ) / 1000
    ).toFixed(3);
    let body = '';
    if (failing.length) {
      failures++;
      body += `      <failure message="${xml(failing[0]!.message)}" type="${xml(failing[0]!.id)}">${xml(describe(failing))}</failure>\n`;
    } else if (temporary.length) {
      errors++;
      body += `      <error message="${xml(`no verdict: ${temporary[0]!.message}`)}" type="${xml(temporary[0]!.id)}">${xml(describe(temporary))}</error>\n`;
    }
    if (warnings.length) body += `      <system-out>${xml(describe(warnings))}</system-out>\n`;
    const open = `    <testcase classname="${xml(classname(r.domain))}" name="${xml(checkLabel(s.check))}" time="${time}"`;
    cases.push(body ? `${open}>\n${body}    </testcase>\n` : `${open}/>\n`);
  }
  const stamp = (o.timestamp ?? new Date()).toISOString().replace(/\.\d+Z$/, '');
  return `  <testsuite name="${xml(r.domain)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${(r.ms / 1000).toFixed(3)}" timestamp="${stamp}">\n${cases.join('')}  </testsuite>\n`;
}

export function renderJunit(results: readonly PostureResult[], o: { strict?: boolean; timestamp?: Date } = {}): string {
  return junitOpen() + results.map((r) => junitSuite(r, o)).join('') + junitClose();
}

function describe(findings: readonly Finding[]): string {
  return findings
    .map(
      (f) => `[${f.severity}] ${f.id}: ${f.message}${f.advice ? `\n  → ${f.advice}` : ''}${f.ref ? ` (${f.ref})` : ''}`,
    )
    .join('\n');
}

/** "mailcheck.example.com" — CI servers group test cases by the dotted class name. */
function classname(domain: string): string {
  return `mailcheck.${domain}`;
}

/**
 * Text for XML 1.0 attributes and content: control characters (illegal in XML 1.0 even as references) become
 * visible \xHH escapes, then the five special characters are escaped. Lone surrogates are replaced.
 */
export function xml(s: string): string {
  return escapeControl(s, true)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
