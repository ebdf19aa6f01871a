// Verdicts on a DMARC record (RFC 9989 §4.7–§4.10, and where RFC 7489 receivers read it otherwise): policy
// strength, coverage, reporting, tags RFC 9989 removed or added, and every tag's syntax. Pure; each finding carries
// the span of the record it is about.
import { finding, type Finding, type Severity } from '../../core/result.js';
import {
  dmarcValues,
  policyValue,
  validPct,
  REMOVED_TAGS,
  type DmarcPolicy,
  type DmarcRecord,
  type DmarcUri,
  WEAKER_POLICY,
} from './record.js';

export interface DmarcFinding extends Finding {
  /** [start, end) offsets into the record text: the offending part. */
  span?: [number, number];
}

export interface DmarcLintOptions {
  /** The domain asked about. */
  domain: string;
  /** Where the record was found (the domain itself, or its organizational domain). */
  recordDomain: string;
  /** The domain does not exist (NXDOMAIN): np= is its policy, not sp= (RFC 9989 §4.10.1). */
  nonexistent?: boolean;
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
    if (!t) return undefined;
    return value ? [t.valueStart, t.valueEnd] : [t.start, t.end];
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
      ref: 'RFC 9989 §4.7',
      span: span('v', false) ?? [0, r.raw.length],
    });
  } else if (r.version !== 'DMARC1') {
    add(
      'dmarc.version.case',
      'fail',
      `v=${r.version} must be exactly "DMARC1" (the value is case-sensitive): receivers discard the record.`,
      { ref: 'RFC 9989 §4.7', span: span('v') },
    );
  }

  // p=, sp= and np= — RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6) decides what an invalid one means.
  const hasRua = r.rua.some((u) => !u.error);
  const consequence = hasRua
    ? 'receivers act as if p=none (monitoring only), because rua= has a valid address'
    : 'receivers apply no DMARC policy at all';
  if (r.p === null) {
    // RFC 9989 §4.7 reads a missing p= as p=none; RFC 7489 §6.6.3 step 6 as an invalid one.
    const old = hasRua ? 'as p=none too (rua= has a valid address)' : 'as no DMARC at all (no valid rua=)';
    add(
      'dmarc.policy.missing',
      'fail',
      `The record has no p= tag: RFC 9989 receivers treat it as p=none (monitoring only); RFC 7489 receivers ${old}.`,
      { ref: 'RFC 9989 §4.7', advice: 'Add p=none to start monitoring, then p=quarantine or p=reject.' },
    );
  } else if (!policyValue(r.p)) {
    add('dmarc.policy.invalid', 'fail', `p=${r.p} is not none, quarantine or reject: ${consequence}.`, {
      ref: 'RFC 9989 §4.10.1',
      span: span('p'),
    });
  }
  if (r.sp !== null && !policyValue(r.sp)) {
    add('dmarc.tag.invalid', 'fail', `sp=${r.sp} is not none, quarantine or reject: ${consequence}.`, {
      ref: 'RFC 9989 §4.10.1',
      span: span('sp'),
    });
  }
  if (r.np !== null && !policyValue(r.np)) {
    add(
      'dmarc.tag.invalid',
      'fail',
      `np=${r.np} is not none, quarantine or reject: RFC 9989 ${consequence}; RFC 7489 receivers know no np= and ignore it.`,
      { ref: 'RFC 9989 §4.10.1', span: span('np') },
    );
  }

  const byNp = inherited && opts.nonexistent === true && r.np !== null;
  let applied = inherited ? v.subdomainPolicy : v.policy;
  let which = inherited && r.sp !== null ? 'sp' : 'p';
  if (byNp) {
    applied = v.nonexistentPolicy;
    which = 'np';
  }
  // A missing p= has its own finding, which says it means p=none.
  if (applied === 'none' && !v.degraded && (r.p !== null || inherited)) {
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

  for (const name of REMOVED_TAGS) {
    const t = tag(name);
    if (!t) continue;
    add(
      'dmarc.tag.removed',
      'info',
      `${name}= was removed by RFC 9989 (historic): receivers following it ignore the tag; those still on RFC 7489 act on it.`,
      { ref: 'RFC 9989 §9.3', span: [t.start, t.end] },
    );
  }
  if (r.pct !== null && validPct(r.pct) === null) {
    add('dmarc.tag.invalid', 'warn', `pct=${r.pct} is not a whole number from 0 to 100; RFC 7489 receivers use 100.`, {
      ref: 'RFC 7489 §6.3',
      span: span('pct'),
    });
  } else if (v.pct < 100 && applied && applied !== 'none') {
    add(
      'dmarc.pct.partial',
      'warn',
      `pct=${v.pct}: receivers still on RFC 7489 apply the ${applied} policy to only ${v.pct}% of failing mail and the next weaker treatment to the rest; RFC 9989 receivers ignore pct= and apply ${applied} to all of it.`,
      {
        ref: 'RFC 9989 Appendix A.6',
        span: span('pct'),
        advice:
          v.pct === 0
            ? 'To test a policy, use t=y (RFC 9989), which RFC 9989 receivers read as pct=0 was meant.'
            : 'Remove pct= once the policy is known to be safe.',
      },
    );
  }
  // t= and psd= are RFC 9989's (§4.7): receivers still on RFC 7489 ignore them.
  if (r.t !== null && !/^[yn]$/i.test(r.t.trim())) {
    add('dmarc.tag.invalid', 'warn', `t=${r.t} is not y or n; receivers use n (apply the policy as written).`, {
      ref: 'RFC 9989 §4.7',
      span: span('t'),
    });
  } else if (v.testing) {
    const weaker = WEAKER_POLICY[applied ?? 'none'];
    add(
      'dmarc.testing',
      applied && applied !== 'none' ? 'warn' : 'info',
      applied && applied !== 'none'
        ? `t=y (testing): RFC 9989 receivers apply ${weaker} instead of ${applied} to mail failing DMARC; receivers still on RFC 7489 do not know t= and apply ${applied}.`
        : 't=y (testing) has no effect on a policy of none.',
      { ref: 'RFC 9989 §4.7', span: span('t', false), advice: 'Remove t=y once reports show the policy is safe.' },
    );
  }
  if (r.psd !== null && !/^[ynu]$/i.test(r.psd.trim())) {
    add('dmarc.tag.invalid', 'warn', `psd=${r.psd} is not y, n or u; receivers use u.`, {
      ref: 'RFC 9989 §4.7',
      span: span('psd'),
    });
  } else if (v.psd !== 'u') {
    add(
      'dmarc.tag.added',
      'info',
      v.psd === 'y'
        ? `psd=y: ${opts.recordDomain} declares itself a Public Suffix Domain; below it each name is its own Organizational Domain (RFC 9989 §4.10.2). Receivers still on RFC 7489 ignore psd= and use the Public Suffix List.`
        : `psd=n: ${opts.recordDomain} declares itself an Organizational Domain, and the tree walk stops here (RFC 9989 §4.10.2). Receivers still on RFC 7489 ignore psd= and use the Public Suffix List.`,
      { ref: 'RFC 9989 §4.7', span: span('psd', false) },
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
    } else if (u.sizeLimit !== null) {
      add(
        'dmarc.uri.size-limit',
        'info',
        `${tag}: "!${u.sizeLimit}" is obsolete syntax in RFC 9989: reporters ignore the size limit.`,
        { ref: 'RFC 9989 §4.8', span: [u.start, u.end] },
      );
    }
    if (!u.error && u.scheme !== 'mailto') {
      add(
        'dmarc.uri.scheme',
        'warn',
        `${tag}: "${u.raw}" is not a mailto: URI; receivers only have to support mailto.`,
        { ref: 'RFC 7489 §6.2', span: [u.start, u.end] },
      );
    }
  }
}
