// A bare CR in a header field (RFC 5322 §2.2: CR appears only in CRLF). Parsers disagree on it: to this one
// `From: ceo@bank.test\rFrom: a@evil.test` is one From: field whose address is a@evil.test, and a DKIM signature
// by evil.test makes DMARC pass; a reader that ends lines at a bare CR shows From: ceo@bank.test. DMARC cannot
// vouch for a From: that two parsers read differently, so such a message gets permerror, and a finding says why.
import { finding, type Finding } from '../core/result.js';
import type { ParsedMessage } from './message.js';

interface DmarcLike {
  result: string;
  policy: string | null;
  disposition: string;
  aligned: { spf: boolean; dkim: boolean };
  reason?: string;
}

/** The DMARC verdict, unless the header section has a bare CR: then permerror, nothing aligned, no policy applied. */
export function refuseBareCr<T extends DmarcLike>(dmarc: T, msg: Pick<ParsedMessage, 'bareCr'>): T {
  if (!msg.bareCr.length) return dmarc;
  return {
    ...dmarc,
    result: 'permerror',
    policy: null,
    disposition: 'none',
    aligned: { spf: false, dkim: false },
    reason: `${describe(msg.bareCr)} a bare CR: the From: that DMARC would check is not the one every reader sees (RFC 5322 §2.2)`,
  };
}

export function bareCrFinding(msg: Pick<ParsedMessage, 'bareCr'>): Finding | undefined {
  if (!msg.bareCr.length) return undefined;
  return finding(
    'verify.message.bare-cr',
    'fail',
    `${describe(msg.bareCr)} a bare CR (a CR without LF): a mail reader that ends lines there sees other header fields, such as another From:, than were verified`,
    { ref: 'RFC 5322 §2.2' },
  );
}

function describe(fields: readonly string[]): string {
  const names = [...new Set(fields)];
  const shown = names.slice(0, 5).map((n) => `${n}:`);
  const more = names.length > 5 ? ` and ${names.length - 5} more` : '';
  return `the header field${names.length > 1 ? 's' : ''} ${shown.join(', ')}${more} ${names.length > 1 ? 'hold' : 'holds'}`;
}
