// Verdicts on DANE for SMTP (RFC 7672): does it apply (a validated MX RRset, §2.2.1), are the TLSA records usable
// (§3.1), secure (§2.2.2), and do they match what each MX host serves. Pure.
import { definedOnly } from '../../core/object.js';
import { finding, type Finding } from '../../core/result.js';
import type { DaneResult } from './types.js';
import { describeTlsa } from './record.js';

export function daneFindings(r: Omit<DaneResult, 'findings' | 'steps'>): Finding[] {
  const out: Finding[] = [];
  if (r.mxLookup !== 'ok' && r.mxLookup !== 'nodata' && r.mxLookup !== 'nxdomain') {
    return [
      finding(
        'dane.mx.temporary',
        'fail',
        `The MX lookup for ${r.domain} failed (${r.mxLookup.toUpperCase()}): no verdict on DANE.`,
        { temporary: true },
      ),
    ];
  }
  if (!r.applicable) {
    return r.hosts.length || r.mxLookup !== 'ok'
      ? []
      : [
          finding(
            'dane.not-applicable',
            'info',
            `The MX records of ${r.domain} are not DNSSEC-validated, so senders do not look for TLSA records: DANE does not apply.`,
            { ref: 'RFC 7672 §2.2.1' },
          ),
        ];
  }
  for (const h of r.hosts) {
    if (h.lookup !== 'ok' && h.lookup !== 'nodata' && h.lookup !== 'nxdomain') {
      out.push(
        finding(
          'dane.tlsa.temporary',
          'fail',
          `The TLSA lookup for ${h.name} failed (${h.lookup.toUpperCase()}); a validating sender defers mail to ${h.exchange} when it cannot get a verdict.`,
          { temporary: true, ref: 'RFC 7672 §2.2.2' },
        ),
      );
      continue;
    }
    if (!h.records.length) continue;
    const usable = h.records.filter((t) => t.usable);
    if (!usable.length) {
      out.push(
        finding(
          'dane.tlsa.unusable',
          'fail',
          `None of the TLSA records at ${h.name} is usable for SMTP (${h.records.map((t) => t.problem).join('; ')}): DANE senders fall back to unauthenticated TLS at best.`,
          { ref: 'RFC 7672 §3.1' },
        ),
      );
    } else if (usable.length < h.records.length) {
      out.push(
        finding(
          'dane.tlsa.some-unusable',
          'warn',
          `Some TLSA records at ${h.name} are unusable for SMTP: ${h.records
            .filter((t) => !t.usable)
            .map((t) => t.problem)
            .join('; ')}.`,
          { ref: 'RFC 7672 §3.1' },
        ),
      );
    }
    if (!h.secure && r.source === 'resolver') {
      out.push(
        finding(
          'dane.tlsa.insecure',
          'warn',
          `The TLSA answer for ${h.name} came without AD: senders only use validated TLSA records.`,
          {
            ref: 'RFC 7672 §2.2.2',
            advice: "Make sure the MX host's zone is signed, and check with a validating --resolver.",
          },
        ),
      );
    }
    if (usable.length === 1 && !h.match?.checked) {
      out.push(
        finding(
          'dane.tlsa.single',
          'info',
          `${h.name} publishes one usable TLSA record; publish the next key's record before a certificate or key change, or mail will be deferred meanwhile.`,
          { ref: 'RFC 7671 §8.1' },
        ),
      );
    }
    if (h.match?.checked) {
      if (h.match.matched) {
        out.push(
          finding(
            'dane.cert.match',
            'ok',
            `${h.exchange} serves a certificate matching its TLSA record ${h.match.record}.`,
            { ref: 'RFC 7672 §3' },
          ),
        );
      } else {
        out.push(
          finding(
            'dane.cert.mismatch',
            'fail',
            `No TLSA record at ${h.name} matches the certificate ${h.exchange} serves: DANE senders will not deliver to it.`,
            definedOnly({
              ref: 'RFC 7672 §3',
              advice: h.match.expected
                ? `For the served certificate publish: ${h.name}. TLSA ${h.match.expected}`
                : undefined,
            }),
          ),
        );
      }
    } else if (h.match?.error) {
      // With usable TLSA a DANE sender must get TLS; without it, it defers the mail (RFC 7672 §2.2).
      out.push(
        h.match.temporary
          ? finding(
              'dane.cert.temporary',
              'fail',
              `The certificate of ${h.exchange} could not be fetched to compare with its TLSA records: ${h.match.error}.`,
              { temporary: true },
            )
          : finding(
              'dane.cert.unavailable',
              'fail',
              `${h.exchange} has usable TLSA records but gave no certificate to match (${h.match.error}): DANE senders defer mail to it.`,
              { ref: 'RFC 7672 §2.2' },
            ),
      );
    }
  }
  if (r.hostsUnchecked) {
    out.push(
      finding(
        'dane.hosts.unchecked',
        'warn',
        `TLSA records were looked up for the first ${r.hosts.length} MX hosts by preference; ${r.hostsUnchecked} more were not checked.`,
      ),
    );
  }
  const withTlsa = r.hosts.filter((h) => h.records.length);
  const answered = r.hosts.filter((h) => h.lookup === 'ok' || h.lookup === 'nodata' || h.lookup === 'nxdomain');
  if (!withTlsa.length) {
    if (answered.length === r.hosts.length && r.hosts.length) {
      out.push(
        finding('dane.none', 'info', `No MX host of ${r.domain} publishes TLSA records: DANE is not in use.`, {
          ref: 'RFC 7672 §2.2',
          advice: `Publish "_25._tcp.<mx host>. TLSA 3 1 1 <sha256 of the key>" (mailcheck check --smtp prints the value).`,
        }),
      );
    }
  } else if (withTlsa.length < answered.length) {
    const bare = answered.filter((h) => !h.records.length).map((h) => h.exchange);
    out.push(
      finding(
        'dane.partial',
        'warn',
        `Only some MX hosts publish TLSA records (none at ${bare.join(', ')}): mail to those is not DANE-protected.`,
        { ref: 'RFC 7672 §2.2' },
      ),
    );
  }
  if (
    withTlsa.length &&
    !out.some((f) => f.severity === 'fail' || f.severity === 'warn' || f.temporary) &&
    !out.some((f) => f.id === 'dane.cert.match')
  ) {
    out.push(
      finding(
        'dane.ok',
        'ok',
        `TLSA records published for ${withTlsa.map((h) => h.exchange).join(', ')}: ${withTlsa
          .flatMap((h) => h.records.filter((t) => t.usable).map(describeTlsa))
          .slice(0, 2)
          .join(', ')}.`,
      ),
    );
  }
  return out;
}
