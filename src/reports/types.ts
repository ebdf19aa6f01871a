// The parsed reports (DMARC aggregate: RFC 7489 Appendix C, RFC 9990 and the 2012 draft; TLS-RPT: RFC 8460 §4)
// in one normalized shape, whatever the sender wrote. Fields a reporter left out are undefined, never guessed.

export type DmarcDisposition = 'none' | 'quarantine' | 'reject' | 'pass';
export type AuthVerdict = 'pass' | 'fail';

export interface DmarcReason {
  /** forwarded, sampled_out, trusted_forwarder, mailing_list, local_policy, policy_test_mode, other. */
  type: string;
  comment?: string;
}

export interface DmarcRecordRow {
  sourceIp: string;
  count: number;
  disposition?: DmarcDisposition;
  /** policy_evaluated: the aligned DKIM and SPF verdicts that make DMARC pass. */
  dkim?: AuthVerdict;
  spf?: AuthVerdict;
  reasons: DmarcReason[];
  headerFrom?: string;
  envelopeFrom?: string;
  envelopeTo?: string;
  /** auth_results: every DKIM signature checked and the SPF result(s), before alignment. */
  dkimResults: { domain?: string; selector?: string; result: string }[];
  spfResults: { domain?: string; scope?: string; result: string }[];
}

export interface DmarcPolicyPublished {
  domain?: string;
  adkim?: string;
  aspf?: string;
  p?: string;
  sp?: string;
  np?: string;
  pct?: number;
  fo?: string;
  testing?: string;
}

export interface DmarcAggregateReport {
  kind: 'dmarc';
  /** 'rfc9990' for the dmarc-2.0 namespace, '1.0' and such from <version>, or 'draft' when there is none. */
  version: string;
  orgName?: string;
  email?: string;
  reportId?: string;
  /** Seconds since the epoch, as in the report. */
  begin?: number;
  end?: number;
  errors: string[];
  policy: DmarcPolicyPublished;
  records: DmarcRecordRow[];
  /** Names of required fields the report left out ("report_id", "record[3]/row/source_ip"), deduplicated. */
  missing: string[];
  /** Records skipped because nothing usable was in them (no source IP). */
  skippedRecords: number;
  truncated: boolean;
}

export interface TlsRptFailure {
  resultType: string;
  sendingMtaIp?: string;
  receivingMxHostname?: string;
  receivingMxHelo?: string;
  receivingIp?: string;
  failedSessions: number;
  additionalInformation?: string;
  failureReasonCode?: string;
}

export interface TlsRptPolicy {
  /** 'sts', 'tlsa', 'no-policy-found'. */
  policyType?: string;
  policyDomain?: string;
  mxHosts: string[];
  successfulSessions: number;
  failedSessions: number;
  failures: TlsRptFailure[];
}

export interface TlsRptReport {
  kind: 'tlsrpt';
  orgName?: string;
  contactInfo?: string;
  reportId?: string;
  /** Seconds since the epoch. */
  begin?: number;
  end?: number;
  policies: TlsRptPolicy[];
  missing: string[];
}

export type ParsedReport = DmarcAggregateReport | TlsRptReport;
