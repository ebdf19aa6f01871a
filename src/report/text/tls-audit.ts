// The TLS audit of one SMTP server as a table (test · verdict · detail) and internet.nl's kind of summary line
// ("TLS of mx1.example.com: 2 phase-out, 0 insufficient"). Shared by probe and check. Pure.
import { escapeControl } from '../../core/text.js';
import type { TlsAudit, Verdict } from '../../probe/tls-audit/types.js';
import { fitTable, headerRules } from '../table.js';
import type { Theme } from '../theme.js';
import { wrapStyled } from '../wrap.js';

export function renderTlsAudit(
  h: { exchange: string; address: string; port: number; tlsAudit?: TlsAudit | null },
  t: Theme,
  o: { indent?: string } = {},
): string[] {
  const a = h.tlsAudit;
  if (!a) return [];
  const indent = o.indent ?? '';
  const name = h.exchange === h.address ? h.address : `${h.exchange} [${h.address}]`;
  const rows = [
    [t.bold('Test'), t.bold('Verdict'), t.bold('Detail')],
    ...a.tests.map((x) => [x.test, verdictCell(x.verdict, t), escapeControl(x.detail)]),
  ];
  const lines = [
    `${indent}${t.bold(`TLS audit of ${escapeControl(name)}:${h.port}`)}${t.dim(`  ${a.handshakes} handshakes, ${(a.ms / 1000).toFixed(1)} s`)}`,
    fitTable(rows, {
      width: t.width,
      wrap: 2,
      indent: `${indent}`,
      minWrap: 24,
      config: { drawHorizontalLine: headerRules },
    }),
    `${indent}${summaryLine(h.exchange, a, t)}`,
  ];
  if (a.incomplete) lines.push(`${indent}${t.warn('! the time budget ran out: the rest is "not tested"')}`);
  if (a.local.untested.length)
    lines.push(
      ...wrapStyled(
        [
          [
            `Not tested (the local OpenSSL ${a.local.openssl} cannot offer them): ${untestedText(a.local.untested)}.`,
            t.dim,
          ],
        ],
        t.width,
        indent,
        `${indent}  `,
      ),
    );
  return lines;
}

/** "TLS of mx1.example.com: 2 phase-out, 0 insufficient" (internet.nl's summary), coloured by the worst. */
export function summaryLine(exchange: string, a: TlsAudit, t: Theme): string {
  const s = a.summary;
  const text = `TLS of ${escapeControl(exchange)}: ${s.phaseOut} phase-out, ${s.insufficient} insufficient`;
  if (s.insufficient) return t.fail(`✗ ${text}`);
  if (s.phaseOut) return t.warn(`! ${text}`);
  return t.ok(`✓ ${text}`);
}

export function verdictCell(v: Verdict | null, t: Theme): string {
  switch (v) {
    case 'good':
      return t.ok('✓ good');
    case 'sufficient':
      return t.ok('✓ sufficient');
    case 'phase-out':
      return t.warn('! phase-out');
    case 'insufficient':
      return t.fail('✗ insufficient');
    default:
      return t.dim('· –');
  }
}

const KINDS: [RegExp, string][] = [
  [/3DES/, '3DES'],
  [/RC4/, 'RC4'],
  [/_DES_CBC|DES40/, 'DES'],
  [/IDEA/, 'IDEA'],
  [/SEED/, 'SEED'],
  [/EXPORT/, 'export'],
];

/** "SSL 3, SSL 2, 12 suites (3DES, RC4, DES, IDEA, SEED, export)". */
function untestedText(names: readonly string[]): string {
  const versions = names.filter((n) => /^SSLv/.test(n)).map((n) => n.replace('SSLv', 'SSL '));
  const suites = names.filter((n) => !/^SSLv/.test(n));
  const parts = [...versions];
  if (suites.length) {
    const kinds = KINDS.filter(([re]) => suites.some((n) => re.test(n))).map(([, k]) => k);
    parts.push(
      `${suites.length} suite${suites.length === 1 ? '' : 's'}${kinds.length ? ` (${kinds.join(', ')})` : ''}`,
    );
  }
  return parts.join(', ');
}
