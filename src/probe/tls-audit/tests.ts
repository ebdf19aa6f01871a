// From the audit's results (results.ts) to its table and findings: one row per test (versions, suites, order, key exchange,
// renegotiation, certificate, DANE), each with its class and the reason, and one finding per judged row whose id is
// stable (src/probe/tls-audit/README.md). Pure.
import { finding, type Finding, type Severity } from '../../core/result.js';
import type { CertificateInfo } from '../../smtp/certificate.js';
import { VERDICTS, worst, type Verdict } from './classes.js';
import { LEGACY_SUITES, TLS13_SUITES, type TlsVersion } from './suites.js';
import type { AuditCipher, AuditDane, AuditGroup, AuditTest, TlsAudit } from './types.js';

/** A finding of the audit: the verdict in its data as well as in its message. */
export interface AuditFinding extends Finding {
  verdict: Verdict | null;
}

/** How much a test counts: `required` fails on insufficient; `advisory` only warns (internet.nl's "info" tests). */
type Weight = 'required' | 'advisory';

export const VERSION_LABEL: Record<TlsVersion, string> = {
  'TLSv1.3': 'TLS 1.3',
  'TLSv1.2': 'TLS 1.2',
  'TLSv1.1': 'TLS 1.1',
  TLSv1: 'TLS 1.0',
  SSLv3: 'SSL 3',
  SSLv2: 'SSL 2',
};

/** What the tests judge: the audit's observations, and the probe's own view of the leaf. */
export interface TestInput extends Pick<
  TlsAudit,
  'versions' | 'ciphers' | 'serverOrder' | 'groups' | 'renegotiation' | 'certificate' | 'dane'
> {
  /** "mx.example.com [192.0.2.1]:25", for messages. */
  who: string;
  /** The probe's own view of the leaf (trust, name, dates) and the ids of its findings about them. */
  leaf: CertificateInfo | null;
  leafFindings: readonly Finding[];
}

/** The table's rows and the audit's findings. */
export function auditTests(i: TestInput): { tests: AuditTest[]; findings: AuditFinding[] } {
  const tests: AuditTest[] = [];
  const findings: AuditFinding[] = [];
  const row = (
    id: string,
    test: string,
    verdict: Verdict | null,
    detail: string,
    o: { weight?: Weight; advice?: string; ref?: string; severity?: Severity; noFinding?: boolean } = {},
  ) => {
    tests.push({ id, test, verdict, detail });
    if (o.noFinding) return;
    const severity = o.severity ?? severityOf(verdict, o.weight ?? 'required');
    const extra: Partial<Pick<Finding, 'advice' | 'ref'>> = {};
    if (o.ref) extra.ref = o.ref;
    if (o.advice && severity !== 'ok') extra.advice = o.advice;
    const shown = verdict ?? 'not judged';
    findings.push({ ...finding(id, severity, `${test} of ${i.who}: ${shown} — ${detail}.`, extra), verdict });
  };

  // Versions.
  const offered = i.versions.filter((v) => v.offered === true);
  const refused = i.versions.filter((v) => v.offered === false);
  const untested = i.versions.filter((v) => v.offered === null).map((v) => VERSION_LABEL[v.version]);
  row(
    'tls.versions',
    'TLS versions',
    worst(offered.map((v) => v.verdict)),
    [
      offered.length ? `offered: ${offered.map((v) => VERSION_LABEL[v.version]).join(', ')}` : 'no version accepted',
      refused.length ? `refused: ${refused.map((v) => VERSION_LABEL[v.version]).join(', ')}` : '',
      untested.length ? `not tested: ${untested.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; '),
    {
      ref: 'NCSC-NL TLS 2.1 table 1; RFC 8996',
      advice: 'Offer TLS 1.3 and 1.2 only (Postfix: smtpd_tls_protocols = >=TLSv1.2).',
    },
  );

  // Cipher suites.
  const accepted = i.ciphers.filter((c) => c.offered === true);
  const count = (v: Verdict) => accepted.filter((c) => c.verdict === v).length;
  const bad = accepted.filter((c) => c.verdict === 'phase-out' || c.verdict === 'insufficient');
  const notTested = i.ciphers.filter((c) => c.offered === null).length;
  const counts = VERDICTS.map((v) => [v, count(v)] as const)
    .filter(([, n]) => n)
    .map(([v, n]) => `${n} ${v}`);
  row(
    'tls.ciphers',
    'Cipher suites',
    worst(accepted.map((c) => c.verdict)),
    [
      `${accepted.length} accepted${counts.length ? ` (${counts.join(', ')})` : ''}`,
      bad.length ? `weakest: ${list(sortWorst(bad).map(cipherText), 3)}` : '',
      notTested ? `${notTested} not tested` : '',
    ]
      .filter(Boolean)
      .join('; '),
    {
      ref: 'NCSC-NL TLS 2.1 appendix C',
      advice:
        'Offer only forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20); Postfix: smtpd_tls_mandatory_ciphers = high, tls_high_cipherlist = ECDHE+AESGCM:ECDHE+CHACHA20 and smtpd_tls_exclude_ciphers for the rest.',
    },
  );

  // Cipher order.
  const o = i.serverOrder;
  let orderDetail = o.note ?? '';
  if (o.tested && o.pair && o.chosen) {
    const [strong, weak] = o.pair.map(shortName);
    if (o.enforced && o.verdict === 'good') orderDetail = `enforced: ${strong} chosen over ${weak} in either order`;
    else if (o.enforced) orderDetail = `enforced, but ${weak} is chosen over ${strong} in either order`;
    else orderDetail = `not enforced: of ${strong} and ${weak}, the server takes the one the client lists first`;
  }
  row('tls.cipher-order', 'Cipher order', o.verdict, orderDetail, {
    ref: 'NCSC-NL TLS 2.1 B2-5',
    advice: 'Make the server choose, strongest first (Postfix: tls_preempt_cipherlist = yes).',
    noFinding: !o.tested && o.verdict === null && !o.note,
  });

  // Key exchange.
  const groups = i.groups.filter((g) => g.offered === true);
  const ec = groups.filter((g) => g.kind === 'ecdhe');
  const ff = groups.filter((g) => g.kind === 'ffdhe');
  const dhe = groups.filter((g) => g.kind === 'dhe');
  const tag = (g: AuditGroup) => (g.verdict === 'good' || g.verdict === 'sufficient' ? '' : ` (${g.verdict})`);
  row(
    'tls.kex',
    'Key exchange',
    worst(groups.map((g) => g.verdict)),
    [
      ec.length ? `ECDHE: ${ec.map((g) => g.name + tag(g)).join(', ')}` : '',
      ff.length ? `FFDHE (TLS 1.3): ${ff.map((g) => g.name + tag(g)).join(', ')}` : '',
      dhe.length ? `DHE: ${dhe.map((g) => `${g.bits} bits${tag(g)}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ') || 'no group accepted',
    {
      ref: 'NCSC-NL TLS 2.1 tables 9 and 10',
      advice:
        'Offer x25519, secp256r1, secp384r1 (and ffdhe3072 or larger for DHE); Postfix: tls_eecdh_auto_curves, and a 3072-bit smtpd_tls_dh1024_param_file.',
    },
  );

  // Renegotiation.
  const r = i.renegotiation;
  const secureDetail = (() => {
    if (r.detail && r.secure === null && r.secureVerdict === 'good') return r.detail;
    if (r.secure === null) return 'not tested: no handshake up to TLS 1.2';
    return r.secure ? 'supported (RFC 5746)' : 'not supported: the server does not send renegotiation_info';
  })();
  row('tls.renegotiation.secure', 'Secure renegotiation', r.secureVerdict, secureDetail, { ref: 'RFC 5746' });
  const clientDetail = (() => {
    if (r.clientInitiated === 'accepted') return `accepted in ${VERSION_LABEL[r.version!]} (${r.detail})`;
    if (r.clientInitiated === 'refused') return `refused (${r.detail})`;
    if (r.clientInitiated === 'not-applicable') return r.detail ?? 'not applicable';
    return 'not tested';
  })();
  row('tls.renegotiation.client', 'Client renegotiation', r.clientVerdict, clientDetail, {
    weight: 'advisory',
    ref: 'NCSC-NL TLS 2.1 B8-1',
    advice: 'Refuse renegotiation started by the client (OpenSSL 3 servers do unless told otherwise).',
  });

  // Certificate: the key and the signatures are new; trust, name and dates are the probe's own findings.
  const c = i.certificate;
  if (c) {
    const key =
      c.keyType === 'ec'
        ? `ECDSA ${c.curve ?? `${c.keyBits} bits`}`
        : `${(c.keyType ?? '?').toUpperCase()} ${c.keyBits ?? '?'} bits`;
    row('tls.cert.key', 'Certificate key', c.keyVerdict, key, {
      ref: 'NCSC-NL TLS 2.1 tables 8 and 9',
      advice: 'Use an RSA key of at least 2048 (better 3072) bits, or ECDSA on P-256 or P-384.',
    });
    const weakSigs = c.signatures.filter((s) => s.verdict !== 'good');
    row(
      'tls.cert.signature',
      'Certificate signatures',
      c.signatureVerdict,
      weakSigs.length
        ? `weak hash: ${weakSigs.map((s) => `${s.subject} (${s.signatureAlgorithm ?? 'unknown algorithm'})`).join('; ')}`
        : [...new Set(c.signatures.map((s) => s.signatureAlgorithm ?? 'unknown'))].join(', '),
      { ref: 'NCSC-NL TLS 2.1 table 5', advice: 'Have the certificate reissued with SHA-256 or stronger.' },
    );
  }
  if (i.leaf) {
    const l = i.leaf;
    const fid = (prefix: string, fallback: string) =>
      i.leafFindings.find((f) => f.id.startsWith(prefix))?.id ?? fallback;
    // No second finding: the probe's own (probe.cert.*) says it, this row points at it.
    const trustId = fid('probe.cert.untrusted', '') || fid('probe.cert.self-signed', 'probe.tls.ok');
    tests.push({
      id: trustId,
      test: 'Certificate chain',
      verdict: l.trusted ? 'good' : 'insufficient',
      detail: l.trusted
        ? `trusted (${l.chainLength} certificate${l.chainLength === 1 ? '' : 's'} sent)`
        : `not trusted: ${l.selfSigned ? 'self-signed' : (l.trustError ?? 'unknown issuer')}`,
    });
    let nameVerdict: Verdict | null = null;
    if (l.hostnameMatch !== null) nameVerdict = l.hostnameMatch ? 'good' : 'insufficient';
    tests.push({
      id: fid('probe.cert.hostname-mismatch', 'probe.tls.ok'),
      test: 'Certificate name',
      verdict: nameVerdict,
      detail:
        l.hostnameMatch === null
          ? 'no name to check'
          : `${l.hostnameMatch ? 'covers' : 'does not cover'} ${l.checkedName}`,
    });
    let dateVerdict: Verdict = 'good';
    if (l.expired || l.notYetValid) dateVerdict = 'insufficient';
    else if (l.daysLeft < 14) dateVerdict = 'sufficient';
    tests.push({
      id:
        fid('probe.cert.expired', '') ||
        fid('probe.cert.not-yet-valid', '') ||
        fid('probe.cert.expiring', 'probe.tls.ok'),
      test: 'Certificate dates',
      verdict: dateVerdict,
      detail: dateDetail(l),
    });
  }

  // DANE.
  const d = i.dane;
  if (d) {
    let existsVerdict: Verdict | null = null;
    let existsDetail = `no TLSA records at ${d.name}`;
    if (d.exists) {
      existsVerdict = 'good';
      existsDetail = `${d.records.length} TLSA record${d.records.length === 1 ? '' : 's'} at ${d.name}`;
    } else if (d.insecure) {
      existsVerdict = 'insufficient';
      existsDetail = `TLSA records at ${d.name}, but ${d.note}: senders ignore them`;
    } else if (d.note) existsDetail = `${d.note} (${d.name})`;
    row('tls.dane.exists', 'DANE', existsVerdict, existsDetail, {
      weight: 'advisory',
      severity: existsVerdict === null ? 'info' : undefined,
      ref: 'RFC 7672',
      advice: d.insecure ? "Sign the MX host's zone (DNSSEC), or remove the records." : undefined,
    });
    if (d.exists) {
      let validVerdict: Verdict | null = null;
      if (d.valid !== null) validVerdict = d.valid ? 'good' : 'insufficient';
      row('tls.dane.valid', 'DANE validity', validVerdict, validDetail(d), {
        ref: 'RFC 7672 §3',
        advice: 'Publish a TLSA record for the certificate the server sends (mailcheck check --smtp prints one).',
      });
      row(
        'tls.dane.rollover',
        'DANE rollover',
        d.rollover ? 'good' : 'sufficient',
        d.rollover
          ? 'two or more records survive a key change'
          : 'one key is pinned: a key or certificate change breaks delivery until the new record is published',
        {
          severity: d.rollover ? 'ok' : 'info',
          ref: 'RFC 7671 §8.1',
          advice:
            'Publish the next key too (3 1 1 for the current and the next key, or 3 1 1 plus 2 1 1 for the issuer).',
        },
      );
    }
  }
  return { tests, findings };
}

function validDetail(d: AuditDane): string {
  if (d.valid === null) return 'not tested: no certificate chain';
  return d.valid ? `matches ${d.matched}` : 'no record matches the served chain';
}

function severityOf(v: Verdict | null, weight: Weight): Severity {
  if (v === null) return 'info';
  if (v === 'good' || v === 'sufficient') return 'ok';
  if (v === 'phase-out' || weight === 'advisory') return 'warn';
  return 'fail';
}

function dateDetail(l: CertificateInfo): string {
  if (l.expired) return `expired ${l.validTo.slice(0, 10)}`;
  if (l.notYetValid) return `not valid before ${l.validFrom.slice(0, 10)}`;
  return `valid until ${l.validTo.slice(0, 10)} (${l.daysLeft} days)`;
}

/** OpenSSL's name of a suite (shorter than IANA's), for the table. */
function shortName(iana: string): string {
  return [...TLS13_SUITES, ...LEGACY_SUITES].find((s) => s.iana === iana)?.openssl ?? iana;
}

function cipherText(c: AuditCipher): string {
  return `${c.openssl ?? c.name} (${c.reason})`;
}

function sortWorst<T extends { verdict: Verdict }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => VERDICTS.indexOf(b.verdict) - VERDICTS.indexOf(a.verdict));
}

function list(xs: readonly string[], n: number): string {
  return xs.length > n ? `${xs.slice(0, n).join(', ')} and ${xs.length - n} more` : xs.join(', ');
}

/** "2 phase-out, 0 insufficient": how many tests fell in each class. */
export function countTests(tests: readonly AuditTest[]) {
  const n = (v: Verdict) => tests.filter((t) => t.verdict === v).length;
  return {
    good: n('good'),
    sufficient: n('sufficient'),
    phaseOut: n('phase-out'),
    insufficient: n('insufficient'),
    notTested: tests.filter((t) => t.verdict === null).length,
  };
}
