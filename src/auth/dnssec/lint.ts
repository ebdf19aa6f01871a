// Verdicts on DNSSEC (RFC 4033–4035): is the zone signed (DS at the parent), do DS and DNSKEY agree, are the
// algorithms current (RFC 8624), and did a validating resolver authenticate the answers (AD, RFC 4035 §3.2.3). Pure.
import { finding, type Finding, type Step } from '../../core/result.js';
import type { AnswerNote, DnsStepDetail } from '../../dns/trace.js';
import type { DnssecResult } from './types.js';
import { ALGORITHMS, DIGESTS, algorithmName } from './record.js';

export function dnssecFindings(r: Omit<DnssecResult, 'findings' | 'steps'>): Finding[] {
  const out: Finding[] = [];
  if (r.dsLookup !== 'ok' && r.dsLookup !== 'nodata' && r.dsLookup !== 'nxdomain') {
    return [
      finding(
        'dnssec.lookup.temporary',
        'fail',
        `The DS lookup for ${r.zone} failed (${r.dsLookup.toUpperCase()}); from a validating resolver this often means the DNSSEC chain is broken (bogus).`,
        { temporary: true, ref: 'RFC 4035 §5.5' },
      ),
    ];
  }
  if (!r.ds.length) {
    if (r.source !== 'resolver') {
      out.push(
        finding(
          'dnssec.local',
          'info',
          `The answers for ${r.domain} come from ${r.source === 'zone' ? 'a local zone file' : 'nowhere (offline)'}: no resolver validated them, and the DS record lives in the parent zone.${r.dnskeys.length ? ` The zone carries ${r.dnskeys.length} DNSKEY record${r.dnskeys.length > 1 ? 's' : ''}.` : ''}`,
        ),
      );
    } else {
      out.push(
        finding(
          'dnssec.unsigned',
          'info',
          `${r.zone} is not DNSSEC-signed (no DS record at the parent): its answers, MX and TLSA included, can be forged, and DANE cannot be used.`,
          {
            ref: 'RFC 4033 §2',
            advice: 'Sign the zone at your DNS host and publish the DS record at the registrar.',
          },
        ),
      );
    }
    return out;
  }
  if (r.dnskeyLookup && r.dnskeyLookup !== 'ok' && r.dnskeyLookup !== 'nodata' && r.dnskeyLookup !== 'nxdomain') {
    out.push(
      finding(
        'dnssec.dnskey.temporary',
        'fail',
        `The DNSKEY lookup for ${r.zone} failed (${r.dnskeyLookup.toUpperCase()}): DS and keys were not compared.`,
        { temporary: true },
      ),
    );
  } else if (!r.dnskeys.length) {
    out.push(
      finding(
        'dnssec.dnskey.missing',
        'fail',
        `${r.zone} has a DS record at the parent but publishes no DNSKEY: validating resolvers treat every answer as bogus (SERVFAIL).`,
        {
          ref: 'RFC 4035 §5',
          advice: 'Sign the zone with the key the DS points at, or remove the DS at the registrar.',
        },
      ),
    );
  } else {
    const computable = r.ds.filter((d) => d.matched !== null);
    if (computable.length && !computable.some((d) => d.matched)) {
      out.push(
        finding(
          'dnssec.ds.mismatch',
          'fail',
          `No DS record of ${r.zone} matches one of its DNSKEYs (key tags ${r.ds.map((d) => d.keyTag).join(', ')} vs ${r.dnskeys.map((k) => k.keyTag).join(', ')}): the chain of trust is broken and validating resolvers fail every lookup.`,
          {
            ref: 'RFC 4035 §5.2',
            advice: 'Publish the DS of the current key-signing key at the registrar.',
          },
        ),
      );
    } else if (computable.some((d) => d.matched === false)) {
      out.push(
        finding(
          'dnssec.ds.stale',
          'info',
          `Some DS records of ${r.zone} match no DNSKEY (key tags ${computable
            .filter((d) => !d.matched)
            .map((d) => d.keyTag)
            .join(', ')}): left over from a key rollover?`,
        ),
      );
    }
  }
  if (r.ds.every((d) => DIGESTS[d.digestType]?.publish === 'must-not')) {
    out.push(
      finding(
        'dnssec.ds.digest-deprecated',
        'warn',
        `Every DS record of ${r.zone} uses ${[...new Set(r.ds.map((d) => DIGESTS[d.digestType]?.name ?? d.digestType))].join(', ')}, which must no longer be published.`,
        { ref: 'RFC 8624 §3.3', advice: 'Publish a SHA-256 (digest type 2) DS.' },
      ),
    );
  }
  const algorithms = [...new Set([...r.ds.map((d) => d.algorithm), ...r.dnskeys.map((k) => k.algorithm)])];
  const forbidden = algorithms.filter((a) => ALGORITHMS[a]?.signing === 'must-not');
  const deprecated = algorithms.filter((a) => ALGORITHMS[a]?.signing === 'not-recommended');
  if (forbidden.length)
    out.push(
      finding(
        'dnssec.algorithm.forbidden',
        'fail',
        `${r.zone} is signed with ${forbidden.map(algorithmName).join(', ')}, which validators may treat as unsigned.`,
        { ref: 'RFC 8624 §3.1' },
      ),
    );
  if (deprecated.length)
    out.push(
      finding(
        'dnssec.algorithm.deprecated',
        'warn',
        `${r.zone} is signed with ${deprecated.map(algorithmName).join(', ')}, which is no longer recommended.`,
        { ref: 'RFC 8624 §3.1', advice: 'Roll over to ECDSAP256SHA256 (13) or ED25519 (15).' },
      ),
    );
  if (r.validated) {
    out.push(
      finding('dnssec.validated', 'ok', `${r.zone} is DNSSEC-signed and the resolver authenticated the answers (AD).`),
    );
  } else {
    out.push(
      finding(
        'dnssec.not-validated',
        'info',
        `${r.zone} is signed (DS published), but the answers came without AD: the resolver does not validate, so the chain of trust was not confirmed.`,
        {
          ref: 'RFC 4035 §3.2.3',
          advice: 'Ask a validating resolver (--resolver) to confirm.',
        },
      ),
    );
  }
  return out;
}

/** The answers behind a check's DNS steps (or a quiet trace's notes, dns/trace.ts), in order. */
export function stepAnswers(steps: readonly Step[]): AnswerNote[] {
  const out: AnswerNote[] = [];
  for (const s of steps) if (s.kind === 'dns' && s.detail) out.push(s.detail as DnsStepDetail);
  return out;
}

/** Of the DNS answers a posture check got for names at or under the domain, how many carried AD. */
export function answerAuthentication(
  answers: readonly AnswerNote[],
  domain: string,
): { total: number; authenticated: number; unauthenticated: string[] } {
  let total = 0;
  let authenticated = 0;
  const unauthenticated = new Set<string>();
  for (const d of answers) {
    if (d.status !== 'ok') continue;
    const name = d.name.toLowerCase().replace(/\.$/, '');
    if (name !== domain && !name.endsWith(`.${domain}`)) continue;
    total++;
    if (d.ad) authenticated++;
    else unauthenticated.add(`${d.type} ${name}`);
  }
  return { total, authenticated, unauthenticated: [...unauthenticated] };
}

/** A validated zone whose own answers came without AD: something between us and the zone is not validating. */
export function answerFindings(
  r: Pick<DnssecResult, 'domain' | 'validated'>,
  a: { total: number; authenticated: number; unauthenticated: string[] },
): Finding[] {
  if (!r.validated || a.authenticated === a.total) return [];
  return [
    finding(
      'dnssec.answers.unauthenticated',
      'warn',
      `${a.total - a.authenticated} of ${a.total} answers for ${r.domain} came without AD (${a.unauthenticated.slice(0, 4).join(', ')}${a.unauthenticated.length > 4 ? ', …' : ''}): they were not DNSSEC-validated.`,
      { ref: 'RFC 4035 §3.2.3' },
    ),
  ];
}
