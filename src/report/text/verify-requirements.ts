// verify's "Sender requirements" section: Gmail's and Yahoo's rules as a table (mark · rule · what was seen),
// every RFC 5322 problem when there are more than the row shows, and the verdict under the profile used. Pure.
import { escapeControl } from '../../core/text.js';
import type { ConnectionFacts, Requirement, RequirementsVerdict } from '../../verify/requirements/types.js';
import { heading } from '../steps.js';
import { fitTable } from '../table.js';
import type { Theme } from '../theme.js';
import { wrapStyled, type Styled } from '../wrap.js';
import { requirementTitle } from './requirements.js';
import { getBorderCharacters } from 'table';

const TABLE = {
  border: getBorderCharacters('void'),
  columnDefault: { paddingLeft: 0, paddingRight: 2 },
  drawHorizontalLine: () => false,
} as const;

const FROM_RECEIVE = 'verify a file mailcheck receive stored, with its --hostname as --authserv-id';

/** ✓ met · ✗ not met · ! a bulk-sender rule not met, as advice · ? no verdict (DNS) · n/a */
function mark(t: Theme, r: Requirement): string {
  if (r.result === 'pass') return t.ok('✓');
  if (r.result === 'not-applicable') return t.dim('·');
  if (r.temporary) return t.warn('?');
  return r.advisory ? t.warn('!') : t.fail('✗');
}

export function renderRequirementsSection(
  item: {
    requirements: readonly Requirement[];
    requirementsVerdict: RequirementsVerdict;
    connection: ConnectionFacts | null;
  },
  t: Theme,
): string[] {
  const { requirements, requirementsVerdict: verdict, connection } = item;
  const out: string[] = [];
  const profile = verdict.profile === 'bulk' ? 'bulk-sender rules' : 'all-senders rules, bulk ones as advice';
  out.push(heading(t, 'Sender requirements'), `  ${t.dim(`Gmail and Yahoo, 2024: ${profile}`)}`);
  const rows = requirements.map((r) => {
    const reason = escapeControl(clip(r.reason));
    return [
      mark(t, r),
      requirementTitle(r) + (r.scope === 'bulk' ? t.dim(' (bulk)') : ''),
      r.result === 'pass' ? t.dim(reason) : reason,
    ];
  });
  // A borderless table pads every cell to its column: the spaces after the last column are only noise at line ends
  // (copied into tickets, flagged by diffs).
  const table = fitTable(rows, { width: t.width, wrap: 2, minWrap: 24, config: TABLE });
  out.push(...table.split('\n').map((l) => l.trimEnd()));
  const format = requirements.find((r) => r.id === 'format.rfc5322');
  if (format?.problems && format.problems.length > 2)
    for (const p of format.problems)
      out.push(
        ...wrapStyled([[escapeControl(p.message)], [` [${p.id}]`, t.dim, true]], t.width, '      - ', '        '),
      );
  // How to judge what could not be: the connection (verify without --ip), or TLS (only our Received: knows).
  let hint = '';
  if (!connection) hint = `Client IP, HELO and TLS unknown: give --ip and --helo, or ${FROM_RECEIVE}.`;
  else if (connection.tls === null) hint = `TLS is known only from our Received: field: ${FROM_RECEIVE}.`;
  if (hint) out.push(...wrapStyled([[hint, t.dim]], t.width, '  ', '  '));
  out.push(...wrapStyled(summary(requirements, verdict, t), t.width, '  ', '    '));
  return out;
}

/**
 * A reason as the table shows it: at most MAX_REASON characters (the JSON keeps it whole). Reasons quote what
 * senders and DNS wrote, and the table package wraps one long word in quadratic time (a 20 kB word: 43 s).
 */
const MAX_REASON = 300;
function clip(s: string): string {
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON)}…` : s;
}

function summary(requirements: readonly Requirement[], v: RequirementsVerdict, t: Theme): Styled[] {
  const rules = v.profile === 'bulk' ? 'bulk-sender rules' : 'all-senders rules';
  const unmet = requirements.filter((r) => r.result === 'fail' && !r.advisory && !r.temporary).length;
  const unjudged = v.failed.length - unmet;
  const parts: Styled[] = [];
  if (v.result === 'pass') parts.push([`✓ meets the ${rules}`, t.ok]);
  else if (unmet) parts.push([`✗ ${unmet} of the ${rules} not met`, t.fail]);
  if (unjudged) parts.push([`${unmet ? ', ' : '? '}${unjudged} not judged: a DNS lookup failed`, t.warn]);
  const advice = v.advice.length;
  if (advice)
    parts.push([`; ${advice} bulk-sender rule${advice > 1 ? 's' : ''} not met (--bulk judges by them)`, t.dim]);
  return parts;
}
