// How the findings catalogue reads TypeScript (scripts/findings.mjs): a program over src/, the values an expression
// can take (literals, const tables, union types, templates), and a message as a one-line meaning.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import ts from 'typescript';

/** Expand an id template into every value only up to this many ids; past it the parts become `<name>`. */
const EXPAND_LIMIT = 12;
const MEANING_MAX = 160;

export function* tsFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

/**
 * A program over src/ alone: the standard library is read, every node_modules module is an empty stub (their
 * types cannot hold a finding id, and @types/node alone would triple the time).
 */
export function createProgram(root) {
  const files = [...tsFiles(join(root, 'src'))];
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    lib: ['lib.es2023.d.ts'],
    types: [],
    noEmit: true,
  };
  const host = ts.createCompilerHost(options, true);
  const own = new Set(files);
  const libDir = dirname(ts.getDefaultLibFilePath(options));
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, onError, create) =>
    own.has(file) || file.startsWith(libDir + sep)
      ? read(file, lang, onError, create)
      : ts.createSourceFile(file, 'export {};', lang);
  return { program: ts.createProgram({ rootNames: files, options, host }), files: own };
}

/** The function declaration, arrow or function expression a parameter belongs to. */
export function functionOf(param) {
  const f = param.parent;
  return ts.isFunctionLike(f) ? f : undefined;
}

/** Where a function can be called from by name: its declaration, or the variable an arrow is assigned to. */
export function isNamedFunction(f) {
  return ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f) || ts.isVariableDeclaration(f.parent);
}

export function paramIndex(f, param) {
  return f.parameters.indexOf(param);
}

/** The placeholder name of an expression: its last identifier (`ID[check]` → check, `p.name` → name). */
export function placeholderName(e) {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e)) return placeholderName(e.argumentExpression);
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e))
    return placeholderName(e.expression);
  if (ts.isCallExpression(e)) return placeholderName(e.expression);
  return 'value';
}

export function createEvaluator(checker) {
  /** The string values a type can have, or undefined when it is not a finite set of literals. */
  function typeValues(type) {
    const parts = type.isUnion() ? type.types : [type];
    const out = [];
    for (const t of parts) {
      if (t.isStringLiteral()) out.push(t.value);
      else if (t.isNumberLiteral()) out.push(String(t.value));
      else if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
      else return undefined;
    }
    return out.length ? out : undefined;
  }

  function declarationOf(id) {
    let sym = checker.getSymbolAtLocation(id);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    return sym?.valueDeclaration ?? sym?.declarations?.[0];
  }

  /** The object literal a `const X = { … }` names, for `X[key]` and `X.key`. */
  function objectLiteralOf(e) {
    if (!ts.isIdentifier(e)) return undefined;
    const d = declarationOf(e);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
    let init = d.initializer;
    while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init))
      init = init.expression;
    return ts.isObjectLiteralExpression(init) ? init : undefined;
  }

  /**
   * Every string an expression can evaluate to, or undefined. `seen` stops a variable defined through itself.
   * Placeholders are only made by templates (see `template`).
   */
  function values(e, seen = new Set(), ph = (name) => `<${name}>`) {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
    if (ts.isNumericLiteral(e)) return [e.text];
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e))
      return values(e.expression, seen, ph);
    if (ts.isTemplateExpression(e)) return template(e, seen, ph);
    if (ts.isConditionalExpression(e)) return union(values(e.whenTrue, seen, ph), values(e.whenFalse, seen, ph));
    if (
      ts.isBinaryExpression(e) &&
      (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
        e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    )
      return union(values(e.left, seen, ph), values(e.right, seen, ph));
    if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) {
      const obj = objectLiteralOf(e.expression);
      if (obj) {
        const key = ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
        const props = obj.properties.filter(
          (p) => ts.isPropertyAssignment(p) && (key === undefined || p.name.getText() === key),
        );
        const all = props.map((p) => values(p.initializer, seen, ph));
        if (all.length && all.every(Boolean)) return [...new Set(all.flat())];
      }
    }
    if (ts.isIdentifier(e) && !seen.has(e.text)) {
      const d = declarationOf(e);
      if (d && ts.isVariableDeclaration(d) && d.initializer && ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const) {
        const v = values(d.initializer, new Set([...seen, e.text]), ph);
        if (v) return v;
      }
    }
    return typeValues(checker.getTypeAtLocation(e));
  }

  function union(a, b) {
    return a && b ? [...new Set([...a, ...b])] : undefined;
  }

  /**
   * `a.${x}.b`: every combination; a part with no finite set of values is `<x>`, and then so is every part with
   * several (`policy.<check>.<key>`, not eleven `policy.mx.<key>`), as when there would be too many.
   */
  function template(e, seen, ph) {
    const parts = e.templateSpans.map((s) => ({
      vals: values(s.expression, seen, ph),
      name: placeholderName(s.expression),
    }));
    const count = parts.reduce((n, p) => n * (p.vals?.length ?? Infinity), 1);
    let out = [e.head.text];
    e.templateSpans.forEach((s, i) => {
      const p = parts[i];
      const alts = p.vals && (count <= EXPAND_LIMIT || p.vals.length === 1) ? p.vals : [ph(p.name)];
      out = out.flatMap((prefix) => alts.map((a) => prefix + a + s.literal.text));
    });
    return out;
  }

  /** Values of a placeholder part, for the meaning column (`act: setup, legitimate, forged`). */
  function placeholderValues(e) {
    const notes = [];
    if (!ts.isTemplateExpression(e)) return notes;
    for (const s of e.templateSpans) {
      const v = values(s.expression);
      if (v && v.length > 1) notes.push(`${placeholderName(s.expression)}: ${[...v].sort().join(', ')}`);
    }
    return notes;
  }

  return { values, placeholderValues, declarationOf };
}

/** A message as one line of text: literal parts kept, a name for each value (‹domain›), the first sentence. */
export function meaningOf(e, evaluator) {
  if (!e) return '';
  const text = (x) => {
    if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) return x.text;
    if (ts.isParenthesizedExpression(x)) return text(x.expression);
    if (ts.isTemplateExpression(x))
      return x.head.text + x.templateSpans.map((s) => part(s.expression) + s.literal.text).join('');
    if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return text(x.left) + text(x.right);
    return part(x);
  };
  const part = (x) => {
    if (ts.isConditionalExpression(x)) {
      // A plural 's', an optional clause: left out; otherwise the first reading.
      const empty = (y) => (ts.isStringLiteral(y) || ts.isNoSubstitutionTemplateLiteral(y)) && y.text === '';
      if (empty(x.whenTrue) || empty(x.whenFalse)) return '';
      return text(x.whenTrue);
    }
    if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
      const v = evaluator.values(x, undefined, (name) => `‹${name}›`);
      if (v?.length === 1) return v[0];
      return `‹${placeholderName(x)}›`;
    }
    if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) || ts.isTemplateExpression(x)) return text(x);
    return '…';
  };
  let s = text(e).replace(/\s+/g, ' ').trim();
  const end = s.search(/[.!?] (?=[A-Z‹])/);
  if (end > 0) s = s.slice(0, end + 1);
  if (s.length > MEANING_MAX) s = s.slice(0, MEANING_MAX - 1).replace(/\s+\S*$/, '') + ' …';
  return s;
}

/**
 * `temporary: true` in a finding's extras: always, an expression: sometimes, absent: never. Extras written
 * `definedOnly({ … })` (src/core/object.ts: drops the undefined keys) are read as the literal inside.
 */
export function temporaryOf(extra) {
  if (
    extra &&
    ts.isCallExpression(extra) &&
    extra.expression.getText() === 'definedOnly' &&
    extra.arguments.length === 1 &&
    ts.isObjectLiteralExpression(extra.arguments[0])
  )
    extra = extra.arguments[0];
  if (!extra || !ts.isObjectLiteralExpression(extra)) return extra ? 'sometimes' : 'never';
  for (const p of extra.properties) {
    if (ts.isSpreadAssignment(p)) return 'sometimes';
    if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText() === 'temporary') {
      if (ts.isShorthandPropertyAssignment(p)) return 'sometimes';
      if (p.initializer.kind === ts.SyntaxKind.TrueKeyword) return 'always';
      if (p.initializer.kind === ts.SyntaxKind.FalseKeyword) return 'never';
      return 'sometimes';
    }
  }
  return 'never';
}
