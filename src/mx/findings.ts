// The verdicts on an MX chain: what a sending MTA would trip over (RFC 5321 §5.1, RFC 7505, RFC 2181 §10.3).
import { finding, type Finding } from '../core/result.js';
import type { MxResult } from './types.js';
import { classifyAddress } from '../core/ip-ranges.js';

export function mxFindings(r: MxResult, temporary?: { status: string; server: string; error?: string }): Finding[] {
  const out: Finding[] = [];
  const d = r.domain;
  if (temporary) {
    return [
      finding(
        'mx.lookup.temporary',
        'fail',
        `The MX lookup for ${d} failed (${temporary.status.toUpperCase()} from ${temporary.server}): no verdict is possible.`,
        { temporary: true },
      ),
    ];
  }
  if (r.lookup === 'nxdomain') {
    return [finding('mx.domain.nxdomain', 'fail', `${d} does not exist (NXDOMAIN): mail to it bounces.`)];
  }
  if (r.nullMx) {
    if (r.mx.length) {
      out.push(
        finding(
          'mx.null.mixed',
          'fail',
          `${d} publishes a null MX ("0 .") together with other MX records; RFC 7505 says it must be the only one.`,
          { ref: 'RFC 7505 §3' },
        ),
      );
    } else {
      return [
        finding(
          'mx.null',
          'info',
          `${d} publishes a null MX: it accepts no mail, and senders fail fast instead of retrying.`,
          { ref: 'RFC 7505' },
        ),
      ];
    }
  }
  if (r.lookup === 'nodata') {
    if (r.implicit) {
      out.push(
        finding('mx.implicit', 'warn', `${d} has no MX record; senders fall back to its own address (implicit MX).`, {
          ref: 'RFC 5321 §5.1',
          advice: `Publish "${d}. MX 10 <mail host>" — or "MX 0 ." if it should receive no mail.`,
        }),
      );
    } else if (!r.mx.length) {
      return [
        finding('mx.none', 'fail', `${d} has no MX record and no address: it cannot receive mail.`, {
          advice: `Publish an MX record, or "MX 0 ." (RFC 7505) to say it takes no mail.`,
        }),
      ];
    }
  }
  // One host under several preferences (identical records are one record, RFC 2181 §5, so only this is left).
  const seen = new Map<string, number[]>();
  for (const host of r.mx) seen.set(host.exchange, [...(seen.get(host.exchange) ?? []), host.preference]);
  for (const [exchange, prefs] of seen) {
    if (prefs.length > 1)
      out.push(
        finding(
          'mx.exchange.duplicate',
          'warn',
          `${exchange} is listed ${prefs.length} times (preferences ${prefs.join(', ')}); the extra records add no redundancy.`,
        ),
      );
  }
  const unchecked = r.mx.filter((h) => h.status === 'unchecked').length;
  if (unchecked) {
    out.push(
      finding(
        'mx.exchanges.unchecked',
        'warn',
        `${d} has ${r.mx.length} MX records: only the first ${r.mx.length - unchecked} by preference were checked, ${unchecked} were not. Senders try a handful of hosts per message (Postfix: 5 addresses), so the rest add lookups, not redundancy.`,
      ),
    );
  }
  for (const host of r.mx) {
    const x = host.exchange;
    if (host.status === 'unchecked') continue;
    if (host.addressesUnchecked) {
      out.push(
        finding(
          'mx.addresses.unchecked',
          'info',
          `${x} has ${host.addresses.length + host.addressesUnchecked} addresses: ${host.addresses.length} were checked, ${host.addressesUnchecked} were not.`,
        ),
      );
    }
    if (host.status === 'ip-literal') {
      out.push(
        finding(
          'mx.exchange.ip-literal',
          'fail',
          `MX ${host.preference} ${x} is an IP address; an MX must name a host, and most senders will not deliver to it.`,
          { ref: 'RFC 5321 §5.1' },
        ),
      );
      continue;
    }
    const target = host.cnames[host.cnames.length - 1];
    if (target !== undefined) {
      out.push(
        finding(
          'mx.exchange.cname',
          'warn',
          `${x} is an alias (CNAME) of ${target}; an MX must name a host with its own address records.`,
          { ref: 'RFC 2181 §10.3', advice: `Point the MX at ${target} itself.` },
        ),
      );
    }
    if (host.status === 'temporary') {
      out.push(
        finding(
          'mx.exchange.temporary',
          'fail',
          `The address lookup for ${x} failed temporarily: no verdict for this host.`,
          { temporary: true },
        ),
      );
    } else if (host.status !== 'ok') {
      const nx = host.status === 'nxdomain';
      let message = `${x} has no A or AAAA record${nx ? ' (NXDOMAIN)' : ''}: senders cannot reach it.`;
      // An alias that leads nowhere: say where it dangles, not that the exchange itself is missing.
      if (target !== undefined)
        message = `${x} is an alias (CNAME) of ${target}, which ${nx ? 'does not exist (NXDOMAIN)' : 'has no A or AAAA record'}: senders cannot reach it.`;
      out.push(finding('mx.exchange.no-address', 'fail', message));
    }
    for (const a of host.addresses) {
      const c = classifyAddress(a.address);
      if (c.class === 'unroutable') {
        out.push(
          finding(
            'mx.address.reserved',
            'fail',
            `${x} resolves to ${a.address} (${c.range}), which no one on the internet can deliver to.`,
          ),
        );
      } else if (c.class === 'private') {
        out.push(
          finding(
            'mx.address.private',
            'warn',
            `${x} resolves to ${a.address}, a private (${c.range}) address: only reachable inside that network.`,
          ),
        );
      } else if (c.class === 'reserved') {
        out.push(
          finding(
            'mx.address.reserved-range',
            'info',
            `${x} resolves to ${a.address}, in a reserved or documentation range.`,
          ),
        );
      }
      if (a.ptrStatus) {
        out.push(
          finding('mx.address.ptr-temporary', 'warn', `The PTR lookup for ${a.address} failed (${a.ptrStatus}).`, {
            temporary: true,
          }),
        );
      } else if (!a.ptr.length) {
        out.push(
          finding(
            'mx.address.no-ptr',
            'warn',
            `${a.address} (${x}) has no PTR record; many receivers distrust mail from hosts without reverse DNS.`,
          ),
        );
      } else if (!a.fcrdns) {
        out.push(
          finding(
            'mx.address.no-fcrdns',
            'warn',
            `${a.address} (${x}) points back to ${a.ptr.join(', ')}, which does not resolve to ${a.address} (no forward-confirmed reverse DNS).`,
          ),
        );
      }
    }
  }
  const reachable = r.mx.filter((h) => h.addresses.length);
  if (r.mx.length && !reachable.length && !r.mx.some((h) => h.status === 'temporary')) {
    let which = `${d}'s mail exchanges`;
    if (unchecked) which = `the ${r.mx.length - unchecked} checked mail exchanges of ${d}`;
    out.push(finding('mx.unreachable', 'fail', `None of ${which} has an address: mail cannot be delivered.`));
  } else if (reachable.length === 1 && !r.implicit) {
    out.push(
      finding(
        'mx.redundancy.single',
        'info',
        `${d} has a single reachable mail exchange; mail queues at senders while it is down.`,
      ),
    );
  }
  if (!out.some((f) => f.severity === 'fail' || f.severity === 'warn') && reachable.length) {
    out.push(
      finding(
        'mx.ok',
        'ok',
        `${reachable.length} mail exchange${reachable.length > 1 ? 's' : ''}, all resolving with forward-confirmed reverse DNS.`,
      ),
    );
  }
  // One host listed twice yields the same address findings twice; say each once.
  const seenIds = new Set<string>();
  return out.filter((f) => !seenIds.has(f.id + f.message) && seenIds.add(f.id + f.message));
}
