// The result of `checkDkim` (the JSON of `mailcheck dkim` and `check`'s checks.dkim): each selector asked and
// what its key record holds.
import type { Step } from '../../core/result.js';
import type { LookupStatus } from '../../dns/types.js';
import type { DkimFinding } from './lint.js';
import type { MessageSignature } from './message-selectors.js';
import type { DkimKeyFormat } from './public-key.js';
import type { ProviderGuess } from './selectors.js';

export type SelectorSource = 'explicit' | 'message' | 'provider' | 'common';

export interface DkimSelectorResult {
  selector: string;
  /** The name asked: <selector>._domainkey.<domain>. */
  name: string;
  source: SelectorSource;
  found: boolean;
  /** The DKIM record text (TXT strings joined), or the TXT found there when it is not a DKIM key. */
  record: string | null;
  keyType: 'rsa' | 'ed25519' | null;
  keyBits: number | null;
  testing: boolean;
  revoked: boolean;
  strict: boolean;
  keyFormat: DkimKeyFormat | null;
  /** Outcome of the TXT lookup: 'ok', 'nxdomain', 'nodata', or a temporary status. */
  lookup: LookupStatus;
  /** CNAMEs followed (a provider delegation: selector1._domainkey → …onmicrosoft.com). */
  cnames: string[];
  /** Where the CNAME chain ends: the name that holds the key. */
  delegatedTo?: string | null;
  /** Every TXT record at the name, joined, when there is more than the one shown. */
  records?: string[];
  /** With --key: does the private key belong to this published key? */
  keyMatch?: boolean;
}

export interface DkimResult {
  kind: 'dkim';
  domain: string;
  selectors: DkimSelectorResult[];
  findings: DkimFinding[];
  steps: Step[];
  /** True when no selector was named and the common list (plus provider guesses) was probed. */
  guessed: boolean;
  providers: ProviderGuess[];
  /** DKIM-Signature headers of --from-message. */
  messageSignatures?: MessageSignature[];
  keyFile?: { path: string; type: 'rsa' | 'ed25519'; bits: number; matches: string[] };
  /** When no guessed selector had a key: the answer for _domainkey.<domain> (NOERROR: keys under another selector). */
  domainkey?: LookupStatus;
}
