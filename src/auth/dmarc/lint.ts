// Verdicts on a DMARC record (RFC 7489 §6.3–§6.6, RFC 9091 np=): policy strength, coverage, reporting,
// and every tag's syntax. Pure; each finding carries the span of the record it is about.
import { finding, type Finding, type Severity } from '../../core/result.js';
import { dmarcValues, policyValue, validPct, type DmarcPolicy, type DmarcRecord, type DmarcUri } from './record.js';

export interface DmarcFinding extends Finding {
  /** [start, end) offsets into the record text: the offending part. */
  span?: [number, number];
}

export interface DmarcLintOptions {
  /** The domain asked about. */
  domain: string;
  /** Where the record was found (the domain itself, or its organizational domain). */
  recordDomain: string;
}

const RANK: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 };
const FO = new Set(['0', '1', 'd', 's']);

export function lintDmarc(r: DmarcRecord, opts: DmarcLintOptions): DmarcFinding[] {
  const out: DmarcFinding[] = [];
  const add = (id: string, severity: Severity, message: string, extra: Partial<DmarcFinding> = {}) =>
    out.push({ ...finding(id, severity, message), ...extra });
  const tag = (n: string) => r.tags.find((t) => t.name === n);
  const span = (n: string, value = true): [number, number] | undefined => {
    const t = tag(n);
    return t ? (value ? [t.valueStart, t.valueEnd] : [t.start, t.end]) : undefined;
  };
  const v = dmarcValues(r);
  const inherited = opts.recordDomain !== opts.domain;

  for (const issue of r.issues) {
    if (issue.kind === 'duplicate') {
      add('dmarc.tag.duplicate', 'warn', `${issue.message}; receivers disagree on which one counts.`, {
        ref: 'RFC 7489 §6.3',
        span: [issue.start, issue.end],
      });
    } else if (issue.kind !== 'empty') {
      add('dmarc.record.syntax', 'fail', `Syntax error: ${issue.message}.`, {
        ref: 'RFC 7489 §6.4',
        span: [issue.start, issue.end],
      });
    }
  }
  if (!r.versionFirst || r.version === null || r.version.toUpperCase() !== 'DMARC1') {
    add('dmarc.version.invalid', 'fail', 'The record must start with v=DMARC1; receivers discard it otherwise.', {
      ref: 'RFC 7489 §6.3',
      span: span('v', false) ?? [0, r.raw.length],
    });
  } else if (r.version !== 'DMARC1') {
    add(
      'dmarc.version.case',
      'warn',
      `v=${r.version} should be exactly "DMARC1" (upper case); strict receivers discard the record.`,
      { ref: 'RFC 7489 §6.4', span: span('v') },
    );
  }

  // p= and sp= — RFC 7489 §6.6.3 step 6 decides what an invalid one means.
  const consequence =
    v.degraded === 'none'
      ? 'receivers act as if p=none (monitoring only), because rua= has a valid address'
      : 'receivers apply no DMARC policy at all';
  if (r.p === null) {
    add('dmarc.policy.missing', 'fail', `The record has no p= tag: ${consequence}.`, {
      ref: 'RFC 7489 §6.6.3',
      advice: 'Add p=none to start monitoring, then p=quarantine or p=reject.',
    });
  } else if (!policyValue(r.p)) {
    add('dmarc.policy.invalid', 'fail', `p=${r.p} is not none, quarantine or reject: ${consequence}.`, {
      ref: 'RFC 7489 §6.6.3',
      span: span('p'),
    });
  }
  if (r.sp !== null && !policyValue(r.sp)) {
    add('dmarc.tag.invalid', 'fail', `sp=${r.sp} is not none, quarantine or reject: ${consequence}.`, {
      ref: 'RFC 7489 §6.6.3',
      span: span('sp'),
    });
  }
  if (r.np !== null && !policyValue(r.np)) {
    add('dmarc.tag.invalid', 'warn', `np=${r.np} is not none, quarantine or reject; receivers ignore it.`, {
      ref: 'RFC 9091 §4.1',
      span: span('np'),
    });
  }

  const applied = inherited ? v.subdomainPolicy : v.policy;
  const which = inherited ? (r.sp !== null ? 'sp' : 'p') : 'p';
  if (applied === 'none' && !v.degraded) {
    add(
      'dmarc.policy.none',
      'warn',
      `${which}=none: receivers only report on mail failing DMARC for ${opts.domain}, they do not block it, so the domain can still be spoofed.`,
      {
        ref: 'RFC 7489 §6.3',
        span: span(which),
        advice: 'Once reports show all your mail passing, move to p=quarantine, then p=reject.',
      },
    );
  } else if (applied && applied !== 'none') {
    add(
      'dmarc.policy.enforced',
      'ok',
      `${which}=${applied}: receivers ${applied === 'reject' ? 'reject' : 'quarantine (junk)'} mail from ${opts.domain} that fails DMARC.`,
    );
  }
  if (v.policy && v.subdomainPolicy && RANK[v.subdomainPolicy] < RANK[v.policy]) {
    add(
      'dmarc.subdomain-policy.weaker',
      'warn',
      `sp=${v.subdomainPolicy} is weaker than p=${v.policy}: mail claiming to come from subdomains of ${opts.recordDomain} is treated more leniently.`,
      { ref: 'RFC 7489 §6.3', span: span('sp') },
    );
  }
  if (
    r.np !== null &&
    v.nonexistentPolicy &&
    v.subdomainPolicy &&
    RANK[v.nonexistentPolicy] < RANK[v.subdomainPolicy]
  ) {
    add(
      'dmarc.subdomain-policy.weaker',
      'warn',
      `np=${v.nonexistentPolicy} is weaker than the subdomain policy ${v.subdomainPolicy}: made-up subdomains are the easiest to spoof.`,
      { ref: 'RFC 9091 §4.1', span: span('np') },
    );
  }

  if (r.pct !== null && validPct(r.pct) === null) {
    add('dmarc.tag.invalid', 'fail', `pct=${r.pct} is not a whole number from 0 to 100; receivers use 100.`, {
      ref: 'RFC 7489 §6.3',
      span: span('pct'),
    });
  } else if (v.pct < 100 && applied && applied !== 'none') {
    add(
      'dmarc.pct.partial',
      'warn',
      `pct=${v.pct}: the ${applied} policy applies to only ${v.pct}% of failing mail; the rest gets the next weaker treatment.`,
      {
        ref: 'RFC 7489 §6.6.4',
        span: span('pct'),
        advice: 'Raise pct to 100 (or remove it) once the policy is known to be safe.',
      },
    );
  }
  for (const n of ['adkim', 'aspf'] as const) {
    const val = r[n];
    if (val !== null && !/^[rs]$/i.test(val)) {
      add('dmarc.tag.invalid', 'fail', `${n}=${val} is not r (relaxed) or s (strict); receivers use r.`, {
        ref: 'RFC 7489 §6.3',
        span: span(n),
      });
    } else if (val?.toLowerCase() === 's') {
      add(
        'dmarc.alignment.strict',
        'info',
        `${n}=s: ${n === 'adkim' ? 'DKIM d=' : 'the SPF MAIL FROM domain'} must equal the From: domain exactly; subdomains do not align.`,
        { ref: 'RFC 7489 §3.1', span: span(n) },
      );
    }
  }

  lintUris(r.rua, 'rua', add);
  lintUris(r.ruf, 'ruf', add);
  if (!r.rua.some((u) => !u.error)) {
    add(
      'dmarc.rua.missing',
      'warn',
      'No valid rua= address: nobody receives the aggregate reports that show who sends mail as this domain.',
      {
        ref: 'RFC 7489 §7.2',
        advice: `Add rua=mailto:dmarc-reports@${opts.recordDomain}.`,
      },
    );
  }
  if (r.fo !== null) {
    const bad = r.fo
      .split(':')
      .map((s) => s.trim())
      .filter((s) => !FO.has(s.toLowerCase()));
    if (bad.length)
      add('dmarc.tag.invalid', 'warn', `fo=${r.fo}: ${bad.map((b) => `"${b}"`).join(', ')} is not one of 0, 1, d, s.`, {
        ref: 'RFC 7489 §6.3',
        span: span('fo'),
      });
    if (!r.ruf.some((u) => !u.error))
      add(
        'dmarc.fo.without-ruf',
        'info',
        'fo= only affects failure reports, and there is no valid ruf= address to send them to.',
        { ref: 'RFC 7489 §6.3', span: span('fo', false) },
      );
  }
  if (r.rf !== null && r.rf.split(':').some((s) => s.trim().toLowerCase() !== 'afrf')) {
    add('dmarc.tag.invalid', 'warn', `rf=${r.rf}: afrf is the only failure report format defined.`, {
      ref: 'RFC 7489 §6.3',
      span: span('rf'),
    });
  }
  if (r.ri !== null && !(/^\d{1,10}$/.test(r.ri) && Number(r.ri) <= 4294967295)) {
    add('dmarc.tag.invalid', 'warn', `ri=${r.ri} is not a number of seconds; receivers use 86400.`, {
      ref: 'RFC 7489 §6.3',
      span: span('ri'),
    });
  }
  for (const t of r.unknownTags) {
    add('dmarc.tag.unknown', 'warn', `${t.name}= is not a DMARC tag (a typo?); receivers ignore it.`, {
      ref: 'RFC 7489 §6.3',
      span: [t.start, t.end],
    });
  }
  return out;
}

function lintUris(
  uris: DmarcUri[],
  tag: 'rua' | 'ruf',
  add: (id: string, s: Severity, m: string, e?: Partial<DmarcFinding>) => void,
): void {
  for (const u of uris) {
    if (u.error) {
      add(
        'dmarc.uri.invalid',
        'fail',
        `${tag}: "${u.raw}" is not a valid report URI (${u.error}); no reports go there.`,
        {
          ref: 'RFC 7489 §6.4',
          span: [u.start, u.end],
          advice: u.error.includes('mailto') ? `Write it as mailto:${u.raw}.` : undefined,
        },
      );
    } else if (u.scheme !== 'mailto') {
      add(
        'dmarc.uri.scheme',
        'warn',
        `${tag}: "${u.raw}" is not a mailto: URI; receivers only have to support mailto.`,
        { ref: 'RFC 7489 §6.2', span: [u.start, u.end] },
      );
    }
  }
}
