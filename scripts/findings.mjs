// The findings catalogue (docs/findings.md), generated from the code: every finding id src/ can emit, its
// severity as emitted, the module that emits it and a one-line meaning taken from its message.
// `npm run findings:update` writes the page; test/unit/docs/findings-catalogue.test.ts fails when page and code differ.
//
// Ids are found with the TypeScript compiler (type checker included), so an id built from a union type
// (`verify.spf.${s.result}`) is expanded into each id it can be. Sites: calls of core/result.ts's `finding()`;
// calls of functions that pass one of their parameters on as a finding's id (wrappers, found here); calls through
// a function type whose parameters are `(id, <Severity>, …)` (a wrapper handed to helpers). A part of an id that
// has no finite set of values becomes `<name>` (policy.<check>.<key>); an id with no literal part at all is
// reported as unresolvable, and the test fails on it: write it so its values can be read from the code.
import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  createEvaluator,
  createProgram,
  functionOf,
  isNamedFunction,
  meaningOf,
  paramIndex,
  temporaryOf,
} from './findings-code.mjs';

const SEVERITIES = ['ok', 'info', 'warn', 'fail'];

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE = join(ROOT, 'docs', 'findings.md');

/**
 * Every finding id in src/: `{ entries: Map<id, Entry>, unresolved: string[] }`. Entry: `{ id, severities: Set,
 * temporary: 'never'|'sometimes'|'always', modules: Set, meaning, sites: string[] }`.
 */
export function scanFindings(root = ROOT) {
  const { program, files } = createProgram(root);
  const checker = program.getTypeChecker();
  const evaluator = createEvaluator(checker);
  const sources = program.getSourceFiles().filter((sf) => files.has(sf.fileName));
  const resultFile = join(root, 'src', 'core', 'result.ts');
  const findingDecl = sources
    .find((sf) => sf.fileName === resultFile)
    ?.statements.find((s) => ts.isFunctionDeclaration(s) && s.name?.text === 'finding');
  if (!findingDecl) throw new Error('src/core/result.ts has no finding()');

  const calls = [];
  for (const sf of sources) {
    // Emitters are called by name (finding, add, row): method calls (out.push, x.map) are not looked at.
    const visit = (n) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) calls.push(n);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  /**
   * The function a call by name reaches, read from the declarations (resolving each call's signature would
   * type-check every argument of every call): a function, an arrow assigned to a const, the function type of a
   * parameter (`add: Add`, `add: (id: string, …) => void`), or a function destructured from an import().
   */
  const declOf = (call) => {
    const d = evaluator.declarationOf(call.expression);
    if (!d) return undefined;
    if (ts.isFunctionLike(d)) return d;
    if (ts.isVariableDeclaration(d) && d.initializer && ts.isFunctionLike(d.initializer)) return d.initializer;
    // Destructured from a lazy import(): its type knows the function.
    if (ts.isBindingElement(d)) return checker.getTypeAtLocation(call.expression).getCallSignatures()[0]?.declaration;
    let type = (ts.isParameter(d) || ts.isVariableDeclaration(d)) && d.type;
    for (let hops = 0; type && ts.isTypeReferenceNode(type) && hops < 4; hops++) {
      const alias = evaluator.declarationOf(type.typeName);
      type = alias && ts.isTypeAliasDeclaration(alias) ? alias.type : undefined;
    }
    return type && ts.isFunctionTypeNode(type) ? type : undefined;
  };

  // An emitter: a function whose id (and maybe severity and message) are given by position. finding() is the
  // first; a function passing its own parameter on as an emitter's id is one too (to a fixed point).
  const emitters = new Map([[findingDecl, { id: 0, severity: 1, message: 2, extra: 3 }]]);
  // Besides those, any function of the shape `(id, severity: Severity, message, …)`: a wrapper handed to helpers
  // as a function-typed parameter, whose calls reach the type, not the wrapper.
  const emitterOf = (call) => {
    const decl = declOf(call);
    if (!decl) return undefined;
    const known = emitters.get(decl);
    if (known) return known;
    const ps = decl.parameters ?? [];
    const i = ps.findIndex((p) => p.name.getText() === 'id');
    if (i >= 0 && ps[i + 1]?.type?.getText() === 'Severity')
      return { id: i, severity: i + 1, message: i + 2, extra: i + 3 };
    return undefined;
  };
  const paramOf = (e) => {
    if (!e || !ts.isIdentifier(e)) return undefined;
    const d = evaluator.declarationOf(e);
    return d && ts.isParameter(d) ? d : undefined;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const call of calls) {
      const em = emitterOf(call);
      const idParam = em && paramOf(call.arguments[em.id]);
      const f = idParam && functionOf(idParam);
      if (!f || emitters.has(f) || !isNamedFunction(f)) continue;
      const at = (k) => {
        const p = paramOf(call.arguments[k]);
        return p && functionOf(p) === f ? paramIndex(f, p) : undefined;
      };
      // The wrapper's own message parameter, when it builds the finding's message around it (`${who}: ${message}`).
      const messageParam = f.parameters.findIndex((p) => ['message', 'msg', 'm'].includes(p.name.getText()));
      emitters.set(f, {
        id: paramIndex(f, idParam),
        severity: at(em.severity),
        message: at(em.message) ?? (messageParam >= 0 ? messageParam : undefined),
        extra: at(em.extra),
        inner: { call, em },
      });
      changed = true;
    }
  }

  const entries = new Map();
  const unresolved = [];
  const add = (id, o) => {
    const e = entries.get(id) ?? {
      id,
      severities: new Set(),
      temporary: undefined,
      modules: new Set(),
      meaning: '',
      sites: [],
    };
    for (const s of o.severities) e.severities.add(s);
    if (e.temporary === undefined) e.temporary = o.temporary;
    else if (e.temporary !== o.temporary) e.temporary = 'sometimes';
    e.modules.add(o.module);
    if (!e.meaning && o.meaning) e.meaning = o.meaning;
    e.sites.push(o.site);
    entries.set(id, e);
  };
  const where = (node) => {
    const sf = node.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(root, sf.fileName).split(sep).join('/')}:${line + 1}`;
  };
  const moduleOf = (node) => {
    const rel = relative(join(root, 'src'), node.getSourceFile().fileName).split(sep);
    return rel.slice(0, -1).join('/') || rel[0];
  };

  /** The argument at a position, or, where the emitter leaves it to its own inner call, that call's. */
  const argument = (call, em, key) => {
    if (em[key] !== undefined) return call.arguments[em[key]];
    if (em.inner) return argument(em.inner.call, em.inner.em, key);
    return undefined;
  };
  const severitiesOf = (e) => {
    const v = e ? evaluator.values(e) : undefined;
    return v?.filter((s) => SEVERITIES.includes(s)) ?? [];
  };

  for (const call of calls) {
    const em = emitterOf(call);
    if (!em) continue;
    let idExpr = call.arguments[em.id];
    const passed = paramOf(idExpr);
    if (passed) {
      const f = functionOf(passed);
      // A wrapper passing its parameter on: its callers are the sites. A default value is a site of its own.
      if (emitters.has(f)) {
        if (!passed.initializer) continue;
        idExpr = passed.initializer;
      }
    }
    if (!idExpr) {
      const d = declOf(call)?.parameters?.[em.id]?.initializer;
      if (!d) continue;
      idExpr = d;
    }
    const ids = evaluator.values(idExpr);
    if (!ids || ids.some((id) => id.startsWith('<'))) {
      unresolved.push(`${where(call)}: ${idExpr.getText().slice(0, 80)}`);
      continue;
    }
    const sevExpr = argument(call, em, 'severity');
    const severities = severitiesOf(sevExpr);
    const temporary = temporaryOf(argument(call, em, 'extra'));
    const meaning = meaningOf(argument(call, em, 'message'), evaluator);
    const notes = evaluator.placeholderValues(idExpr);
    for (const id of ids)
      add(id, {
        severities,
        temporary,
        module: moduleOf(call),
        meaning: notes.length && id.includes('<') ? `${meaning} (${notes.join('; ')})` : meaning,
        site: where(call),
      });
  }
  return { entries, unresolved };
}

function severityCell(e) {
  const sev = SEVERITIES.filter((s) => e.severities.has(s));
  if (e.temporary === 'always') return 'warn (temporary)';
  if (e.temporary === 'sometimes') return [...sev, 'warn (temporary)'].join(' / ');
  return sev.join(' / ') || '—';
}

const cell = (s) => s.replace(/\|/g, '\\|');

/** docs/findings.md from a scan. */
export function renderCatalogue({ entries }) {
  // Ids are unique: no two compare equal.
  const sorted = [...entries.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const groups = new Map();
  for (const e of sorted) {
    const g = e.id.split('.')[0];
    groups.set(g, [...(groups.get(g) ?? []), e]);
  }
  const lines = [
    '# Finding ids',
    '',
    '<!-- Generated by `npm run findings:update` (scripts/findings.mjs) from src/: do not edit by hand. -->',
    '',
    `Every finding id mailcheck can emit (${sorted.length}), read from the code: the \`finding(…)\` calls and their`,
    'wrappers. `test/unit/docs/findings-catalogue.test.ts` fails when this page and the code disagree, so after adding,',
    'renaming or re-grading a finding, run `npm run findings:update`. Ids are API (stable, dotted); the module',
    "READMEs explain their own in more depth. Each finding's JSON is `{ id, severity, message, advice?, ref?,",
    'temporary? }`.',
    '',
    '- **severity** as emitted; `warn (temporary)`: a timeout, SERVFAIL or refused connection prevented a verdict',
    '  (exit 3). `check` may lower a severity to `info` for a policy `ignore` or a parked domain.',
    '- **module**: the folder under `src/` that emits it.',
    '- **meaning**: the first sentence of its message, `‹name›` standing for a value (a domain, a host, a count).',
    '- `<name>` in an id: one id per value, e.g. `policy.<check>.<key>` is one per policy requirement',
    '  (docs/ci-gate.md).',
    '',
  ];
  for (const [group, list] of groups) {
    lines.push(`## ${group}`, '', '| id | severity | module | meaning |', '|---|---|---|---|');
    for (const e of list)
      lines.push(
        `| \`${e.id}\` | ${severityCell(e)} | ${[...e.modules].sort().join(', ')} | ${cell(e.meaning || '—')} |`,
      );
    lines.push('');
  }
  return lines.join('\n');
}

/** The rows of docs/findings.md: id → { severity, module } as written. */
export function parseCatalogue(text) {
  const rows = new Map();
  for (const line of text.split('\n')) {
    const m = /^\| `([^`]+)` \| ([^|]*) \| ([^|]*) \|/.exec(line);
    if (m) rows.set(m[1], { severity: m[2].trim(), module: m[3].trim() });
  }
  return rows;
}

/** The row a scan gives an id, to compare with parseCatalogue's. */
export function expectedRow(e) {
  return { severity: severityCell(e), module: [...e.modules].sort().join(', ') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const scan = scanFindings();
  if (scan.unresolved.length) {
    process.stderr.write(`finding ids that cannot be read from the code:\n  ${scan.unresolved.join('\n  ')}\n`);
    process.exit(1);
  }
  writeFileSync(CATALOGUE, renderCatalogue(scan));
  process.stdout.write(`${relative(process.cwd(), CATALOGUE)}: ${scan.entries.size} finding ids\n`);
}
