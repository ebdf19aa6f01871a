// Verdicts on an MTA-STS deployment (RFC 8461): the TXT record (§3.1), the policy fetch (§3.3), the policy
// (§3.2) and whether its mx patterns cover the MX hosts senders will actually use (§4.1). Pure.
import { finding, type Finding } from '../../core/result.js';
import type { MtaStsResult } from './types.js';

const DAY = 86_400;

export function mtaStsFindings(r: Omit<MtaStsResult, 'findings' | 'steps'>): Finding[] {
  const out: Finding[] = [];
  const d = r.domain;
  const name = `_mta-sts.${d}`;
  if (r.lookup !== 'ok' && r.lookup !== 'nxdomain' && r.lookup !== 'nodata') {
    return [
      finding(
        'mta-sts.lookup.temporary',
        'fail',
        `The TXT lookup for ${name} failed (${r.lookup.toUpperCase()}): no verdict on MTA-STS.`,
        { temporary: true },
      ),
    ];
  }
  if (!r.records.length) {
    if (r.discarded.some((t) => /^\s*v\s*=\s*sts/i.test(t))) {
      out.push(
        finding(
          'mta-sts.record.discarded',
          'fail',
          `${name} has a TXT record that looks like MTA-STS but does not start with "v=STSv1;", so senders ignore it.`,
          { ref: 'RFC 8461 §3.1', advice: 'Start the record with exactly "v=STSv1;" (case-sensitive).' },
        ),
      );
    } else {
      out.push(
        finding(
          'mta-sts.none',
          'info',
          `${d} publishes no MTA-STS policy: senders fall back to opportunistic TLS, which an attacker on the path can strip.`,
          {
            ref: 'RFC 8461 §2',
            advice: `Publish ${name}. TXT "v=STSv1; id=<date>" and a policy at https://mta-sts.${d}/.well-known/mta-sts.txt (start with mode: testing).`,
          },
        ),
      );
    }
    return out;
  }
  if (r.records.length > 1) {
    out.push(
      finding(
        'mta-sts.record.multiple',
        'fail',
        `${name} has ${r.records.length} MTA-STS records; senders then act as if there were no policy.`,
        { ref: 'RFC 8461 §3.1', advice: 'Keep exactly one v=STSv1 record.' },
      ),
    );
  } else if (r.recordErrors.length) {
    out.push(
      finding(
        'mta-sts.record.invalid',
        'fail',
        `The MTA-STS record at ${name} is invalid (${r.recordErrors.join('; ')}); senders then act as if there were no policy.`,
        { ref: 'RFC 8461 §3.1' },
      ),
    );
  }
  out.push(...fetchFindings(r));
  if (!r.policy) return out;
  const p = r.policy;
  if (p.errors.length) {
    out.push(
      finding('mta-sts.policy.invalid', 'fail', `The policy at ${r.policyUrl} is invalid: ${p.errors.join('; ')}.`, {
        ref: 'RFC 8461 §3.2',
      }),
    );
  }
  for (const w of p.warnings)
    out.push(
      finding('mta-sts.policy.duplicate-field', 'warn', `The policy at ${r.policyUrl}: ${w}.`, {
        ref: 'RFC 8461 §3.2',
      }),
    );
  if (p.mode === 'testing') {
    out.push(
      finding(
        'mta-sts.mode.testing',
        'info',
        `The policy is in testing mode: failures are only reported (TLS-RPT), mail is still delivered without verified TLS.`,
        { ref: 'RFC 8461 §5', advice: 'Switch to mode: enforce once the TLS reports are clean.' },
      ),
    );
  } else if (p.mode === 'none') {
    out.push(
      finding('mta-sts.mode.none', 'warn', `The policy's mode is none: MTA-STS is switched off for ${d}.`, {
        ref: 'RFC 8461 §5',
      }),
    );
  }
  if (p.maxAge !== null && p.maxAge < DAY && p.mode !== 'none') {
    out.push(
      finding(
        'mta-sts.max-age.short',
        'warn',
        `max_age is ${p.maxAge} s: senders forget the policy within a day, which leaves the first connection after that open to downgrade.`,
        {
          ref: 'RFC 8461 §3.2',
          advice: 'Use weeks: max_age: 604800 or more (up to 31557600).',
        },
      ),
    );
  }
  out.push(...mxFindings(r));
  if (!out.some((f) => f.severity === 'fail' || f.severity === 'warn' || f.temporary) && p.mode) {
    out.push(
      finding(
        'mta-sts.ok',
        'ok',
        `MTA-STS policy (mode ${p.mode}, id ${r.id ?? '?'}) is published and covers ${r.mx.length === 1 ? 'the MX host' : `all ${r.mx.length} MX hosts`}.`,
      ),
    );
  }
  return out;
}

function fetchFindings(r: Omit<MtaStsResult, 'findings' | 'steps'>): Finding[] {
  const f = r.fetch;
  if (!f) return [];
  const ref = 'RFC 8461 §3.3';
  if (f.error) {
    const e = f.error;
    if (e.temporary)
      return [
        finding(
          'mta-sts.policy.unreachable',
          'fail',
          `The policy at ${r.policyUrl} could not be fetched (${e.message}): no verdict on it.`,
          { ref, temporary: true },
        ),
      ];
    if (e.stage === 'dns') {
      // An alias that dangles is fixed where it points (often a hosting provider's name), not by a new address.
      const advice = e.alias
        ? `${r.policyHost} points at ${e.alias}: have that host serve the policy (set it up at the provider it belongs to), or point ${r.policyHost} at a host that does.`
        : `Publish an address for ${r.policyHost} and serve the policy there over HTTPS.`;
      return [
        finding(
          'mta-sts.policy.host-missing',
          'fail',
          `The policy host cannot be reached: ${e.message}. Senders cannot fetch the policy.`,
          { ref, advice },
        ),
      ];
    }
    if (e.stage === 'address')
      return [
        finding(
          'mta-sts.policy.private-address',
          'fail',
          `The policy host ${e.message}. Senders on the internet cannot fetch a policy there.`,
          { ref: 'RFC 8461 §3.3, RFC 6890', advice: `Publish a public address for ${r.policyHost}.` },
        ),
      ];
    if (e.stage === 'tls')
      return [
        finding(
          'mta-sts.policy.tls',
          'fail',
          `The HTTPS certificate of ${r.policyHost} is not acceptable: ${e.message}. Senders refuse a policy from a host they cannot authenticate.`,
          { ref, advice: `Serve ${r.policyHost} with a certificate from a public CA that names ${r.policyHost}.` },
        ),
      ];
    return [
      finding(
        'mta-sts.policy.fetch-failed',
        'fail',
        `The policy at ${r.policyUrl} could not be fetched: ${e.message}.`,
        { ref },
      ),
    ];
  }
  if (f.status >= 300 && f.status < 400) {
    return [
      finding(
        'mta-sts.policy.redirect',
        'fail',
        `${r.policyUrl} answers HTTP ${f.status} (a redirect${f.location ? ` to ${f.location}` : ''}); senders must not follow redirects, so they get no policy.`,
        { ref, advice: 'Serve the policy directly at that URL.' },
      ),
    ];
  }
  if (f.status !== 200)
    return [
      finding(
        'mta-sts.policy.http-status',
        'fail',
        `${r.policyUrl} answers HTTP ${f.status}, not 200: senders get no policy.`,
        { ref },
      ),
    ];
  const out: Finding[] = [];
  if (!f.contentType || !/^text\/plain\s*(;|$)/i.test(f.contentType)) {
    out.push(
      finding(
        'mta-sts.policy.content-type',
        'fail',
        `${r.policyUrl} is served as ${f.contentType ? `"${f.contentType}"` : 'no Content-Type'}, not text/plain; strict senders reject it.`,
        { ref, advice: 'Serve the file with Content-Type: text/plain.' },
      ),
    );
  }
  if (f.truncated)
    out.push(
      finding(
        'mta-sts.policy.too-large',
        'fail',
        `The policy at ${r.policyUrl} is larger than ${f.maxBytes} bytes; senders cap the size they read.`,
        { ref },
      ),
    );
  return out;
}

function mxFindings(r: Omit<MtaStsResult, 'findings' | 'steps'>): Finding[] {
  const p = r.policy!;
  if (!p.mode || p.mode === 'none' || p.errors.length) return [];
  if (r.mxLookup !== 'ok' && r.mxLookup !== 'nodata' && r.mxLookup !== 'nxdomain') {
    return [
      finding(
        'mta-sts.mx.temporary',
        'warn',
        `The MX lookup for ${r.domain} failed (${r.mxLookup.toUpperCase()}): the policy's mx patterns were not compared with the MX hosts.`,
        { temporary: true },
      ),
    ];
  }
  const out: Finding[] = [];
  const unmatched = r.mx.filter((m) => m.pattern === null);
  if (unmatched.length) {
    const hosts = unmatched.map((m) => m.exchange).join(', ');
    out.push(
      p.mode === 'enforce'
        ? finding(
            'mta-sts.mx.unmatched',
            'fail',
            `MX host${unmatched.length > 1 ? 's' : ''} ${hosts} ${unmatched.length > 1 ? 'are' : 'is'} not covered by the policy's mx patterns (${p.mx.join(', ')}): senders that honour MTA-STS will not deliver there.`,
            {
              ref: 'RFC 8461 §4.1',
              advice: `Add "mx: ${unmatched[0]!.exchange}" (or a *. pattern) to the policy and change the id in the TXT record.`,
            },
          )
        : finding(
            'mta-sts.mx.unmatched',
            'warn',
            `MX host${unmatched.length > 1 ? 's' : ''} ${hosts} ${unmatched.length > 1 ? 'are' : 'is'} not covered by the policy's mx patterns (${p.mx.join(', ')}); in enforce mode that mail would not be delivered.`,
            { ref: 'RFC 8461 §4.1' },
          ),
    );
  }
  const unused = p.mx.filter((pat) => !r.mx.some((m) => m.pattern === pat));
  if (unused.length && r.mx.length) {
    out.push(
      finding(
        'mta-sts.mx.unused-pattern',
        'info',
        `The policy's mx pattern${unused.length > 1 ? 's' : ''} ${unused.join(', ')} match${unused.length > 1 ? '' : 'es'} no current MX host (harmless, but may be stale).`,
      ),
    );
  }
  return out;
}
