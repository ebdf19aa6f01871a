// Our Resolver as mailauth's `resolver(name, type)`: node dns.promises-shaped answers, and errors whose
// `code` (ENOTFOUND, ENODATA, ETIMEOUT, EREFUSED, ESERVFAIL) mailauth's SPF/DKIM/DMARC code switches on.
import type { MxRecord, Resolver, RRType } from '../types.js';

export type MailauthResolver = (name: string, type: string) => Promise<unknown>;

const CODES = {
  nxdomain: 'ENOTFOUND',
  nodata: 'ENODATA',
  timeout: 'ETIMEOUT',
  refused: 'EREFUSED',
  servfail: 'ESERVFAIL',
  malformed: 'EBADRESP',
} as const;

export class DnsLookupError extends Error {
  constructor(
    readonly code: string,
    readonly hostname: string,
    readonly rrtype: string,
  ) {
    super(`${code} ${hostname} ${rrtype}`);
  }

  /** An NXDOMAIN or NODATA is an answer, thrown only because mailauth expects it: no stack trace to capture. */
  static of(code: string, hostname: string, rrtype: string): DnsLookupError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new DnsLookupError(code, hostname, rrtype);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

export function toMailauthResolver(resolver: Resolver): MailauthResolver {
  return async (name: string, type: string) => {
    const rrtype = type.toUpperCase() as RRType;
    const answer = await resolver.lookup(name, rrtype);
    if (answer.status !== 'ok') throw DnsLookupError.of(CODES[answer.status], name, rrtype);
    switch (rrtype) {
      case 'MX':
        return (answer.records as MxRecord[]).map((r) => ({ exchange: r.exchange, priority: r.preference }));
      default:
        // TXT stays string[][] (one array of character-strings per record), as dns.resolveTxt gives.
        return answer.records;
    }
  };
}
