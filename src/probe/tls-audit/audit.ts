// `auditTls`: the TLS audit of one SMTP server (issue #14 §1), after the probe's own handshake: the observations
// (run.ts), the certificates (certificate.ts) and DANE (dane.ts), judged test by test (tests.ts).
import type { Context } from '../../core/context.js';
import { finding, type Finding } from '../../core/result.js';
import type { CertificateInfo } from '../../smtp/certificate.js';
import { auditCertificates } from './certificate.js';
import { worst } from './classes.js';
import { auditDane } from './dane.js';
import { runAudit, type RunOptions } from './run.js';
import { ciphersOf, groupsOf, renegotiationOf, serverOrderOf, versionsOf } from './results.js';
import { auditTests, countTests, type AuditFinding } from './tests.js';
import type { TlsAudit } from './types.js';
import { endpointLabel } from '../../smtp/peer.js';

export interface AuditOptions extends Omit<RunOptions, 'ctx'> {
  /** The probe's verdicts on the leaf certificate, folded into the table. */
  leaf: CertificateInfo | null;
  leafFindings: readonly Finding[];
  /** Port in the TLSA name (_25._tcp.<host>); default the endpoint's. */
  danePort?: number;
}

export async function auditTls(ctx: Context, o: AuditOptions): Promise<{ audit: TlsAudit; findings: AuditFinding[] }> {
  const start = performance.now();
  const obs = await runAudit({ ...o, ctx });
  const certificate = auditCertificates(obs.chain);
  const dane = await auditDane(
    o.endpoint.host,
    o.danePort ?? o.endpoint.port,
    obs.chain.map((c) => c.raw),
    ctx,
  );
  const versions = versionsOf(obs);
  const ciphers = ciphersOf(obs);
  const serverOrder = serverOrderOf(obs);
  const groups = groupsOf(obs);
  const renegotiation = renegotiationOf(obs);
  const who = endpointLabel(o.endpoint.host, o.endpoint.address, o.endpoint.port);
  const { tests, findings } = auditTests({
    who,
    versions,
    ciphers,
    serverOrder,
    groups,
    renegotiation,
    certificate,
    leaf: o.leaf,
    leafFindings: o.leafFindings,
    dane,
  });
  if (obs.incomplete)
    findings.push({
      ...finding(
        'tls.audit.incomplete',
        'warn',
        `The TLS audit of ${who} ran out of its time budget: what was not tried is reported "not tested".`,
        { temporary: true },
      ),
      verdict: null,
    });
  const untested = ciphers.filter((c) => c.offered === null && /local OpenSSL/.test(c.note ?? '')).map((c) => c.name);
  const audit: TlsAudit = {
    verdict: worst(tests.map((t) => t.verdict)),
    tests,
    versions,
    ciphers,
    serverOrder,
    groups,
    renegotiation,
    certificate,
    dane,
    handshakes: obs.handshakes,
    connections: obs.connections,
    summary: countTests(tests),
    ms: Math.round(performance.now() - start),
    local: {
      openssl: obs.local.openssl,
      untested: [
        ...versions.filter((v) => v.offered === null && /local OpenSSL/.test(v.note ?? '')).map((v) => v.version),
        ...untested,
      ],
    },
  };
  if (obs.incomplete) audit.incomplete = true;
  return { audit, findings };
}
