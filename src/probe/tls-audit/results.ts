// Observations (run.ts) as the audit's JSON parts: every version, suite and group with its class and whether the
// server took it, the cipher order's verdict, renegotiation. Pure.
import { curveVerdict, dhVerdict, suiteReason, suiteVerdict, versionVerdict, type Verdict } from './classes.js';
import { GROUPS } from './groups.js';
import type { Observations } from './run.js';
import { LEGACY_SUITES, TLS13_SUITES, type TlsVersion } from './suites.js';
import type { AuditCipher, AuditGroup, AuditRenegotiation, AuditServerOrder, AuditVersion } from './types.js';

const ORDER: readonly TlsVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3', 'SSLv2'];

export function versionsOf(obs: Observations): AuditVersion[] {
  return ORDER.map((v) => {
    const k = obs.versions.get(v);
    const out: AuditVersion = { version: v, offered: k?.offered ?? null, verdict: versionVerdict(v) };
    if (k?.note) out.note = k.note;
    return out;
  });
}

export function ciphersOf(obs: Observations): AuditCipher[] {
  return [...TLS13_SUITES, ...LEGACY_SUITES].map((s) => {
    const k = obs.suites.get(s.iana);
    const out: AuditCipher = {
      name: s.iana,
      openssl: s.openssl,
      version: k?.version ?? null,
      offered: k?.offered ?? null,
      verdict: suiteVerdict(s.iana),
      reason: suiteReason(s.iana),
    };
    if (k?.note) out.note = k.note;
    return out;
  });
}

export function groupsOf(obs: Observations): AuditGroup[] {
  const out: AuditGroup[] = GROUPS.map((g) => {
    const k = obs.groups.get(g.name);
    const e: AuditGroup = {
      name: g.name,
      kind: g.kind,
      version: k?.version ?? null,
      offered: k?.offered ?? null,
      bits: k?.bits ?? g.bits,
      verdict: g.kind === 'ffdhe' ? dhVerdict(g.bits) : curveVerdict(g.name),
    };
    if (k?.note) e.note = k.note;
    return e;
  });
  for (const [bits, version] of [...obs.dhe.entries()].sort((a, b) => a[0] - b[0]))
    out.push({ name: 'dhe', kind: 'dhe', version, offered: true, bits, verdict: dhVerdict(bits) });
  return out;
}

export function serverOrderOf(obs: Observations): AuditServerOrder {
  if (!obs.legacyVersion) {
    const none = (['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const).every((v) => obs.versions.get(v)?.offered === false);
    return none
      ? { tested: false, enforced: null, verdict: 'good', note: 'not applicable: no version up to TLS 1.2' }
      : { tested: false, enforced: null, verdict: null, note: 'not tested: no version up to TLS 1.2 answered' };
  }
  if (!obs.order)
    return {
      tested: false,
      enforced: null,
      verdict: 'good',
      note: 'not applicable: the accepted suites are all of one class',
    };
  const { pair, chosen, version } = obs.order;
  const [strong, weak] = pair;
  const base = { tested: true, pair, chosen, version };
  if (chosen[0] === strong && chosen[1] === strong) return { ...base, enforced: true, verdict: 'good' };
  if (chosen[0] === weak && chosen[1] === weak)
    return { ...base, enforced: true, verdict: 'insufficient', note: 'the server prefers the weaker suite' };
  if (chosen[0] === weak && chosen[1] === strong)
    return { ...base, enforced: false, verdict: 'insufficient', note: 'the server takes the client’s first choice' };
  return { ...base, tested: false, enforced: null, verdict: null, note: 'not tested: no consistent answer' };
}

export function renegotiationOf(obs: Observations): AuditRenegotiation {
  const onlyTls13 = !obs.legacyVersion && obs.versions.get('TLSv1.3')?.offered === true;
  if (onlyTls13)
    return {
      secure: null,
      clientInitiated: 'not-applicable',
      version: null,
      secureVerdict: 'good',
      clientVerdict: 'good',
      detail: 'TLS 1.3 has no renegotiation',
    };
  const c = obs.clientRenegotiation;
  let clientVerdict: Verdict | null = null;
  if (c?.result === 'accepted') clientVerdict = 'insufficient';
  else if (c) clientVerdict = 'good';
  const out: AuditRenegotiation = {
    secure: obs.secureRenegotiation,
    clientInitiated: c?.result ?? null,
    version: c?.version ?? obs.legacyVersion,
    secureVerdict: secureVerdict(obs.secureRenegotiation),
    clientVerdict,
  };
  if (c) out.detail = c.detail;
  return out;
}

function secureVerdict(secure: boolean | null): Verdict | null {
  if (secure === null) return null;
  return secure ? 'good' : 'insufficient';
}
