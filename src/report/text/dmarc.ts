// The DMARC report (RFC 9989): policy discovery step by step (the domain, then the DNS tree walk above it), the
// record with its offending parts marked, what each tag means here, report destinations and their authorization.
// Brief (the default): the verdict, the record, the policy in one line, destinations that need a look, what to fix.
import type { DmarcResult } from '../../auth/dmarc/types.js';
import type { DnsStepDetail } from '../../dns/trace.js';
import { escapeControl } from '../../core/text.js';
import { heading, renderMarkedRecord, reportHead, reportTail, verdictLine } from '../steps.js';
import { fitTable, headerRules } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';
const esc = (s: string) => escapeControl(s);

export function renderDmarc(r: DmarcResult, t: Theme, opts: { steps?: boolean } = {}): string {
  const full = t.detail === 'full';
  const out: string[] = [reportHead(t, `DMARC for ${r.domain}`, verdictLine(r.findings, t))];
  if (full) out.push(...discovery(r, t));
  for (const d of r.discarded) {
    out.push(`    ${t.dim('ignored:')} ${t.dim(esc(d.name))} ${t.dim(`(${d.reason})`)}`);
    // The first tag is what makes a TXT record no DMARC record; one of several records is fine in itself.
    const semicolon = d.record.indexOf(';');
    const marks = d.reason.startsWith('one of')
      ? []
      : [{ span: [0, semicolon < 0 ? d.record.length : semicolon] as [number, number], severity: 'fail' as const }];
    out.push(...renderMarkedRecord(d.record, marks, t, { indent: '      ' }));
  }
  if (!full) {
    out.push(...briefBody(r, t));
    out.push(...reportTail(r, t, { ...opts, omitted: ['the lookups', 'the tag table'] }));
    return fitLines(out.join('\n'), t.width) + '\n';
  }
  if (r.record !== null && r.recordDomain) {
    out.push('', heading(t, `Record at _dmarc.${r.recordDomain}`));
    if (r.records.length > 1) {
      r.records.forEach((rec, i) =>
        out.push(...renderMarkedRecord(rec, [], t, { indent: `  ${t.fail(`${i + 1}.`)} ` })),
      );
    } else {
      const marks = r.findings.filter((f) => f.span).map((f) => ({ span: f.span!, severity: f.severity }));
      out.push(...renderMarkedRecord(r.record, marks, t, { indent: '  ' }));
    }
  }
  if (r.parsed && r.records.length === 1) {
    // The meaning column wraps to fit the terminal.
    out.push(
      '',
      heading(t, 'Policy'),
      fitTable(policyRows(r, t), { width: t.width, wrap: 2, minWrap: 20, config: { drawHorizontalLine: headerRules } }),
    );
  }
  const dest = destinations(r, t);
  if (dest.length) out.push('', heading(t, 'Report destinations'), ...dest);
  out.push(...reportTail(r, t, opts));
  return fitLines(out.join('\n'), t.width) + '\n';
}

/**
 * Brief: where the record is (when not at the domain itself), the record with its offending parts marked, the
 * policy in one line, and only the report destinations that need a look (unauthorized, invalid, unknown).
 */
function briefBody(r: DmarcResult, t: Theme): string[] {
  const out: string[] = [];
  if (r.record === null || !r.recordDomain) return out;
  if (r.recordDomain !== r.domain) {
    // RFC 9989 §4.10.1: the record came from the Organizational Domain or, failing that, from the PSD above it.
    const whose = r.discovery.source === 'psd' ? 'the public suffix domain, psd=y' : 'the organizational domain';
    out.push(`  ${t.dim(`at _dmarc.${esc(r.recordDomain)} (${whose})`)}`);
  }
  if (r.records.length > 1) {
    r.records.forEach((rec, i) => out.push(...renderMarkedRecord(rec, [], t, { indent: `  ${t.fail(`${i + 1}.`)} ` })));
    return out;
  }
  const marks = r.findings.filter((f) => f.span).map((f) => ({ span: f.span!, severity: f.severity }));
  out.push(...renderMarkedRecord(r.record, marks, t, { indent: '  ' }));
  const policy = [
    // No applied policy: receivers apply no DMARC at all (an invalid p=, sp= or np= and no valid rua=), which
    // is not p=none.
    r.appliedPolicy ? `policy ${r.appliedPolicy}` : 'no DMARC policy applies',
    r.subdomainPolicy && r.subdomainPolicy !== r.policy ? `subdomains ${r.subdomainPolicy}` : '',
    r.pct < 100 ? `pct ${r.pct}` : '',
    `alignment adkim=${r.adkim} aspf=${r.aspf}`,
    `reports ${r.rua.length ? `to ${r.rua.length} address${r.rua.length > 1 ? 'es' : ''}` : 'none'}`,
  ].filter(Boolean);
  out.push(`  ${t.dim(policy.join(' · '))}`);
  const dest = destinations(r, t).filter((_line, i) => {
    const d = r.destinations[i];
    return !d || (d.external && d.authorized !== true);
  });
  out.push(...dest);
  return out;
}

/** How many of the TXT records at a _dmarc name are DMARC records: one is right. */
function dmarcRecordCount(dmarc: number, txt: number, t: Theme): string {
  if (dmarc === 1) return t.ok('1 DMARC record');
  if (dmarc) return t.fail(`${dmarc} DMARC records`);
  return t.warn(`${txt} TXT record${txt > 1 ? 's' : ''}, none DMARC`);
}

/** The _dmarc questions asked, in order: the domain, then the tree walk above it (RFC 9989 §4.10). */
function discovery(r: DmarcResult, t: Theme): string[] {
  const lines: string[] = [];
  for (const s of r.steps) {
    const d = s.detail as DnsStepDetail | undefined;
    if (!d || !d.name.startsWith('_dmarc.')) continue;
    const org = t.dim(role(r, d.name.slice('_dmarc.'.length)));
    const texts = (d.records as string[][]).map((x) => x.join(''));
    const dmarc = texts.filter((x) => /^v\s*=\s*DMARC1\b/i.test(x.trimStart())).length;
    let answer: string;
    switch (d.status) {
      case 'ok':
        answer = dmarcRecordCount(dmarc, texts.length, t);
        break;
      case 'nxdomain':
        answer = t.dim('NXDOMAIN');
        break;
      case 'nodata':
        answer = t.dim('no TXT records');
        break;
      default:
        answer = t.warn(`${d.status.toUpperCase()} from ${esc(d.server)}: unknown`);
    }
    const via = d.cnames.length ? t.dim(` (via CNAME ${d.cnames.map(esc).join(' → ')})`) : '';
    lines.push(`  ${t.dim('?')} TXT ${esc(d.name)}${org} → ${answer}${via}`);
  }
  if (r.rfc7489.orgDomain !== r.orgDomain)
    lines.push(
      `  ${t.dim(`organizational domain ${esc(r.orgDomain)} by tree walk; ${esc(r.rfc7489.orgDomain)} by the Public Suffix List (RFC 7489)`)}`,
    );
  return lines;
}

/** What a name asked is to the domain: its Organizational Domain, its PSD, or a step of the walk. */
function role(r: DmarcResult, name: string): string {
  if (name === r.domain) return '';
  if (name === r.recordDomain && r.discovery.source === 'psd') return ' (public suffix domain, psd=y)';
  if (name === r.orgDomain) return ' (organizational domain)';
  // Asked only for the RFC 7489 reading, when the walk did not pass by it.
  if (name === r.rfc7489.orgDomain && !r.discovery.queries.includes(`_dmarc.${name}`))
    return ' (RFC 7489: organizational domain by the Public Suffix List)';
  return ' (tree walk)';
}

function policyRows(r: DmarcResult, t: Theme): string[][] {
  const p = r.parsed!;
  const pol = (v: string | null) => {
    if (v === 'reject' || v === 'quarantine') return t.ok(v);
    return v === 'none' ? t.warn(v) : t.fail('no DMARC');
  };
  const valid = (v: string) => /^(none|quarantine|reject)$/i.test(v);
  // What is written, and what receivers make of it when that differs (defaults, RFC 7489 §6.6.3 step 6).
  const policyCell = (raw: string | null, effective: string | null, def: string) => {
    if (raw === null)
      return def === 'required'
        ? `${t.fail('(missing)')} → ${pol(effective)}`
        : `${pol(effective)}${t.dim(` (default: ${def})`)}`;
    return valid(raw) && raw.toLowerCase() === effective ? pol(effective) : `${t.fail(esc(raw))} → ${pol(effective)}`;
  };
  const given = (v: string | null, def: string) => (v === null ? t.dim(` (default: ${def})`) : '');
  const inherited = r.recordDomain !== r.domain;
  const rows: string[][] = [
    [t.dim('tag'), t.dim('value'), t.dim('meaning')],
    [
      'p',
      policyCell(p.p, r.policy, 'required'),
      `mail from ${esc(r.recordDomain!)} failing DMARC${!inherited ? t.accent(' ← applies to this domain') : ''}`,
    ],
    [
      'sp',
      policyCell(p.sp, r.subdomainPolicy, 'p'),
      `mail from subdomains${inherited ? t.accent(` ← applies to ${esc(r.domain)}`) : ''}`,
    ],
    ['np', policyCell(p.np, r.nonexistentPolicy, 'sp'), 'mail from subdomains that do not exist'],
  ];
  if (p.t !== null || r.testing)
    rows.push([
      't',
      r.testing ? t.warn('y') : esc(p.t ?? 'n'),
      r.testing ? 'testing: receivers apply the policy one level weaker (RFC 9989)' : 'not testing',
    ]);
  const psdMeaning = {
    y: 'a public suffix domain',
    n: 'an organizational domain',
    u: 'unknown: the tree walk decides',
  };
  if (p.psd !== null) rows.push(['psd', esc(p.psd), `${psdMeaning[r.psd ?? 'u']} (RFC 9989)`]);
  if (p.pct !== null)
    rows.push([
      'pct',
      r.pct < 100 ? t.warn(String(r.pct)) : String(r.pct),
      `percentage of failing mail the policy applies to: RFC 7489 only (RFC 9989 removed it)`,
    ]);
  rows.push(
    [
      'adkim',
      `${r.adkim}${given(p.adkim, 'r')}`,
      r.adkim === 's'
        ? 'strict: DKIM d= must equal the From: domain'
        : 'relaxed: DKIM d= in the same organizational domain',
    ],
    [
      'aspf',
      `${r.aspf}${given(p.aspf, 'r')}`,
      r.aspf === 's'
        ? 'strict: MAIL FROM domain must equal the From: domain'
        : 'relaxed: MAIL FROM in the same organizational domain',
    ],
  );
  if (p.fo !== null)
    rows.push(['fo', esc(p.fo), 'when to send failure reports (0 all fail, 1 any fails, d DKIM, s SPF)']);
  if (p.ri !== null) rows.push(['ri', esc(p.ri), 'seconds between aggregate reports: RFC 7489 only']);
  if (p.rf !== null) rows.push(['rf', esc(p.rf), 'failure report format: RFC 7489 only']);
  return rows;
}

/** Whether a destination may receive the domain's reports (the external destination check, RFC 7489 §7.1). */
function authorization(d: DmarcResult['destinations'][number], t: Theme): string {
  if (!d.external) return t.dim('✓ same organization, no authorization needed');
  if (d.authorized === null) return t.warn(`? ${esc(d.authorizationName ?? '')}: ${(d.lookup ?? '').toUpperCase()}`);
  if (d.authorized) return `${t.ok('✓ authorized')} ${t.dim(`by ${esc(d.authorizationName!)}`)}`;
  return `${t.warn('! not authorized')} ${t.dim(`(no v=DMARC1 at ${esc(d.authorizationName!)})`)}`;
}

function destinations(r: DmarcResult, t: Theme): string[] {
  const invalid = [
    ...(r.parsed?.rua ?? []).map((u) => ({ tag: 'rua', u })),
    ...(r.parsed?.ruf ?? []).map((u) => ({ tag: 'ruf', u })),
  ].filter(({ u }) => u.error || u.scheme !== 'mailto');
  const width = Math.max(
    0,
    ...r.destinations.map((d) => esc(d.uri).length),
    ...invalid.map(({ u }) => esc(u.raw).length),
  );
  const lines = r.destinations.map((d) => `  ${t.dim(d.tag)} ${esc(d.uri).padEnd(width)}  ${authorization(d, t)}`);
  for (const { tag, u } of invalid) {
    lines.push(
      `  ${t.dim(tag)} ${esc(u.raw).padEnd(width)}  ${u.error ? t.fail(`✗ ${esc(u.error)}`) : t.warn(`! ${esc(u.scheme ?? '')}: is not mailto:`)}`,
    );
  }
  return lines;
}
