// TLS-RPT failures joined to what the MX shows now (`report --smtp`): the same probe as `check --smtp` (banner,
// EHLO, STARTTLS, certificate), the MTA-STS check for policy failures and the DANE check for TLSA ones, each
// turned into "since fixed" or "still failing" for the failure type the reporters saw (RFC 8460 §4.3).
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import type { ProbeHost } from '../probe/types.js';
import { currentMxHosts } from './classify.js';
import { normalizeIp } from './dmarc-parse.js';
import type { TlsFailureRow } from './model.js';

export interface TlsNowOptions {
  /** SMTP port to probe (25; tests use another). */
  port?: number;
  /** Extra trust anchors (PEM text). */
  ca?: string[];
  /** At most this many MX hosts are probed. */
  maxHosts?: number;
}

const STS = new Set(['sts-policy-fetch-error', 'sts-policy-invalid', 'sts-webpki-invalid']);
const DANE = new Set(['tlsa-invalid', 'dnssec-invalid', 'dane-required']);
const CERT = new Set([
  'certificate-expired',
  'certificate-host-mismatch',
  'certificate-not-trusted',
  'validation-failure',
]);

export async function tlsNow(
  domain: string,
  rows: TlsFailureRow[],
  ctx: Context,
  o: TlsNowOptions = {},
): Promise<void> {
  const port = o.port ?? 25;
  const hosts = new Map<string, ProbeHost | string>();
  const wanted = [...new Set(rows.filter((r) => !STS.has(r.resultType) && !DANE.has(r.resultType)).map((r) => r.mx))];
  const { probeHost } = await import('../probe/check.js');
  // Only the domain's own MX hosts, as DNS names them now, are probed (what `check --smtp` would see). A report is
  // a stranger's document — anyone can mail one to the rua address — and the hosts and addresses it names are not
  // ours to connect to: "receiving-ip": "10.0.0.5" must not make us open a connection into the network.
  const mxNow = wanted.length ? (await currentMxHosts(domain, ctx.resolver)).hosts : new Map<string, string[]>();
  for (const mx of wanted.slice(0, o.maxHosts ?? 10)) {
    const target = targetOf(mx, mxNow);
    if (!target) {
      hosts.set(mx, `${mx} is not ${isIP(mx) ? 'an address of an MX' : 'an MX'} of ${domain} now: not probed`);
      continue;
    }
    if (!target.address) {
      hosts.set(mx, `${mx} has no address now`);
      continue;
    }
    hosts.set(
      mx,
      await probeHost({ exchange: target.exchange, address: target.address, port }, ctx, {
        authTest: false,
        ca: o.ca,
      }),
    );
  }
  let sts: { ok: boolean; message: string } | undefined;
  if (rows.some((r) => STS.has(r.resultType))) {
    const { checkMtaSts } = await import('../auth/mta-sts/check.js');
    const r = await checkMtaSts(domain, ctx, o.ca ? { ca: o.ca } : {});
    const bad = r.findings.find((f) => f.severity === 'fail');
    sts = bad
      ? { ok: false, message: bad.message }
      : { ok: true, message: `the MTA-STS policy is served and valid now (mode ${r.mode ?? 'none'})` };
  }
  let dane: { ok: boolean; message: string } | undefined;
  if (rows.some((r) => DANE.has(r.resultType))) {
    const { checkDane } = await import('../auth/dane/check.js');
    const r = await checkDane(domain, ctx);
    const bad = r.findings.find((f) => f.severity === 'fail');
    dane = bad ? { ok: false, message: bad.message } : { ok: true, message: 'the TLSA records check out now' };
  }
  const now = ctx.now();
  for (const row of rows) {
    if (STS.has(row.resultType) && sts) row.now = status(sts);
    else if (DANE.has(row.resultType) && dane) row.now = status(dane);
    else {
      const host = hosts.get(row.mx);
      row.now = host === undefined ? { status: 'unknown', message: 'not probed' } : judge(row, host, now);
    }
  }
}

function status(s: { ok: boolean; message: string }): NonNullable<TlsFailureRow['now']> {
  return {
    status: s.ok ? 'fixed' : 'still-failing',
    message: s.ok ? `since fixed: ${s.message}` : `still: ${s.message}`,
  };
}

/** One failure type against one probe of its MX. */
export function judge(row: TlsFailureRow, host: ProbeHost | string, now: Date): NonNullable<TlsFailureRow['now']> {
  if (typeof host === 'string') return { status: 'unknown', message: host };
  if (!host.connected || (!host.tls && row.resultType !== 'starttls-not-supported'))
    return {
      status: 'unknown',
      message: `could not reach ${row.mx} now${host.error ? `: ${host.error.message}` : ''}`,
    };
  if (row.resultType === 'starttls-not-supported')
    return host.tls?.offered
      ? { status: 'fixed', message: `${row.mx} offers STARTTLS now` }
      : { status: 'still-failing', message: `${row.mx} still does not offer STARTTLS` };
  const cert = host.tls?.certificate;
  if (!CERT.has(row.resultType)) return { status: 'unknown', message: `no current check for ${row.resultType}` };
  if (!cert)
    return {
      status: 'unknown',
      message: `no certificate from ${row.mx} now${host.tls?.error ? `: ${host.tls.error}` : ''}`,
    };
  const until = cert.validTo.slice(0, 10);
  switch (row.resultType) {
    case 'certificate-expired':
      return Date.parse(cert.validTo) < now.getTime()
        ? { status: 'still-failing', message: `the certificate of ${row.mx} expired on ${until}: still expired` }
        : { status: 'fixed', message: `the certificate of ${row.mx} has since been renewed (valid until ${until})` };
    case 'certificate-host-mismatch':
      return cert.hostnameMatch === false
        ? { status: 'still-failing', message: `the certificate of ${row.mx} still does not name it` }
        : { status: 'fixed', message: `the certificate of ${row.mx} names it now` };
    default:
      return cert.trusted
        ? { status: 'fixed', message: `the certificate of ${row.mx} verifies now (valid until ${until})` }
        : {
            status: 'still-failing',
            message: `the certificate of ${row.mx} still does not verify${cert.trustError ? ` (${cert.trustError})` : ''}`,
          };
  }
}

/** Where to probe a failure's MX: the MX host of that name, or the MX host that has that address. */
function targetOf(mx: string, mxNow: Map<string, string[]>): { exchange: string; address?: string } | undefined {
  if (isIP(mx)) {
    const ip = normalizeIp(mx)!;
    for (const [exchange, addresses] of mxNow) if (addresses.includes(ip)) return { exchange, address: ip };
    return undefined;
  }
  const addresses = mxNow.get(mx.toLowerCase().replace(/\.$/, ''));
  if (!addresses) return undefined;
  return addresses[0] ? { exchange: mx, address: addresses[0] } : { exchange: mx };
}
