// The CI gate's `smtp` section (policy-sections.ts has the others): STARTTLS and certificates on the probe of every
// MX host (check --smtp), and `smtp.tls` (minVersion, noPhaseOut) on the TLS audit of every MX address
// (check --tls-audit, src/probe/tls-audit). Pure.
import { finding, type Finding } from '../core/result.js';
import type { ProbeHost, ProbeResult } from '../probe/types.js';
import { bool, presence, TLS_VERSIONS, type Emit, type PolicySection } from './policy-rules.js';

/** `smtp: { tls: … }`: what the TLS audit (--tls-audit) of every MX address must show. */
export interface SmtpTlsPolicy {
  /** No version below this one offered. */
  minVersion?: (typeof TLS_VERSIONS)[number];
  /** No version, suite or key-exchange group offered that the guidelines class phase-out or insufficient. */
  noPhaseOut?: boolean;
}

export interface SmtpPolicy {
  starttls?: boolean;
  trustedCertificate?: boolean;
  tls?: SmtpTlsPolicy;
}

/** `smtp.tls` when it asks for something (an empty mapping asks for nothing). */
const tlsRulesOf = (p: SmtpPolicy) => (p.tls && (p.tls.minVersion || p.tls.noPhaseOut) ? p.tls : undefined);
const asksSmtp = (p: SmtpPolicy) => Boolean(p.starttls || p.trustedCertificate || tlsRulesOf(p));

export const SMTP_POLICY: PolicySection<ProbeResult, SmtpPolicy> = {
  rules: {
    starttls: presence,
    trustedCertificate: bool,
    tls: {
      kind: 'mapping',
      rules: { minVersion: { kind: 'enum', values: TLS_VERSIONS }, noPhaseOut: bool },
      example: '{ minVersion: TLSv1.2, noPhaseOut: true }',
    },
  },
  judge(p, smtp, emit, x) {
    if (!asksSmtp(p)) return;
    const reached = smtp.hosts.filter((h) => h.connected && h.bannerCode === 220);
    if (p.starttls) {
      const without = reached.filter((h) => !h.tls?.offered).map((h) => h.exchange);
      emit(
        'starttls',
        reached.length > 0 && !without.length,
        without.length
          ? `every MX host must offer STARTTLS; ${[...new Set(without)].join(', ')} do(es) not.`
          : `every MX host must offer STARTTLS; ${reached.length} reached, all do.`,
      );
    }
    if (p.trustedCertificate) {
      const bad = reached
        .filter((h) => !(h.tls?.certificate?.trusted && h.tls.certificate.hostnameMatch !== false))
        .map((h) => h.exchange);
      emit(
        'trusted-certificate',
        reached.length > 0 && !bad.length,
        bad.length
          ? `every MX host needs a trusted certificate for its name; ${[...new Set(bad)].join(', ')} lack(s) one.`
          : 'every MX host needs a trusted certificate for its name; all have one.',
      );
    }
    const tlsRules = tlsRulesOf(p);
    if (tlsRules) tlsPolicy(tlsRules, reached, emit, () => x.add(notAudited(x.source)));
  },
  notRun(p, source) {
    if (!asksSmtp(p)) return [];
    return [
      finding(
        'policy.smtp.not-probed',
        'warn',
        `The policy (${source}) has SMTP requirements, but the MX hosts were not probed: add --smtp.`,
      ),
    ];
  },
};

/**
 * `smtp.tls`: judged on the TLS audit of every MX address that answered (check --tls-audit). Without an audit
 * there is nothing to judge: a warning says how to get one, as for --smtp.
 */
export function tlsPolicy(r: SmtpTlsPolicy, reached: ProbeHost[], emit: Emit, missing: () => void): void {
  // tlsAudit is undefined unless --tls-audit asked for it, null where there was no TLS to audit.
  if (!reached.some((h) => h.tlsAudit !== undefined)) return missing();
  const audited = reached.filter((h) => h.tlsAudit);
  if (!audited.length) {
    if (r.minVersion)
      emit('tls-min-version', false, `TLS ${r.minVersion} or newer is required; no MX host has TLS to audit.`);
    if (r.noPhaseOut)
      emit('tls-no-phase-out', false, 'TLS without phase-out settings is required; no MX host has TLS to audit.');
    return;
  }
  const where = (h: ProbeHost) => `${h.exchange} [${h.address}]`;
  if (r.minVersion) {
    const floor = TLS_VERSIONS.indexOf(r.minVersion);
    const below = audited.flatMap((h) =>
      h
        .tlsAudit!.versions.filter((v) => v.offered === true && tlsRank(v.version) < floor)
        .map((v) => `${where(h)} ${v.version}`),
    );
    emit(
      'tls-min-version',
      !below.length,
      below.length
        ? `no TLS version below ${r.minVersion} may be offered; offered: ${below.join(', ')}.`
        : `no TLS version below ${r.minVersion} may be offered; ${audited.length} audited, none does (SSL 3 and 2 cannot be tested here).`,
    );
  }
  if (r.noPhaseOut) {
    const weak = audited.flatMap((h) => {
      const a = h.tlsAudit!;
      const bad = (x: { offered: boolean | null; verdict: string }) =>
        x.offered === true && (x.verdict === 'phase-out' || x.verdict === 'insufficient');
      const names = [
        ...a.versions.filter(bad).map((v) => v.version),
        ...a.ciphers.filter(bad).map((c) => c.openssl ?? c.name),
        ...a.groups.filter(bad).map((g) => (g.kind === 'dhe' ? `DHE-${g.bits}` : g.name)),
      ];
      return names.length ? [`${where(h)}: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}`] : [];
    });
    emit(
      'tls-no-phase-out',
      !weak.length,
      weak.length
        ? `no phase-out or insufficient TLS version, suite or group may be offered; ${weak.join('; ')}.`
        : `no phase-out or insufficient TLS version, suite or group may be offered; ${audited.length} audited, none does.`,
    );
  }
}

/** Versions' order, oldest first; SSL 3 and 2 (never testable here) below everything. */
function tlsRank(v: string): number {
  return (TLS_VERSIONS as readonly string[]).indexOf(v);
}

export function notAudited(source: string): Finding {
  return finding(
    'policy.smtp.not-audited',
    'warn',
    `The policy (${source}) has TLS requirements (smtp.tls), but the MX hosts' TLS was not audited: add --tls-audit.`,
  );
}
