// What a message's verdict means, as findings (pure). The exit code follows RFC 7489: DMARC pass is success;
// with no DMARC record, one passing DKIM signature is. A mechanism failure alone is only a warning when
// DMARC passes through the other one; a DNS failure that may have changed the outcome is temporary (exit 3).
import { definedOnly } from '../core/object.js';
import { finding, type Finding } from '../core/result.js';
import { bareCrFinding } from './bare-cr.js';
import { MAX_SIGNATURES } from './dkim/verify.js';
import { WEAKER_POLICY } from '../auth/dmarc/record.js';
import { alignedWith, type DmarcOutcome, type DmarcPolicy, type DmarcVerdict } from './dmarc.js';
import type { MessageVerdict } from './types.js';

const RANK: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 };

export function verdictFindings(v: Omit<MessageVerdict, 'findings' | 'authenticationResults'>): Finding[] {
  const out: Finding[] = [];
  for (const d of v.dkim) {
    const who = d.domain ? `d=${d.domain} s=${d.selector}` : '';
    switch (d.result) {
      case 'pass':
        out.push(
          finding(
            'verify.dkim.pass',
            'ok',
            `DKIM signature ${who} (${d.algorithm}) verified${d.aligned ? ', aligned with From:' : ', but not aligned with From:'}`,
            { ref: 'RFC 6376 §6' },
          ),
        );
        if (d.testing)
          out.push(
            finding('verify.dkim.testing', 'info', `the key for ${who} is flagged t=y (testing DKIM)`, {
              ref: 'RFC 6376 §3.6.1',
            }),
          );
        // RFC 6376 §8.2: with l=, bytes after the covered part can be added by anyone and the signature still passes.
        if (d.uncoveredBytes)
          out.push(
            finding(
              'verify.dkim.uncovered-body',
              'warn',
              `${d.uncoveredBytes} bytes of the body are not covered by the signature ${who} (l=${d.bodyLength}): anyone could have appended them`,
              { ref: 'RFC 6376 §8.2' },
            ),
          );
        break;
      case 'none':
        out.push(finding('verify.dkim.none', 'info', 'the message carries no DKIM signature'));
        break;
      default:
        out.push(
          finding(
            `verify.dkim.${d.result}`,
            'warn',
            `DKIM signature ${who}: ${d.result}${d.reason ? ` (${d.reason})` : ''}`,
            definedOnly({
              ref: d.result === 'policy' ? 'RFC 8301 §3' : 'RFC 6376 §6',
              advice:
                d.result === 'permerror' && d.reason?.startsWith('no key')
                  ? `publish the public key at ${d.selector}._domainkey.${d.domain}`
                  : undefined,
            }),
          ),
        );
    }
  }
  if (v.dkimNotVerified)
    out.push(
      finding(
        'verify.dkim.too-many',
        'warn',
        `${v.dkimNotVerified} more DKIM signature${v.dkimNotVerified === 1 ? ' was' : 's were'} not verified: at most ${MAX_SIGNATURES} are per message, from the top`,
        { ref: 'RFC 6376 §8.4' },
      ),
    );
  if (v.spf) {
    const s = v.spf;
    let sev: 'ok' | 'info' | 'warn' = 'warn';
    if (s.result === 'pass') sev = 'ok';
    else if (s.result === 'none' || s.result === 'neutral') sev = 'info';
    out.push(
      finding(
        `verify.spf.${s.result}`,
        sev,
        `SPF ${s.result} for ${s.ip} as ${s.sender}${s.reason && s.result !== 'pass' ? ` (${s.reason})` : ''}`,
        { ref: 'RFC 7208 §2.6' },
      ),
    );
  }
  if (v.arc.result !== 'none') {
    out.push(
      finding(
        `verify.arc.${v.arc.result}`,
        v.arc.result === 'pass' ? 'ok' : 'warn',
        `ARC chain ${v.arc.result}${v.arc.instance ? ` (i=${v.arc.instance})` : ''}${v.arc.reason ? `: ${v.arc.reason}` : ''}`,
        { ref: 'RFC 8617 §5.2' },
      ),
    );
  }
  const bareCr = v.bareCr ? bareCrFinding({ bareCr: v.bareCr }) : undefined;
  if (bareCr) out.push(bareCr);
  out.push(dmarcFinding(v));
  if (v.dmarc.rfc7489) out.push(rfc7489Finding(v.dmarc, v.dmarc.rfc7489));
  return out;
}

/**
 * Receivers are mid-transition from RFC 7489 to RFC 9989 (tree walk instead of the Public Suffix List, pct= and
 * t=, np=): when one still on RFC 7489 would treat the message otherwise, say so with both outcomes — a warning
 * when it would treat it more harshly.
 */
function rfc7489Finding(dm: DmarcVerdict, old: DmarcOutcome): Finding {
  const now: DmarcOutcome = { ...dm, pct: 100 };
  const harsher = harshness(old) > harshness(now);
  return finding(
    'verify.dmarc.rfc7489',
    harsher ? 'warn' : 'info',
    `A receiver still on RFC 7489 (Public Suffix List, pct=, no t=/np=/psd=) decides otherwise: ${outcome(old)}; by RFC 9989: ${outcome(now)}`,
    { ref: 'RFC 9989 §4.10, Appendix A.5, A.6' },
  );
}

function outcome(o: DmarcOutcome): string {
  const at = o.recordDomain ? ` (record at _dmarc.${o.recordDomain})` : '';
  if (o.result === 'fail') {
    const what =
      o.pct < 100 && o.policy !== 'none'
        ? `${o.disposition} for ${o.pct}% of failing mail, ${WEAKER_POLICY[o.disposition]} for the rest`
        : o.disposition;
    return `fail, ${what}${at}`;
  }
  if (o.result === 'none') return `no DMARC${o.reason ? ` (${o.reason})` : ''}`;
  return `${o.result}${at}`;
}

function harshness(o: DmarcOutcome): number {
  return o.result === 'fail' ? 1 + RANK[o.disposition] : 0;
}

function dmarcFinding(v: Omit<MessageVerdict, 'findings' | 'authenticationResults'>): Finding {
  const dm = v.dmarc;
  const from = dm.domain ?? 'the From: domain';
  // A key lookup that failed for a signature whose body hash failed too could not have made it pass.
  const dkimTemp = v.dkim.some((d) => d.result === 'temperror' && !d.bodyHashFailed);
  const spfTemp = v.spf?.result === 'temperror';
  const ref = 'RFC 9989 §5.3';
  switch (dm.result) {
    case 'pass':
      return finding(
        'verify.dmarc.pass',
        'ok',
        `DMARC pass for ${from}: ${alignedWith(dm.aligned)} aligned (policy ${dm.policy})`,
        { ref },
      );
    case 'temperror':
      return finding('verify.dmarc.temperror', 'fail', `no DMARC verdict for ${from}: ${dm.reason}`, {
        ref,
        temporary: true,
      });
    case 'none': {
      // No record, or one that applies no DMARC (its reason says which).
      const why = dm.reason ? `no DMARC applies to ${from}: ${dm.reason}` : `${from} publishes no DMARC record`;
      if (v.dkim.some((d) => d.result === 'pass')) {
        return finding('verify.dmarc.none', 'info', `${why}; a DKIM signature verified`, {
          ref,
          advice: `publish a DMARC record at _dmarc.${from}`,
        });
      }
      if (dkimTemp)
        return finding('verify.unauthenticated', 'fail', `${why}, and a DKIM key lookup failed temporarily`, {
          ref,
          temporary: true,
        });
      return finding(
        'verify.unauthenticated',
        'fail',
        `${why}, and no DKIM signature verified: nothing authenticates this message`,
        { ref: 'RFC 6376 §6', advice: 'sign with DKIM and publish a DMARC record' },
      );
    }
    default:
      // A failure another lookup might have turned into a pass is not a verdict.
      if (dkimTemp || spfTemp)
        return finding(
          'verify.dmarc.temperror',
          'fail',
          `DMARC ${dm.result} for ${from}, but a DNS lookup failed temporarily`,
          { ref, temporary: true },
        );
      return finding(
        `verify.dmarc.${dm.result}`,
        'fail',
        `DMARC ${dm.result} for ${from}${dm.reason ? `: ${dm.reason}` : ''}${dm.policy ? ` (policy ${dm.policy}${dm.testing ? ', t=y: applied as ' + dm.disposition : ''})` : ''}`,
        { ref },
      );
  }
}
