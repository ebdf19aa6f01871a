// The DKIM report (RFC 6376, RFC 8463): which selectors were asked and why, a table of the keys found,
// each record with its offending part marked, the --key comparison, findings. Brief (the default): the verdict,
// the table with alike rows folded (a wildcard answers every guess), what to fix; the records are --all.
import type { DkimResult, DkimSelectorResult } from '../../auth/dkim/types.js';
import type { DkimFinding } from '../../auth/dkim/lint.js';
import { worstSeverity, type Severity } from '../../core/result.js';
import { escapeControl } from '../../core/text.js';
import { heading, renderMarkedRecord, reportHead, reportTail, verdictLine } from '../steps.js';
import { fitTable, headerRules } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines, wrapStyled, wrapText, type Styled } from '../wrap.js';

export function renderDkim(r: DkimResult, t: Theme, opts: { steps?: boolean } = {}): string {
  const full = t.detail === 'full';
  const omitted: string[] = [];
  const out: string[] = [reportHead(t, `DKIM keys for ${r.domain}`, verdictLine(r.findings, t))];
  out.push(...intro(r, t));
  // Guessed: the keys found, the lookups that failed, and the aliases that dangle (each worth a look).
  const shown = r.guessed
    ? r.selectors.filter(
        (s) => s.found || s.cnames.length || (s.lookup !== 'ok' && s.lookup !== 'nxdomain' && s.lookup !== 'nodata'),
      )
    : r.selectors;
  if (shown.length) {
    let rows = shown.map((s) => row(s, r, t));
    if (!full) rows = foldAlike(rows, t);
    out.push(
      '',
      fitTable([header(r, t), ...rows], {
        width: t.width,
        wrap: 4,
        config: { drawHorizontalLine: headerRules },
      }),
    );
  }
  if (r.guessed) {
    const missing = r.selectors.filter((s) => !shown.includes(s));
    if (missing.length && !full) omitted.push(`the ${missing.length} selectors with no key`);
    else if (missing.length) {
      const text = `no key at ${missing.length} other selector${missing.length > 1 ? 's' : ''}: ${missing.map((s) => escapeControl(s.selector)).join(', ')}`;
      out.push(...wrapText(text, t.width, '  ', '   ', t.dim));
    }
  }
  // Brief: only the records with an offending part to mark (what to fix); the others are --all.
  const all = r.selectors.filter((s) => s.record !== null && (s.found || !r.guessed));
  const withRecords = full ? all : all.filter((s) => marked(s, r.findings));
  if (all.length > withRecords.length) omitted.push(`${withRecords.length ? 'the other' : 'the'} key records`);
  if (withRecords.length) {
    out.push('', heading(t, 'Records'));
    // Brief: a record marked the same way at several selectors (a wildcard) is shown once, with the count.
    for (const { s, alike } of full ? withRecords.map((x) => ({ s: x, alike: 0 })) : sameRecords(withRecords, r))
      out.push(...recordBlock(s, r.findings, t, alike));
  }
  if (r.keyFile) {
    const k = r.keyFile;
    const desc = `${escapeControl(k.path)} ${t.dim(`(${k.type === 'rsa' ? `${k.bits}-bit RSA` : 'Ed25519'})`)}`;
    out.push(
      '',
      heading(t, 'Private key'),
      k.matches.length
        ? `  ${t.ok('✓')} ${desc} ${t.ok(`matches selector ${k.matches.map((m) => escapeControl(m)).join(', ')}`)}`
        : `  ${t.fail('✗')} ${desc} ${t.fail('matches no published key')}`,
    );
  }
  out.push(...reportTail(r, t, { ...opts, omitted }));
  return fitLines(out.join('\n'), t.width) + '\n';
}

function marked(s: DkimSelectorResult, findings: readonly DkimFinding[]): boolean {
  return findings.some((f) => f.selector === s.selector && f.span && (f.severity === 'fail' || f.severity === 'warn'));
}

/** Brief: four or more rows that say the same but for the selector (a wildcard record) as one, "default +36 more". */
function foldAlike(rows: string[][], t: Theme): string[][] {
  const groups = new Map<string, string[][]>();
  for (const r of rows) {
    const key = r.slice(1).join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: string[][] = [];
  for (const r of rows) {
    const group = groups.get(r.slice(1).join('\u0000'))!;
    if (group.length < 4) out.push(r);
    else if (group[0] === r) out.push([`${r[0]} ${t.dim(`+${group.length - 1} more`)}`, ...r.slice(1)]);
  }
  return out;
}

function intro(r: DkimResult, t: Theme): string[] {
  const lines: string[] = [];
  if (r.messageSignatures?.length) {
    for (const sig of r.messageSignatures) {
      const mine = sig.domain === r.domain;
      lines.push(
        `  ${t.dim('message signed with')} d=${escapeControl(sig.domain)} s=${escapeControl(sig.selector)}${sig.algorithm ? t.dim(` a=${escapeControl(sig.algorithm)}`) : ''}${mine ? '' : t.dim(' (another domain)')}`,
      );
    }
  }
  for (const p of r.providers) {
    lines.push(
      `  ${t.dim(escapeControl(p.evidence))} ${t.dim('→')} ${t.accent(p.provider)}${t.dim(`: also tried ${p.selectors.map((s) => escapeControl(s)).join(', ')}`)}`,
    );
  }
  if (r.guessed && !r.selectors.length) {
    lines.push(
      `  ${t.warn('?')} MX/TXT ${escapeControl(r.domain)} failed ${t.dim('→ selectors not probed (see findings)')}`,
    );
    return lines;
  }
  const found = r.selectors.filter((s) => s.found).length;
  const asked = r.guessed
    ? `tried ${r.selectors.length} ${r.providers.length ? 'common and provider' : 'common'} selectors`
    : `asked ${r.selectors.length} selector${r.selectors.length > 1 ? 's' : ''}`;
  const parts: Styled[] = [
    [`TXT <selector>._domainkey.${escapeControl(r.domain)}: ${asked} →`],
    found ? [` ${found} found`, t.ok] : [' none found', t.warn],
  ];
  if (r.guessed && t.detail === 'full')
    parts.push([' (DKIM has no way to list them; name yours with --selector)', t.dim]);
  lines.push(...wrapStyled(parts, t.width, `  ${t.dim('?')} `, '    '));
  return lines;
}

function header(r: DkimResult, t: Theme): string[] {
  const columns = ['selector', 'status', 'key', 'bits', 'flags'];
  if (r.keyFile) columns.push('--key');
  return columns.map((h) => t.dim(h));
}

function row(s: DkimSelectorResult, r: DkimResult, t: Theme): string[] {
  const mine = r.findings.filter((f) => f.selector === s.selector);
  const worst: Severity = worstSeverity(mine.filter((f) => f.id !== 'dkim.record.delegated'));
  const status = statusOf(s, worst, t);
  const key = s.keyType ? KEY_TYPE_NAMES[s.keyType] : t.dim('—');
  const bits = keyBitsCell(s, t);
  const flags = [
    s.testing && t.warn('testing (t=y)'),
    s.strict && 't=s',
    s.cnames.length && t.dim('CNAME'),
    s.records && s.records.length > 1 && t.fail(`${s.records.length} records`),
  ]
    .filter(Boolean)
    .join(' ');
  const cells = [t.bold(escapeControl(s.selector)), status, key, bits, flags];
  if (r.keyFile) cells.push(keyMatchCell(s, t));
  return cells;
}

const KEY_TYPE_NAMES = { rsa: 'RSA', ed25519: 'Ed25519' } as const;

/** Key size, coloured for RSA below the RFC 8301 floor (1024, fail) and below 2048 (warn). */
function keyBitsCell(s: DkimSelectorResult, t: Theme): string {
  if (s.keyBits === null) return t.dim('—');
  const bits = String(s.keyBits);
  if (s.keyType !== 'rsa') return bits;
  if (s.keyBits < 1024) return t.fail(bits);
  return s.keyBits < 2048 ? t.warn(bits) : bits;
}

/** The --key column: does the published key match the given one? */
function keyMatchCell(s: DkimSelectorResult, t: Theme): string {
  if (s.keyMatch === undefined) return t.dim('—');
  return s.keyMatch ? t.ok('✓ match') : t.dim('no');
}

function statusOf(s: DkimSelectorResult, worst: Severity, t: Theme): string {
  if (s.lookup !== 'ok' && s.lookup !== 'nxdomain' && s.lookup !== 'nodata')
    return t.warn(`? ${s.lookup.toUpperCase()}`);
  if (!s.found && s.record === null && s.cnames.length) {
    const what = `alias to ${s.lookup === 'nxdomain' ? 'nothing' : 'no key'}`;
    return worst === 'fail' ? t.fail(`✗ ${what}`) : t.warn(`! ${what}`);
  }
  if (!s.found)
    return s.record !== null
      ? t.fail('✗ not a DKIM key')
      : t.fail(`✗ ${s.lookup === 'nxdomain' ? 'no such name' : 'no TXT record'}`);
  if (s.revoked) return t.severity(worst === 'ok' ? 'info' : worst, '– revoked (p= empty)');
  const word = KEY_WORDS[worst] ?? '✓ valid';
  return t.severity(worst === 'info' ? 'ok' : worst, word);
}

/** A found key's status word by its worst finding. */
const KEY_WORDS: Partial<Record<Severity, string>> = { fail: '✗ broken', warn: '! usable' };

/** Selectors whose records read and are marked alike, each group as its first selector and how many more. */
function sameRecords(selectors: DkimSelectorResult[], r: DkimResult): { s: DkimSelectorResult; alike: number }[] {
  const groups = new Map<string, { s: DkimSelectorResult; alike: number }>();
  for (const s of selectors) {
    const spans = r.findings.filter((f) => f.selector === s.selector && f.span).map((f) => `${f.id}@${f.span}`);
    const key = [s.record, ...(s.records ?? []), ...spans.sort()].join('\u0000');
    const seen = groups.get(key);
    if (seen) seen.alike++;
    else groups.set(key, { s, alike: 0 });
  }
  return [...groups.values()];
}

function recordBlock(s: DkimSelectorResult, findings: DkimFinding[], t: Theme, alike = 0): string[] {
  const lines: string[] = [];
  const via = s.cnames.length
    ? t.dim(` (CNAME → ${escapeControl(s.delegatedTo ?? s.cnames[s.cnames.length - 1]!)})`)
    : '';
  const more = alike ? t.dim(` and ${alike} more selector${alike > 1 ? 's' : ''} with the same record`) : '';
  lines.push(`  ${t.bold(escapeControl(s.name))}${via}${more}`);
  const raw = s.record!;
  const marks = findings
    .filter((f) => f.selector === s.selector && f.span)
    .map((f) => ({ span: f.span!, severity: f.severity }));
  lines.push(...renderMarkedRecord(raw, marks, t, { indent: '    ', elide: keyRange(raw) }));
  for (const other of (s.records ?? []).filter((x) => x !== raw)) {
    lines.push(...renderMarkedRecord(other, [], t, { indent: `    ${t.fail('+')} `, elide: keyRange(other) }));
  }
  return lines;
}

/** The base64 of p=, which the report shortens: only its ends are worth reading. */
function keyRange(raw: string): [number, number] | undefined {
  const m = /(^|;)\s*p\s*=\s*/.exec(raw);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  const end = raw.indexOf(';', start);
  return [start, end < 0 ? raw.length : end];
}
