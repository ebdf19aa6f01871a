// IPv6 of the mail exchanges, as internet.nl's mail test checks it ("mx-AAAA", "mx-reach"): does every MX host have
// an AAAA record, and — with --smtp — does port 25 answer on each IPv6 address. Findings under the MX check. Pure:
// the MX result (its AAAA lookups are in its steps) and the probe's hosts in, findings out.
import { finding, type Finding } from '../core/result.js';
import type { DnsStepDetail } from '../dns/trace.js';
import type { MxIpv6, MxResult } from '../mx/types.js';
import type { ProbeResult } from '../probe/types.js';

export type { MxIpv6 } from '../mx/types.js';

export function mxIpv6(mx: MxResult, smtp?: ProbeResult | null): { ipv6: MxIpv6 | null; findings: Finding[] } {
  const hosts = mx.mx.filter((h) => h.status === 'ok' && !mx.nullMx);
  if (!hosts.length) return { ipv6: null, findings: [] };
  // An AAAA lookup that failed for now is no verdict on that host.
  const aaaa = new Map<string, string>();
  for (const s of mx.steps) {
    const d = s.detail as DnsStepDetail | undefined;
    if (d?.type === 'AAAA') aaaa.set(d.name.toLowerCase().replace(/\.$/, ''), d.status);
  }
  const temporary = (x: string) => !['ok', 'nodata', 'nxdomain', undefined].includes(aaaa.get(x.toLowerCase()));
  const names = [...new Set(hosts.map((h) => h.exchange))];
  const withAaaa = names.filter((x) => hosts.some((h) => h.exchange === x && h.addresses.some((a) => a.family === 6)));
  const unknown = names.filter((x) => !withAaaa.includes(x) && temporary(x));
  const withoutAaaa = names.filter((x) => !withAaaa.includes(x) && !unknown.includes(x));
  const ipv6: MxIpv6 = { withAaaa, withoutAaaa };
  const out: Finding[] = [];
  const ref = 'internet.nl mail test: IPv6';
  if (unknown.length)
    out.push(
      finding(
        'mx.ipv6.temporary',
        'warn',
        `The AAAA lookup for ${unknown.join(', ')} failed: no verdict on its IPv6.`,
        {
          temporary: true,
        },
      ),
    );
  if (!withAaaa.length && withoutAaaa.length) {
    out.push(
      finding(
        'mx.ipv6.none',
        'info',
        `No mail exchange of ${mx.domain} has an AAAA record: senders that have only IPv6 cannot deliver to it.`,
        { ref, advice: 'Give each MX host an IPv6 address (AAAA) and have the mail server listen on it.' },
      ),
    );
  } else if (withoutAaaa.length) {
    out.push(
      finding(
        'mx.ipv6.partial',
        'warn',
        `${withoutAaaa.join(', ')} ${withoutAaaa.length > 1 ? 'have' : 'has'} no AAAA record while ${withAaaa.join(', ')} ${withAaaa.length > 1 ? 'have' : 'has'}: over IPv6 only some MX hosts are reachable.`,
        { ref, advice: 'Give every MX host an AAAA record.' },
      ),
    );
  }

  // Reachability on the SMTP port: only what the probe could actually try from here counts.
  const v6 = smtp?.hosts.filter((h) => h.address.includes(':')) ?? [];
  if (smtp && v6.length) {
    const answered = v6.filter((h) => h.connected);
    const noRoute = v6.filter((h) => !h.connected && h.error?.kind === 'unreachable');
    const silent = v6.filter((h) => !h.connected && h.error?.kind !== 'unreachable');
    ipv6.reachable = answered.map((h) => `${h.exchange} [${h.address}]`);
    ipv6.unreachable = silent.map((h) => `${h.exchange} [${h.address}]`);
    if (silent.length)
      out.push(
        finding(
          'mx.ipv6.unreachable',
          'warn',
          `Port ${silent[0]!.port} does not answer on ${ipv6.unreachable.join(', ')}: senders that try the AAAA first wait for a timeout, or cannot deliver at all over IPv6.`,
          { ref, advice: 'Make the mail server listen on the published IPv6 addresses, or remove the AAAA records.' },
        ),
      );
    if (noRoute.length)
      out.push(
        finding(
          'mx.ipv6.untested',
          'info',
          `${noRoute.map((h) => h.address).join(', ')} could not be tried from here (no IPv6 route): no verdict on their reachability.`,
        ),
      );
    if (answered.length && !silent.length && !noRoute.length && !withoutAaaa.length && !unknown.length)
      out.push(
        finding(
          'mx.ipv6.ok',
          'ok',
          `Every MX host has an AAAA record, and port ${answered[0]!.port} answers on each IPv6 address.`,
          { ref },
        ),
      );
    return { ipv6, findings: out };
  }
  if (withAaaa.length === names.length)
    out.push(finding('mx.ipv6.ok', 'ok', `Every MX host of ${mx.domain} has an AAAA record.`, { ref }));
  return { ipv6, findings: out };
}
