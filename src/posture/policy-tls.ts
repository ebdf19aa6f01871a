// The CI gate's `smtp.tls` requirements (minVersion, noPhaseOut), judged on the TLS audit of every MX address
// (check --tls-audit, src/probe/tls-audit). Pure.
import { finding, type Severity } from '../core/result.js';
import type { ProbeHost } from '../probe/types.js';
import { TLS_VERSIONS, type SmtpTlsPolicy } from './policy.js';
import type { PostureFinding } from './types.js';

/** How policyFindings records one requirement: met or not, and why. */
export type Emit = (key: string, met: boolean, message: string, severity?: Severity) => void;

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

export function notAudited(source: string): PostureFinding {
  return {
    ...finding(
      'policy.smtp.not-audited',
      'warn',
      `The policy (${source}) has TLS requirements (smtp.tls), but the MX hosts' TLS was not audited: add --tls-audit.`,
    ),
    check: 'smtp',
  };
}
