// The SPF report (RFC 7208): the record with any offending part marked, the include/redirect tree with each term's
// cost and the running total against the limits, what each top-level term costs, check_host() step by step.
// Brief (the default): the verdict, the record, the totals, the check_host() result, what to fix; the tree, the
// cost table and the steps are --all.
import { table } from 'table';
import type {
  SpfEvalStep,
  SpfEvaluation,
  SpfResult,
  SpfResultCode,
  SpfSyntaxError,
  SpfTree,
  SpfTreeTerm,
} from '../../auth/spf/types.js';
import { escapeControl } from '../../core/text.js';
import { heading, reportHead, reportTail, verdictLine } from '../steps.js';
import { TABLE_STYLE } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines, wrapText } from '../wrap.js';

const LIMIT = 10;
const VOID_LIMIT = 2;
const COUNTING =
  'How lookups are counted (RFC 7208 §4.6.4): include, a, mx, ptr, exists and redirect= cost 1 each, ' +
  'ip4, ip6 and all cost nothing; exp= is looked up only after a fail and is not counted; each mx or ptr may ' +
  'also query up to 10 host addresses, limited separately. A term whose query finds no records is a void lookup (at most 2).';

export function renderSpf(r: SpfResult, t: Theme, opts: { steps?: boolean } = {}): string {
  const full = t.detail === 'full';
  const verdict = r.result ? resultVerdict(r.result, t) : verdictLine(r.findings, t);
  const out: string[] = [reportHead(t, `SPF for ${r.domain}`, verdict)];
  if (r.identity?.ip) {
    out.push(
      `  ${t.dim('client')} ${r.identity.ip}  ${t.dim('MAIL FROM')} ${esc(r.identity.sender)}${r.identity.helo ? `  ${t.dim('HELO')} ${esc(r.identity.helo)}` : ''}`,
    );
  }
  const tree = r.tree;
  const omitted: string[] = [];
  if (tree && full) {
    out.push('', heading(t, 'Record'), ...renderRecordBlock(tree, t, '  '));
    if (tree.record !== null) {
      out.push('', heading(t, 'Include/redirect tree'), ...renderTree(tree, t));
      out.push('', `  ${totals(r, t)}`);
      const costs = costTable(tree, t);
      if (costs) out.push('', costs);
      out.push(...wrapText(COUNTING, t.width, '  ', '  ', t.dim));
    }
  } else if (tree) {
    out.push(...renderRecordBlock(tree, t, '  '));
    if (tree.record !== null) {
      // (Over a limit, the finding says what each include costs.)
      out.push(`  ${totals(r, t)}`);
      if (tree.terms.some((x) => x.child)) omitted.push('the include/redirect tree');
    }
  }
  if (r.evaluation && r.identity?.ip) {
    if (full) out.push('', ...renderEvaluation(r, r.evaluation, t));
    else {
      out.push(...evaluationResult(r.evaluation, t));
      omitted.push('check_host() step by step');
    }
  }
  const tail: Parameters<typeof reportTail>[2] = { steps: opts.steps, omitted };
  if (r.result) tail.verdict = resultVerdict(r.result, t);
  out.push(...reportTail(r, t, tail));
  return fitLines(out.join('\n'), t.width) + '\n';
}

/** The record as published (escaped), with ^^^ under each syntax error; or why there is none. */
function renderRecordBlock(tree: SpfTree, t: Theme, indent: string): string[] {
  switch (tree.status) {
    case 'temporary':
      return [`${indent}${t.warn('? the TXT lookup failed:')} ${esc(tree.note ?? '')}`];
    case 'nxdomain':
      return [`${indent}${t.fail('✗ the domain does not exist (NXDOMAIN)')}`, ...ignoredLines(tree, t, indent)];
    case 'none':
      return [
        `${indent}${t.fail('✗ no SPF record')} ${t.dim('(no TXT record starting with "v=spf1")')}`,
        ...ignoredLines(tree, t, indent),
      ];
    case 'bad-name':
      return [`${indent}${t.fail('✗ no record to look up:')} ${esc(tree.domain)} ${esc(tree.note ?? '')}`];
    case 'multiple':
      return [
        `${indent}${t.fail(`✗ ${tree.records!.length} SPF records: there must be one (permerror)`)}`,
        ...tree.records!.map((rec) => `${indent}  ${t.dim('•')} ${esc(rec)}`),
      ];
  }
  const lines = markErrors(tree.record ?? '', tree.errors, t, indent);
  if ((tree.strings?.length ?? 0) > 1) {
    lines.push(
      `${indent}${t.dim(`published as ${tree.strings!.length} strings of ${tree.strings!.map((s) => Buffer.byteLength(s, 'utf8')).join(' + ')} bytes, joined without spaces (RFC 7208 §3.3)`)}`,
    );
  }
  return [...lines, ...ignoredLines(tree, t, indent)];
}

function ignoredLines(tree: SpfTree, t: Theme, indent: string): string[] {
  return (tree.ignored ?? []).map((x) => `${indent}${t.warn('! ignored:')} ${t.dim(JSON.stringify(escapeControl(x)))}`);
}

/** The record on one line and a caret line under each offending term, with the message. */
export function markErrors(text: string, errors: readonly SpfSyntaxError[], t: Theme, indent = '  '): string[] {
  if (!errors.length) return [`${indent}${esc(text)}`];
  let line = '';
  let pos = 0;
  for (const e of errors) {
    line += esc(text.slice(pos, e.start)) + t.fail(esc(text.slice(e.start, e.end)));
    pos = Math.max(pos, e.end);
  }
  line += esc(text.slice(pos));
  const out = [`${indent}${line}`];
  for (const e of errors) {
    const col = esc(text.slice(0, e.start)).length;
    const width = Math.max(1, esc(text.slice(e.start, e.end)).length);
    out.push(`${indent}${' '.repeat(col)}${t.fail('^'.repeat(width))} ${t.fail(esc(e.message))}`);
  }
  return out;
}

interface Row {
  label: string;
  plain: number;
  lookups?: string;
  void?: string;
  running?: string;
  colours?: { lookups: (s: string) => string; void: (s: string) => string; running: (s: string) => string };
  after?: string[];
}

/** The tree, drawn as a tree, with lookups / void / running columns aligned on the right. */
function renderTree(tree: SpfTree, t: Theme): string[] {
  const rows: Row[] = [{ label: `${t.bold(esc(tree.domain))}`, plain: tree.domain.length }];
  treeRows(tree, '', t, rows);
  // The three number columns take 20 columns on the right; a label too long for what is left gets its numbers
  // on the line below it.
  const room = Math.max(20, t.width - 2 - 20);
  const width = Math.min(room, Math.max(...rows.filter((r) => r.lookups !== undefined).map((r) => r.plain), 20) + 2);
  const head = `  ${' '.repeat(width)}${t.dim('lookups')}  ${t.dim('void')}  ${t.dim('total')}`;
  const lines = [head];
  for (const r of rows) {
    const c = r.colours;
    const numbers =
      r.lookups !== undefined && c
        ? `${c.lookups(r.lookups.padStart(7))}  ${c.void((r.void ?? '').padStart(4))}  ${c.running((r.running ?? '').padStart(5))}`
        : '';
    if (numbers && r.plain + 1 > width) lines.push(`  ${r.label}`, `  ${' '.repeat(width)}${numbers}`);
    else lines.push(`  ${r.label}${numbers ? ' '.repeat(width - r.plain) + numbers : ''}`);
    for (const a of r.after ?? []) lines.push(`  ${a}`);
  }
  return lines;
}

function treeRows(tree: SpfTree, prefix: string, t: Theme, rows: Row[]): void {
  tree.terms.forEach((term, i) => {
    const last = i === tree.terms.length - 1;
    const branch = `${prefix}${last ? '└─ ' : '├─ '}`;
    const cont = `${prefix}${last ? '   ' : '│  '}`;
    rows.push(termRow(term, branch, cont, t));
    if (term.child) childRows(term.child, cont, t, rows);
  });
}

function termRow(term: SpfTreeTerm, branch: string, cont: string, t: Theme): Row {
  const text = esc(term.raw);
  let label = text;
  let plain = branch.length + text.length;
  if (term.error) {
    label = t.fail(`${text} ✗`);
    plain += 2;
  } else if (term.unreachable) {
    label = t.dim(`${text} (never reached)`);
    plain += 16;
  }
  if (term.target && term.domainSpec && term.target !== term.domainSpec) {
    label += t.dim(` → ${esc(term.target)}`);
    plain += 3 + term.target.length;
  }
  const row: Row = { label: `${t.dim(branch)}${label}`, plain };
  const counted = term.cost.lookups > 0;
  // Plain text here; renderTree pads, then colours, so the columns stay aligned.
  row.lookups = counted ? String(term.cost.lookups) : '·';
  row.void = voidCount(term.cost.voidLookups);
  row.running = counted ? String(term.runningLookups) : '';
  row.colours = {
    lookups: counted ? (x) => x : t.dim,
    void: voidColour(term, t),
    running: tone(term.runningLookups, LIMIT, 9, t, (x) => x),
  };
  row.after = [];
  if (term.error) row.after.push(`${t.dim(cont)}${t.fail(`^ ${esc(term.error)}`)}`);
  if (term.lookup && !['ok', 'void'].includes(term.lookup) && term.name !== 'exp')
    row.after.push(`${t.dim(cont)}${t.warn(`? ${term.lookup.toUpperCase()}: a check would give temperror`)}`);
  if (term.mxCount !== undefined && term.mxCount > 10)
    row.after.push(`${t.dim(cont)}${t.fail(`✗ ${term.mxCount} MX records: more than 10 is a permerror`)}`);
  if (term.stopsEvaluation === 'lookups') {
    row.after.push(
      `${t.dim(cont)}${t.fail(`✗ evaluation stops here: DNS-querying term ${term.runningLookups} of at most ${LIMIT} → permerror (RFC 7208 §4.6.4)`)}`,
    );
  }
  if (term.stopsEvaluation === 'void') {
    row.after.push(
      `${t.dim(cont)}${t.fail(`✗ evaluation stops here: void lookup ${term.runningVoid} of at most ${VOID_LIMIT} → permerror (RFC 7208 §4.6.4)`)}`,
    );
  }
  return row;
}

function childRows(child: SpfTree, cont: string, t: Theme, rows: Row[]): void {
  const head = `${cont}└─ `;
  const inner = `${cont}   `;
  const name = esc(child.domain);
  switch (child.status) {
    case 'ok':
    case 'invalid': {
      const record = esc(child.record ?? '');
      rows.push({
        label: `${t.dim(head)}${t.bold(name)}  ${child.status === 'invalid' ? t.fail(record) : t.dim(record)}`,
        plain: head.length + name.length + 2 + record.length,
      });
      treeRows(child, inner, t, rows);
      return;
    }
    default: {
      const why: Record<string, string> = {
        none: '✗ no SPF record → permerror',
        nxdomain: '✗ does not exist → permerror',
        multiple: `✗ ${child.records?.length ?? 2} SPF records → permerror`,
        temporary: `? lookup failed → temperror${child.note ? ` (${child.note})` : ''}`,
        loop: '✗ loop: already being evaluated → runs into the lookup limit',
        'not-followed': `i ${child.note ?? 'not followed'}`,
        'bad-name': `✗ ${child.note ?? 'not a valid domain name'} → permerror`,
      };
      const text = esc(why[child.status] ?? child.status);
      const colour = child.status === 'temporary' || child.status === 'not-followed' ? t.warn : t.fail;
      rows.push({
        label: `${t.dim(head)}${t.bold(name)}  ${colour(text)}`,
        plain: head.length + name.length + 2 + text.length,
      });
    }
  }
}

/** The void-lookup column: `?` when unknown, `·` for none. */
function voidCount(n: number | null): string {
  if (n === null) return '?';
  return n ? String(n) : '·';
}

function voidColour(term: SpfTreeTerm, t: Theme): (s: string) => string {
  if (!term.cost.voidLookups) return t.dim;
  return term.runningVoid > VOID_LIMIT ? t.fail : t.warn;
}

/** The colour of a count against its limit: fail over it, warn from `warnAt`, else `below`. */
function tone(n: number, limit: number, warnAt: number, t: Theme, below: (s: string) => string = t.ok) {
  if (n > limit) return t.fail;
  if (n >= warnAt) return t.warn;
  return below;
}

function totals(r: SpfResult, t: Theme): string {
  const l = tone(r.lookups, LIMIT, 8, t)(`${r.lookups} of at most ${LIMIT}`);
  const v = tone(r.voidLookups, VOID_LIMIT, 1, t)(`${r.voidLookups} of at most ${VOID_LIMIT}`);
  return `DNS-querying terms: ${l} · void lookups: ${v}`;
}

/** What each top-level term costs, with everything below it: "which include costs what". */
function costTable(tree: SpfTree, t: Theme): string | undefined {
  const rows = tree.terms.filter((x) => x.cost.lookups > 0 && !x.unreachable);
  if (rows.length < 2 && !rows.some((x) => x.child)) return undefined;
  const data = [
    ['term', 'lookups', 'void', 'records below'].map((h) => t.dim(h)),
    ...rows.map((x) => [
      esc(x.raw),
      String(x.cost.lookups + (x.child?.lookups ?? 0)),
      x.cost.voidLookups === null ? '?' : String((x.cost.voidLookups ?? 0) + (x.child?.voidLookups ?? 0)),
      String(x.child ? countRecords(x.child) : 0),
    ]),
    [t.bold('total'), t.bold(String(tree.lookups)), t.bold(String(tree.voidLookups)), ''],
  ];
  return table(data, {
    ...TABLE_STYLE,
    drawHorizontalLine: (i: number, size: number) => i <= 1 || i >= size - 1,
    columns: { 1: { alignment: 'right' }, 2: { alignment: 'right' }, 3: { alignment: 'right' } },
  })
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function countRecords(tree: SpfTree): number {
  return (tree.record !== null ? 1 : 0) + tree.terms.reduce((n, x) => n + (x.child ? countRecords(x.child) : 0), 0);
}

function renderEvaluation(r: SpfResult, e: SpfEvaluation, t: Theme): string[] {
  const id = r.identity!;
  const out = [heading(t, `check_host(${id.ip}, ${r.domain}, ${id.sender})`)];
  const shown = e.steps.slice(0, 60);
  for (const s of shown) {
    const pad = '  '.repeat(s.depth + 1);
    if (s.outcome === 'record') {
      out.push(`${pad}${t.bold(esc(s.domain))}  ${t.dim(esc(s.term))}`);
      continue;
    }
    const mark = stepMark(s.outcome, t);
    out.push(`${pad}${mark} ${esc(s.term)}  ${t.dim(esc(s.detail))}`);
  }
  if (e.steps.length > shown.length) out.push(`  ${t.dim(`… ${e.steps.length - shown.length} more steps`)}`);
  out.push('', ...evaluationResult(e, t));
  out.push(
    `  ${t.dim(`${e.lookups} DNS-querying term${e.lookups === 1 ? '' : 's'} and ${e.voidLookups} void lookup${e.voidLookups === 1 ? '' : 's'} used by this evaluation`)}`,
  );
  return out;
}

/** "Result: pass matched ip4:… in example.test", why, and the exp= explanation. */
function stepMark(outcome: SpfEvalStep['outcome'], t: Theme): string {
  if (outcome === 'match') return t.ok('✓');
  if (outcome === 'error') return t.fail('✗');
  return t.dim('·');
}

function evaluationResult(e: SpfEvaluation, t: Theme): string[] {
  const matched = e.matched.length
    ? ` ${t.dim('matched')} ${e.matched.map((m) => `${esc(m.term)} ${t.dim(`in ${esc(m.domain)}`)}`).join(t.dim(' → '))}`
    : '';
  const out = [`  Result: ${resultColour(e.result, t)}${matched}`, `  ${t.dim('why:')} ${esc(e.reason)}`];
  if (e.explanation !== undefined) out.push(`  ${t.dim('explanation (exp=):')} ${JSON.stringify(esc(e.explanation))}`);
  return out;
}

function resultColour(code: SpfResultCode, t: Theme): string {
  const s = t.bold(code);
  if (code === 'pass') return t.ok(s);
  if (code === 'temperror' || code === 'softfail' || code === 'neutral') return t.warn(s);
  return t.fail(s);
}

function resultVerdict(code: SpfResultCode, t: Theme): string {
  if (code === 'pass') return t.ok('✓ SPF pass');
  if (code === 'temperror') return t.warn('? SPF temperror: no verdict (temporary DNS failure)');
  return t.fail(`✗ SPF ${code}`);
}

function esc(s: string): string {
  return escapeControl(s);
}
