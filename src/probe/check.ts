// `mailcheck probe <domain|host|ip>`: resolve the target through MX (RFC 5321 §5.1, via checkMx), then probe
// the best exchange (falling back in preference order when unreachable) or, with `all`, every address at once.
import { isIP } from 'node:net';
import type { Context } from '../core/context.js';
import { finding, type Finding, type Step } from '../core/result.js';
import { checkMx } from '../mx/check.js';
import { traceResolver } from '../dns/trace.js';
import { isTemporary, reverseName } from '../dns/types.js';
import { probeHost, tlsModeFor } from './host.js';
import type { ProbeEndpoint, ProbeHost, ProbeOptions, ProbeResult } from './types.js';

export { probeHost } from './host.js';
export type { ProbeHost, ProbeOptions, ProbeResult, ProbeEndpoint } from './types.js';

/** Without `all`, at most this many addresses are tried before giving up. */
const MAX_FALLBACK = 5;

export async function probeTarget(target: string, ctx: Context, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const port = opts.port ?? 25;
  const mode = tlsModeFor(port, opts.tls);
  const result: ProbeResult = {
    kind: 'probe',
    target,
    port,
    tls: mode,
    all: Boolean(opts.all),
    hosts: [],
    findings: [],
    steps: [],
  };
  const route = await endpointsFor(target, port, ctx);
  result.steps.push(...route.steps);
  result.findings.push(...route.findings);
  if (!route.endpoints.length) return result;

  if (opts.all) {
    result.hosts = await Promise.all(route.endpoints.map((e) => probeHost(e, ctx, opts)));
  } else {
    for (const e of route.endpoints.slice(0, MAX_FALLBACK)) {
      const h = await probeHost(e, ctx, opts);
      result.hosts.push(h);
      if (h.connected) break;
    }
    // A host we fell back from is a warning about redundancy, not a reason to withhold the verdict.
    const reached = result.hosts.find((h) => h.connected);
    if (reached) {
      for (const h of result.hosts) {
        if (h === reached) continue;
        h.findings = h.findings.map(({ temporary: _t, ...f }) => ({
          ...f,
          severity: 'warn' as const,
          message: `${f.message} Fell back to ${reached.exchange} [${reached.address}].`,
        }));
      }
    }
  }
  for (const h of result.hosts) {
    result.steps.push(...hostSteps(h));
    result.findings.push(...h.findings);
  }
  return result;
}

interface Route {
  endpoints: ProbeEndpoint[];
  findings: Finding[];
  steps: Step[];
}

/** An IP is probed as is (its PTR fetched for the banner check); a name goes through checkMx. */
async function endpointsFor(target: string, port: number, ctx: Context): Promise<Route> {
  const ip = target.replace(/^\[|\]$/g, '');
  if (isIP(ip)) {
    const trace = traceResolver(ctx.resolver);
    const ptr = await trace.lookup(reverseName(ip), 'PTR');
    return {
      endpoints: [{ exchange: ip, address: ip, port, ptr: ptr.status === 'ok' ? ptr.records : [] }],
      findings: [],
      steps: trace.steps,
    };
  }
  const mx = await checkMx(target, ctx);
  const steps = mx.steps;
  if (isTemporary({ status: mx.lookup })) {
    return {
      endpoints: [],
      steps,
      findings: [
        finding(
          'probe.target.temporary',
          'fail',
          `The MX lookup for ${target} failed (${mx.lookup.toUpperCase()}): nothing to probe yet.`,
          { temporary: true },
        ),
      ],
    };
  }
  if (mx.lookup === 'nxdomain') {
    return {
      endpoints: [],
      steps,
      findings: [finding('probe.target.nxdomain', 'fail', `${target} does not exist (NXDOMAIN).`)],
    };
  }
  if (mx.nullMx && !mx.mx.length) {
    return {
      endpoints: [],
      steps,
      findings: [
        finding(
          'probe.target.null-mx',
          'fail',
          `${target} publishes a null MX: it accepts no mail, so there is no server to probe.`,
          { ref: 'RFC 7505' },
        ),
      ],
    };
  }
  const endpoints = mx.mx.flatMap((h) =>
    h.addresses.map((a) => ({ exchange: h.exchange, address: a.address, port, preference: h.preference, ptr: a.ptr })),
  );
  if (!endpoints.length) {
    const temporary = mx.mx.some((h) => h.status === 'temporary');
    return {
      endpoints,
      steps,
      findings: [
        finding(
          'probe.target.no-address',
          'fail',
          temporary
            ? `The address lookups for ${target}'s mail exchanges failed temporarily.`
            : `${target} has no mail exchange with an address (${mx.mx.length ? mx.mx.map((h) => h.exchange).join(', ') : 'no MX, no A/AAAA'}).`,
          temporary ? { temporary: true } : {},
        ),
      ],
    };
  }
  return { endpoints, findings: [], steps };
}

function hostSteps(h: ProbeHost): Step[] {
  const at = `${h.exchange} [${h.address}]:${h.port}`;
  const steps: Step[] = [
    {
      kind: 'tcp',
      summary: `connect ${at}${h.connected ? '' : ` → ${h.error?.kind ?? 'failed'}`}`,
      ms: h.timings.connectMs ?? 0,
      ok: h.connected,
    },
  ];
  if (h.banner !== null || h.error?.stage === 'banner')
    steps.push({
      kind: 'smtp',
      summary: `greeting ${h.banner ?? `→ ${h.error?.kind}`}`,
      ms: h.timings.bannerMs ?? 0,
      ok: h.bannerCode === 220,
    });
  if (h.timings.ehloMs !== null)
    steps.push({
      kind: 'smtp',
      summary: `EHLO → ${h.ehlo.extensions.length} extensions`,
      ms: h.timings.ehloMs,
      ok: h.esmtp,
    });
  if (h.tls?.attempted)
    steps.push({
      kind: 'tls',
      summary: h.tls.ok ? `TLS ${h.tls.protocol} ${h.tls.cipher}` : `TLS failed: ${h.tls.error}`,
      ms: h.timings.tlsMs ?? 0,
      ok: h.tls.ok,
    });
  return steps;
}
