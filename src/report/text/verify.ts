// The verdicts on a saved message, mechanism by mechanism (DKIM RFC 6376, SPF RFC 7208, DMARC RFC 7489,
// ARC RFC 8617), the Authentication-Results a receiver would add (a folder's lines: verify-line.ts). Brief
// (the default): the verdict first, a line or two per mechanism, the Authentication-Results; --all adds the rest.
import { getBorderCharacters } from 'table';
import { escapeControl } from '../../core/text.js';
import type { VerifyItem } from '../../verify/types.js';
import { findingsToFix, heading, notShownLine, renderFindings, reportHead, verdictLine } from '../steps.js';
import { fitTable } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';
import { result, where } from './verify-line.js';
import { renderRequirementsSection } from './verify-requirements.js';

/** Said next to a DMARC verdict reached without SPF: the client IP was not given and no Received: of ours had it. */
const SPF_NOT_CHECKED = 'SPF not checked (no --ip)';

/**
 * Findings that the mechanism lines of a report already tell (a signature's row, the SPF and DMARC lines, ARC).
 * A brief report lists the others that are to act on, so that no failure or warning is only counted — whatever
 * finding a check adds later shows by default.
 */
const TOLD_ABOVE = new Set([
  ...['pass', 'fail', 'neutral', 'policy', 'permerror', 'temperror', 'none', 'testing'].map((r) => `verify.dkim.${r}`),
  ...['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'].map((r) => `verify.spf.${r}`),
  ...['pass', 'fail', 'permerror', 'none', 'rfc7489'].map((r) => `verify.dmarc.${r}`),
  'verify.arc.pass',
  'verify.arc.fail',
]);

export function renderVerify(item: VerifyItem, t: Theme, opts: { findings?: boolean } = {}): string {
  if ('error' in item)
    return fitLines(`${t.fail('✗')} ${escapeControl(where(item))}: ${escapeControl(item.error)}\n`, t.width);
  const out: string[] = [];
  const full = t.detail === 'full' || opts.findings;
  // A section's title, with what it is about in a full report.
  const section = (name: string, about: string) => (full ? `${t.bold(name)}${t.dim(about)}` : t.bold(name.trim()));
  out.push(reportHead(t, `Message ${where(item)}`, verdictLine(item.findings, t)));
  out.push(`  ${t.dim('From:   ')} ${escapeControl(item.from ?? '(none)')}`);
  if (item.subject !== undefined) out.push(`  ${t.dim('Subject:')} ${escapeControl(item.subject)}`);
  if (full) out.push(`  ${t.dim('Size:   ')} ${item.size} bytes`);

  out.push('', section('DKIM', '  every signature (RFC 6376)'));
  if (item.dkim.length === 1 && item.dkim[0]!.result === 'none') {
    out.push(`  ${result(t, 'none')}  ${t.dim('the message is not signed')}`);
  } else {
    const rows = item.dkim.map((d) => [
      result(t, d.result),
      escapeControl(d.domain ?? '?'),
      escapeControl(d.selector ?? '?'),
      escapeControl(d.algorithm ?? '?') + (d.keyBits ? t.dim(` ${d.keyBits}-bit`) : ''),
      d.aligned ? t.ok('aligned') : t.dim('not aligned'),
      d.uncoveredBytes
        ? t.warn(`l=${d.bodyLength}: ${d.uncoveredBytes} bytes of the body not covered`)
        : t.dim(escapeControl(d.reason ?? '')),
    ]);
    out.push(
      fitTable([[t.dim('result'), t.dim('d='), t.dim('s='), t.dim('a='), t.dim('with From:'), t.dim('why')], ...rows], {
        width: t.width,
        wrap: 5,
        config: TABLE,
      }),
    );
  }
  if (item.dkimNotVerified)
    out.push(
      `  ${t.warn('!')} ${item.dkimNotVerified} more signatures not verified ${t.dim(`(only the first ${item.dkim.length} are)`)}`,
    );

  out.push('', section('SPF   ', 'the connecting client (RFC 7208)'));
  if (!item.spf) {
    out.push(`  ${t.dim('· not checked: give --ip (and --helo, --sender) of the client that delivered the message')}`);
  } else {
    const s = item.spf;
    out.push(
      s.sender
        ? `  ${result(t, s.result)}  ${s.ip} for ${escapeControl(s.sender)} ${t.dim(`(${s.identity === 'mailfrom' ? 'MAIL FROM' : 'HELO'} identity, policy of ${escapeControl(s.domain || '-')})`)}`
        : `  ${result(t, s.result)}  ${s.ip} ${t.dim('with no identity to check: give --sender or --helo (or keep the Return-Path: header)')}`,
    );
    if (s.record && full) out.push(`     ${t.dim(escapeControl(s.record))}`);
    if (s.reason && s.result !== 'pass') out.push(`     ${t.dim(escapeControl(s.reason))}`);
    const c = item.connection;
    if (c?.source === 'received')
      out.push(
        `     ${t.dim(`client IP${c.helo ? ' and HELO' : ''} from our Received: field by ${escapeControl(c.by ?? '')}`)}`,
      );
  }

  const dm = item.dmarc;
  out.push('', section('DMARC ', "the From: domain's policy (RFC 9989)"));
  // t=y is RFC 9989's; pct= only RFC 7489 receivers apply (the rfc7489 line below says what they do).
  const tags = `${dm.testing ? ' t=y' : ''}${dm.pct !== 100 ? ` pct=${dm.pct}` : ''}`;
  out.push(
    `  ${result(t, dm.result)}  ${escapeControl(dm.domain ?? '(no From: domain)')}${dm.policy ? `  policy ${t.accent(dm.policy)}${tags}` : ''}${dm.recordDomain ? t.dim(`  record at _dmarc.${dm.recordDomain}`) : ''}`,
  );
  if (!item.spf && dm.result === 'fail') out.push(`     ${t.warn(SPF_NOT_CHECKED)}`);
  if (dm.record && full) out.push(`     ${t.dim(escapeControl(dm.record))}`);
  const mode = (m: 's' | 'r') => t.dim(m === 's' ? '(strict)' : '(relaxed)');
  // SPF alignment means nothing when SPF was not checked (no --ip): a dash, not a cross.
  let spfAligned = t.dim('–');
  if (dm.aligned.spf) spfAligned = t.ok('✓');
  else if (item.spf) spfAligned = t.fail('✗');
  out.push(
    `     alignment: DKIM ${dm.aligned.dkim ? t.ok('✓') : t.fail('✗')} ${mode(dm.adkim)}   SPF ${spfAligned} ${mode(dm.aspf)}`,
  );
  if (dm.reason) out.push(`     ${t.dim(escapeControl(dm.reason))}`);
  if (dm.result === 'fail')
    out.push(
      `     a receiver applying the policy would ${t.fail(dm.disposition === 'none' ? 'only report it' : dm.disposition)} this message`,
    );
  const old = item.findings.find((f) => f.id === 'verify.dmarc.rfc7489');
  if (old) out.push(`     ${t.warn('!')} ${t.dim(escapeControl(old.message))}`);

  // No ARC sets (most messages): a brief report says nothing about ARC.
  if (full || item.arc.result !== 'none')
    out.push('', section('ARC   ', 'chain of custody through forwarders (RFC 8617)'));
  if (full || item.arc.result !== 'none')
    out.push(
      `  ${result(t, item.arc.result)}${item.arc.result === 'none' ? `  ${t.dim('no ARC sets')}` : ''}${item.arc.instance ? `  i=${item.arc.instance}` : ''}${item.arc.reason ? `  ${t.dim(escapeControl(item.arc.reason))}` : ''}`,
    );

  // Brief: what the lines above do not say (nothing authenticates the message, a DNS failure, a check's own
  // warnings); --all lists every finding at the end.
  const toFix = full ? [] : findingsToFix(item.findings.filter((f) => !TOLD_ABOVE.has(f.id))).shown;
  if (toFix.length) out.push('', heading(t, 'What to fix'), renderFindings(toFix, t).trimEnd());

  out.push('', ...renderRequirementsSection(item, t));

  out.push('', heading(t, 'Authentication-Results a receiver would add'));
  out.push(
    ...item.authenticationResults.split('\r\n').map((l) => `  ${t.dim(escapeControl(l.replace(/^\t/, '    ')))}`),
  );
  if (opts.findings) out.push('', heading(t, 'Findings'), renderFindings(item.findings, t).trimEnd());
  if (full) out.push('', verdictLine(item.findings, t));
  else
    out.push('', notShownLine(t, { sections: [toFix.length ? 'the other findings' : 'the findings', 'the records'] }));
  return fitLines(out.join('\n') + '\n', t.width);
}

const TABLE = {
  border: getBorderCharacters('void'),
  columnDefault: { paddingLeft: 0, paddingRight: 2 },
  drawHorizontalLine: () => false,
} as const;
