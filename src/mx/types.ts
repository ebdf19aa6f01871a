// The result of `checkMx` (the JSON of `mailcheck mx` and `check`'s checks.mx): the MX → A/AAAA → PTR chain.
import type { Finding, Step } from '../core/result.js';
import type { Lookup } from '../dns/types.js';

export interface MxAddress {
  address: string;
  family: 4 | 6;
  ptr: string[];
  fcrdns: boolean;
  /** Set when the PTR lookup could not give a verdict (timeout, SERVFAIL). */
  ptrStatus?: string;
}

export interface MxHost {
  preference: number;
  exchange: string;
  addresses: MxAddress[];
  /** When the exchange is an alias (RFC 5321 §5.1 forbids it): where its CNAME chain leads, in order; the last
   *  name is the host that really has the addresses (or, when they are missing, where the alias dangles). */
  cnames: string[];
  /** 'ok', 'ip-literal', 'no-address', a temporary status that prevented the lookup, or 'unchecked': beyond
   *  MX_EXCHANGE_LIMIT (mx/check.ts), not looked up at all. */
  status: 'ok' | 'ip-literal' | 'no-address' | 'nxdomain' | 'temporary' | 'unchecked';
  /** Addresses the exchange has beyond MX_ADDRESS_LIMIT (mx/check.ts): neither reverse-checked nor listed. */
  addressesUnchecked?: number;
}

/** IPv6 of the MX hosts (filled in by `check`, src/posture/mx-ipv6.ts). */
export interface MxIpv6 {
  /** MX hosts with at least one AAAA record, and those without. */
  withAaaa: string[];
  withoutAaaa: string[];
  /** With --smtp: IPv6 addresses that answered on the SMTP port, and those that did not. */
  reachable?: string[];
  unreachable?: string[];
}

export interface MxResult {
  kind: 'mx';
  domain: string;
  nullMx: boolean;
  implicit: boolean;
  mx: MxHost[];
  /** The MX lookup's own outcome: 'ok', 'nodata', 'nxdomain', or a temporary status. */
  lookup: Lookup<unknown>['status'];
  /** Added by `check` (src/posture/mx-ipv6.ts): which MX hosts have AAAA, and, with --smtp, answer on it. */
  ipv6?: MxIpv6;
  findings: Finding[];
  steps: Step[];
}
