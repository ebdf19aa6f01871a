// ARC chain validation (RFC 8617 §5.2) through mailauth, with our resolver. Only run when the message carries ARC
// sets: the common unsigned case costs nothing. The tag lists are checked first with our own parser (arc-syntax.ts),
// and mailauth verifies the ARC sets only: its dkimVerify() would also verify every DKIM-Signature again — every
// body hash, one key query each, no cap — which our verifier has already done within its bounds.
import { toMailauthResolver } from '../dns/adapters/mailauth.js';
import type { Resolver } from '../dns/types.js';
import { arcSyntaxError } from './arc-syntax.js';
import type { ParsedMessage } from './message.js';

export interface ArcVerdict {
  /** RFC 8617 §4.4 chain validation status. */
  result: 'none' | 'pass' | 'fail';
  /** Highest instance (i=) in the chain. */
  instance?: number;
  reason?: string;
}

export async function checkArc(msg: ParsedMessage, resolver: Resolver): Promise<ArcVerdict> {
  if (!msg.headers.some((h) => h.key === 'arc-seal' || h.key === 'arc-message-signature')) return { result: 'none' };
  const malformed = arcSyntaxError(msg.headers);
  if (malformed) return { result: 'fail', reason: malformed };
  const { ArcSetsVerifier, writeToStream, arc } = await mailauthArc();
  const r = toMailauthResolver(resolver) as never;
  try {
    const verifier = new ArcSetsVerifier({ resolver: r });
    await writeToStream(verifier, msg.bytes);
    const res = await arc(verifier.arc as never, { resolver: r });
    const status = res.status as { result?: string; comment?: string };
    let result: ArcVerdict['result'] = 'fail';
    if (status.result === 'pass' || status.result === 'none') result = status.result;
    const out: ArcVerdict = { result };
    if (typeof res.i === 'number') out.instance = res.i;
    if (result !== 'pass' && status.comment) out.reason = status.comment;
    return out;
  } catch (e) {
    return { result: 'fail', reason: `ARC chain could not be validated: ${(e as Error).message}` };
  }
}

type MailauthArc = {
  ArcSetsVerifier: new (opts: {
    resolver: never;
  }) => InstanceType<typeof import('mailauth/lib/dkim/dkim-verifier.js').DkimVerifier>;
  writeToStream: typeof import('mailauth/lib/tools.js').writeToStream;
  arc: typeof import('mailauth/lib/arc/index.js').arc;
};
let loaded: Promise<MailauthArc> | undefined;

/** mailauth's verifier, narrowed to the newest ARC set's AMS and the seals (loaded on the first ARC message). */
function mailauthArc(): Promise<MailauthArc> {
  loaded ??= (async () => {
    const [{ DkimVerifier }, { writeToStream }, { arc }] = await Promise.all([
      import('mailauth/lib/dkim/dkim-verifier.js'),
      import('mailauth/lib/tools.js'),
      import('mailauth/lib/arc/index.js'),
    ]);
    class ArcSetsVerifier extends DkimVerifier {
      override async messageHeaders(headers: unknown): Promise<void> {
        await super.messageHeaders(headers);
        // The DKIM-Signature fields are ours to verify; keep the ARC ones, and only the body hashes they need
        // (no body byte has been read yet: the hashers are fed after the headers).
        this.signatureHeaders = this.signatureHeaders.filter((s) => s.type !== 'DKIM');
        const needed = new Set(this.signatureHeaders.map((s) => s.bodyHashKey));
        for (const key of [...this.bodyHashes.keys()]) if (!needed.has(key)) this.bodyHashes.delete(key);
        // mailauth 4.13.3 console.log()s when an l= does not match the bytes hashed, onto our stdout (NDJSON).
        for (const s of this.signatureHeaders)
          if (typeof s.maxBodyLength === 'number') s.maxBodyLength = String(s.maxBodyLength);
      }
    }
    return { ArcSetsVerifier, writeToStream, arc };
  })();
  return loaded;
}
