// Verdicts that need two checks at once: BIMI needs an enforcing DMARC policy; MTA-STS or DANE without TLS-RPT
// leaves failures unheard; and with --smtp, the MTA-STS story end to end — TXT id → policy → MX list → each MX
// host's certificate (RFC 8461 §4.2). Pure.
import { finding } from '../core/result.js';
import type { PostureChecks, PostureFinding } from './types.js';

export function crossFindings(c: PostureChecks): PostureFinding[] {
  return [...bimiNeedsDmarc(c), ...tlsRptRecommended(c), ...mtaStsAgainstSmtp(c)];
}

function bimiNeedsDmarc(c: PostureChecks): PostureFinding[] {
  const b = c.bimi;
  const d = c.dmarc;
  if (!b || !d || !b.parsed || b.declined || b.parsed.errors.length || d.findings.some((f) => f.temporary)) return [];
  const applied = d.appliedPolicy;
  const enforcing = (applied === 'quarantine' || applied === 'reject') && d.pct === 100 && d.subdomainPolicy !== 'none';
  if (enforcing) return [];
  let why = 'the DMARC subdomain policy is sp=none';
  if (!applied) why = 'there is no usable DMARC policy';
  else if (applied === 'none') why = 'the DMARC policy is p=none';
  else if (d.pct !== 100) why = `DMARC applies to only pct=${d.pct}%`;
  return [
    {
      ...finding(
        'bimi.dmarc.not-enforced',
        'fail',
        `${c.bimi!.domain} publishes a BIMI record, but ${why}: receivers show BIMI logos only for domains at DMARC enforcement (quarantine or reject, pct=100).`,
        {
          ref: 'BIMI draft §4',
          advice: 'Move DMARC to p=quarantine or p=reject with pct=100 first.',
        },
      ),
      check: 'bimi',
    },
  ];
}

function tlsRptRecommended(c: PostureChecks): PostureFinding[] {
  const t = c.tlsRpt;
  if (!t || t.records.length || t.findings.some((f) => f.temporary)) return [];
  const mtaSts = Boolean(c.mtaSts?.records.length);
  const dane = Boolean(c.dane?.hosts.some((h) => h.records.length));
  if (!mtaSts && !dane) return [];
  return [
    {
      ...finding(
        'tls-rpt.recommended',
        'warn',
        `${t.domain} uses ${[mtaSts && 'MTA-STS', dane && 'DANE'].filter(Boolean).join(' and ')} but asks for no TLS reports: when senders fail to deliver securely, nobody hears of it.`,
        {
          ref: 'RFC 8460 §1, RFC 8461 §6',
          advice: `Publish _smtp._tls.${t.domain}. TXT "v=TLSRPTv1; rua=mailto:tls-reports@${t.domain}".`,
        },
      ),
      check: 'tlsRpt',
    },
  ];
}

function mtaStsAgainstSmtp(c: PostureChecks): PostureFinding[] {
  const m = c.mtaSts;
  const probe = c.smtp;
  if (!m || !probe || (m.mode !== 'enforce' && m.mode !== 'testing')) return [];
  const severity = m.mode === 'enforce' ? 'fail' : 'warn';
  const consequence =
    m.mode === 'enforce'
      ? 'senders that honour MTA-STS will not deliver to it'
      : 'in enforce mode senders would not deliver to it';
  const out: PostureFinding[] = [];
  let checked = 0;
  for (const h of probe.hosts) {
    if (!h.connected || h.bannerCode !== 220) continue;
    const who = `${h.exchange} [${h.address}]`;
    checked++;
    if (!h.tls || (!h.tls.offered && h.esmtp)) {
      out.push({
        ...finding('mta-sts.smtp.no-starttls', severity, `${who} does not offer STARTTLS: ${consequence}.`, {
          ref: 'RFC 8461 §4.2',
        }),
        check: 'mtaSts',
      });
      continue;
    }
    if (h.tls.attempted && !h.tls.ok) {
      out.push({
        ...finding(
          'mta-sts.smtp.tls-failed',
          severity,
          `The TLS handshake with ${who} failed (${h.tls.error ?? 'unknown error'}): ${consequence}.`,
          { ref: 'RFC 8461 §4.2' },
        ),
        check: 'mtaSts',
      });
      continue;
    }
    const cert = h.tls.certificate;
    if (!cert) continue;
    const problems = [
      cert.hostnameMatch === false &&
        `it does not name ${h.exchange} (it names ${cert.altNames.join(', ') || cert.subject})`,
      !cert.trusted && `it does not chain to a trusted CA${cert.selfSigned ? ' (self-signed)' : ''}`,
      cert.expired && 'it has expired',
    ].filter(Boolean);
    if (problems.length) {
      out.push({
        ...finding(
          'mta-sts.smtp.certificate',
          severity,
          `The certificate of ${who} fails MTA-STS validation: ${problems.join('; ')}; ${consequence}.`,
          {
            ref: 'RFC 8461 §4.2',
            advice: `Serve a certificate from a public CA that names ${h.exchange}.`,
          },
        ),
        check: 'mtaSts',
      });
    }
  }
  if (checked && !out.length) {
    out.push({
      ...finding(
        'mta-sts.smtp.ok',
        'ok',
        `Every MX host reached offers STARTTLS with a trusted certificate for its name, as the ${m.mode} policy (id ${m.id ?? '?'}) requires.`,
        { ref: 'RFC 8461 §4.2' },
      ),
      check: 'mtaSts',
    });
  }
  return out;
}
