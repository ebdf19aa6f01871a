// Verdicts on SMTP TLS Reporting (RFC 8460): is there exactly one usable record, with report URIs senders can use. Pure.
import { finding, type Finding } from '../../core/result.js';
import type { TlsRptResult } from './types.js';

export function tlsRptFindings(r: Omit<TlsRptResult, 'findings' | 'steps'>): Finding[] {
  const name = `_smtp._tls.${r.domain}`;
  const ref = 'RFC 8460 §3';
  if (r.lookup !== 'ok' && r.lookup !== 'nxdomain' && r.lookup !== 'nodata') {
    return [
      finding(
        'tls-rpt.lookup.temporary',
        'fail',
        `The TXT lookup for ${name} failed (${r.lookup.toUpperCase()}): no verdict on TLS reporting.`,
        { temporary: true },
      ),
    ];
  }
  if (!r.records.length) {
    if (r.discarded.some((t) => /^\s*v\s*=\s*tlsrpt/i.test(t))) {
      return [
        finding(
          'tls-rpt.record.discarded',
          'fail',
          `${name} has a TXT record that looks like TLS-RPT but does not start with "v=TLSRPTv1", so senders ignore it.`,
          { ref, advice: 'Start the record with exactly "v=TLSRPTv1;".' },
        ),
      ];
    }
    return [
      finding(
        'tls-rpt.none',
        'info',
        `${r.domain} asks for no SMTP TLS reports: you will not hear when senders fail to set up TLS to your MX hosts.`,
        {
          ref,
          advice: `Publish ${name}. TXT "v=TLSRPTv1; rua=mailto:tls-reports@${r.domain}".`,
        },
      ),
    ];
  }
  if (r.records.length > 1) {
    return [
      finding(
        'tls-rpt.record.multiple',
        'fail',
        `${name} has ${r.records.length} TLS-RPT records; senders then send no reports at all.`,
        { ref, advice: 'Merge them into one record.' },
      ),
    ];
  }
  const p = r.parsed!;
  const out: Finding[] = [];
  if (p.errors.length)
    out.push(
      finding('tls-rpt.record.invalid', 'fail', `The TLS-RPT record at ${name} is invalid: ${p.errors.join('; ')}.`, {
        ref,
      }),
    );
  if (!p.rua.length) {
    out.push(
      finding(
        'tls-rpt.rua.missing',
        'fail',
        `The TLS-RPT record at ${name} has no rua= destination: reports have nowhere to go.`,
        { ref, advice: `Add rua=mailto:tls-reports@${r.domain}.` },
      ),
    );
  }
  for (const u of p.rua) {
    if (u.problem) {
      out.push(
        finding(
          u.scheme === 'mailto' || u.scheme === 'https' ? 'tls-rpt.rua.invalid' : 'tls-rpt.rua.scheme',
          'fail',
          `rua "${u.raw}": ${u.problem}.`,
          { ref },
        ),
      );
    }
  }
  if (!out.length) out.push(finding('tls-rpt.ok', 'ok', `TLS reports go to ${p.rua.map((u) => u.target).join(', ')}.`));
  return out;
}
