// docs/findings.md is the list of every finding id: generated from src/ (npm run findings:update), and checked here
// against the code both ways, so the page cannot drift. The scanner itself is tested on a small tree of its own.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOGUE, expectedRow, parseCatalogue, renderCatalogue, scanFindings } from '../../../scripts/findings.mjs';

// A whole-program type check of src/: seconds of CPU, more on a loaded machine.
const SCAN_TIMEOUT = 120_000;

describe('docs/findings.md', () => {
  it(
    'lists every finding id src/ emits, and only those, with the severity and module the code gives them',
    () => {
      const scan = scanFindings();
      expect(scan.unresolved, 'finding ids the catalogue cannot read from the code').toEqual([]);
      const doc = parseCatalogue(readFileSync(CATALOGUE, 'utf8'));
      const hint = 'run `npm run findings:update` and commit docs/findings.md';
      const missing = [...scan.entries.keys()].filter((id) => !doc.has(id));
      expect(missing, `emitted but not in docs/findings.md (${hint})`).toEqual([]);
      const stale = [...doc.keys()].filter((id) => !scan.entries.has(id));
      expect(stale, `in docs/findings.md but emitted nowhere (${hint})`).toEqual([]);
      const changed = [...scan.entries.values()]
        .filter((e) => JSON.stringify(expectedRow(e)) !== JSON.stringify(doc.get(e.id)))
        .map((e) => ({ id: e.id, code: expectedRow(e), doc: doc.get(e.id) }));
      expect(changed, `severity or module differs (${hint})`).toEqual([]);
      expect(scan.entries.size).toBeGreaterThan(300);
    },
    SCAN_TIMEOUT,
  );
});

describe('the findings scanner', () => {
  const root = mkdtempSync(join(tmpdir(), 'mailcheck-findings-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  // The real finding() signature, so the scanner recognizes it as it does in src/.
  write('src/core/result.ts', readFileSync(new URL('../../../src/core/result.ts', import.meta.url), 'utf8'));
  write('src/core/object.ts', readFileSync(new URL('../../../src/core/object.ts', import.meta.url), 'utf8'));
  write(
    'src/a/types.ts',
    `export type Outcome = 'pass' | 'fail' | 'none';\nexport interface R { result: Outcome; name: string }\n`,
  );
  write(
    'src/a/lint.ts',
    `import { definedOnly } from '../core/object.js';
import { finding, type Finding, type Severity } from '../core/result.js';
import type { R } from './types.js';
const IDS = { refused: 'a.connect.refused', timeout: 'a.connect.timeout' } as const;
type Add = (id: string, severity: Severity, message: string) => void;
function helper(add: Add): void {
  add('a.helper.one', 'info', 'One from a helper.');
}
export function lint(r: R, kind: 'refused' | 'timeout' | 'other', key: string, id2 = 'a.default.id'): Finding[] {
  const out: Finding[] = [];
  const add = (id: string, severity: Severity, message: string) => out.push(finding(id, severity, \`\${r.name}: \${message}\`));
  helper(add);
  add('a.direct', 'warn', 'Direct through the wrapper. Second sentence.');
  out.push(finding(\`a.result.\${r.result}\`, r.result === 'pass' ? 'ok' : 'fail', \`The result is \${r.result}.\`));
  out.push(finding(IDS[kind as 'refused'] ?? 'a.connect.failed', 'fail', 'No connection.', { temporary: true }));
  const advice = key ? 'Try later.' : undefined;
  out.push(finding('a.wrapped.temporary', 'fail', 'Extras through definedOnly.', definedOnly({ temporary: true, advice })));
  out.push(finding(\`a.policy.\${key}\`, 'fail', 'A policy key.'));
  out.push(finding(id2, 'info', 'A default.'));
  return out;
}
export function unresolvable(id: string): Finding {
  return finding(id, 'fail', 'nobody knows');
}
`,
  );
  write(
    'src/b/use.ts',
    `import { finding } from '../core/result.js';
import { unresolvable } from '../a/lint.js';
export const f = [unresolvable('b.through.wrapper'), finding('b.plain', 'ok', \`Plain \${'text'} here.\`)];
`,
  );

  it(
    'expands union types and lookup tables, follows wrappers, keeps <name> for open parts, and reports the rest',
    () => {
      const scan = scanFindings(root);
      const row = (id: string) => {
        const e = scan.entries.get(id);
        return e && { ...expectedRow(e), meaning: e.meaning };
      };
      expect([...scan.entries.keys()].sort()).toEqual([
        'a.connect.failed',
        'a.connect.refused',
        'a.connect.timeout',
        'a.default.id',
        'a.direct',
        'a.helper.one',
        'a.policy.<key>',
        'a.result.fail',
        'a.result.none',
        'a.result.pass',
        'a.wrapped.temporary',
        'b.plain',
        'b.through.wrapper',
      ]);
      expect(row('a.direct')).toEqual({ severity: 'warn', module: 'a', meaning: 'Direct through the wrapper.' });
      expect(row('a.result.none')).toEqual({ severity: 'ok / fail', module: 'a', meaning: 'The result is ‹result›.' });
      expect(row('a.connect.refused')).toMatchObject({ severity: 'warn (temporary)' });
      expect(row('a.wrapped.temporary')).toMatchObject({ severity: 'warn (temporary)' });
      expect(row('b.through.wrapper')).toEqual({ severity: 'fail', module: 'b', meaning: 'nobody knows' });
      expect(row('b.plain')?.meaning).toBe('Plain text here.');
      // The wrapper's own finding(id, …) call is no site; a bare string parameter used as an id elsewhere would be.
      expect(scan.unresolved).toEqual([]);
      const doc = renderCatalogue(scan);
      expect(doc).toContain('| `a.policy.<key>` | fail | a | A policy key. |');
      expect(parseCatalogue(doc).get('a.helper.one')).toEqual({ severity: 'info', module: 'a' });
    },
    SCAN_TIMEOUT,
  );

  it(
    'reports an id it cannot read (a plain string from nowhere)',
    () => {
      write(
        'src/c/bad.ts',
        `import { finding } from '../core/result.js';\nexport const g = (s: string) => [finding(s.trim(), 'fail', 'x')];\n`,
      );
      const scan = scanFindings(root);
      expect(scan.unresolved).toEqual(['src/c/bad.ts:2: s.trim()']);
    },
    SCAN_TIMEOUT,
  );
});
