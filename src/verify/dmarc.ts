// DMARC for `verify` and `receive`: the one implementation in src/auth/dmarc (RFC 9989 policy discovery by tree
// walk, alignment, p/sp/np and t=; the RFC 7489 outcome beside it when it differs), given this message's From:.
import { evaluateMessageDmarc, type DmarcEvaluation } from '../auth/dmarc/evaluate.js';
import type { Resolver } from '../dns/types.js';
import { addressDomain } from './address.js';
import type { DkimSignatureResult } from './dkim/verify.js';
import type { SpfVerdict } from './spf.js';

export type { DmarcResultValue, DmarcVerdict, DmarcAuthorVerdict, DmarcOutcome } from '../auth/dmarc/evaluate.js';
export type { DmarcPolicy } from '../auth/dmarc/record.js';

export interface DmarcInput {
  /** Addresses in the From: field(s): one field, and one author domain or several (RFC 7489 §6.6.1). */
  fromAddresses: readonly string[];
  /** The domain of each address, when the caller has them (addressDomain of each otherwise). */
  fromDomains?: readonly string[];
  fromFieldCount: number;
  spf: SpfVerdict | null;
  dkim: readonly DkimSignatureResult[];
}

export function evaluateDmarc(input: DmarcInput, resolver: Resolver): Promise<DmarcEvaluation> {
  const { fromAddresses, fromFieldCount, spf, dkim } = input;
  return evaluateMessageDmarc(
    { fromAddresses, fromDomains: input.fromDomains ?? fromAddresses.map(addressDomain), fromFieldCount, spf, dkim },
    resolver,
  );
}

/** The identifiers a DMARC pass aligned: 'DKIM and SPF', 'DKIM', 'SPF' ('' for none). */
export function alignedWith(a: { dkim: boolean; spf: boolean }): string {
  if (a.dkim && a.spf) return 'DKIM and SPF';
  if (a.dkim) return 'DKIM';
  return a.spf ? 'SPF' : '';
}
