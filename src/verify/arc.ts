// ARC chain validation (RFC 8617 §5.2) through mailauth, with our resolver. Only run when the message carries ARC
// sets: the common unsigned case costs nothing. The tag lists are checked first with our own parser (arc-syntax.ts),
// and mailauth verifies the ARC sets only: its dkimVerify() would also verify every DKIM-Signature again — every
// body hash, one key query each, no cap — which our verifier has already done within its bounds.
import { toMailauthResolver } from '../dns/adapters/mailauth.js';
import type { Resolver } from '../dns/types.js';
import { arcSyntaxError } from './arc-syntax.js';
import { BodyHashes, type BodyHashRequest } from './dkim/body-hash.js';
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
    const verifier = new ArcSetsVerifier({ resolver: r }, msg.body);
    // The header section only: the body hashes come from our canonicalization (below), not mailauth's.
    await writeToStream(verifier, msg.bytes.subarray(0, msg.bytes.length - msg.body.length));
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

type MessageHeaders = import('mailauth/lib/dkim/dkim-verifier.js').MessageHeaders;

type MailauthArc = {
  ArcSetsVerifier: new (
    opts: { resolver: never },
    body: Buffer,
  ) => InstanceType<typeof import('mailauth/lib/dkim/dkim-verifier.js').DkimVerifier>;
  writeToStream: typeof import('mailauth/lib/tools.js').writeToStream;
  arc: typeof import('mailauth/lib/arc/index.js').arc;
};
let loaded: Promise<MailauthArc> | undefined;

/** mailauth's body hash key, `<canon>:<hash>:<l= or ''>`, as a request to BodyHashes. */
function bodyHashRequest(key: string): BodyHashRequest {
  const [canon, hash, limit] = key.split(':');
  return {
    canon: canon === 'simple' ? 'simple' : 'relaxed',
    hash: hash === 'sha1' ? 'sha1' : 'sha256',
    limit: limit ? Number(limit) : undefined,
  };
}

/** What mailauth's finalChunk() reads from a body hasher, for a hash already made. */
function finishedHasher(digest: Buffer) {
  return {
    update() {},
    setContentType() {},
    digest: () => digest.toString('base64'),
    getMimeStructureStart: () => undefined,
  };
}

/** mailauth's verifier, narrowed to the newest ARC set's AMS and the seals (loaded on the first ARC message). */
function mailauthArc(): Promise<MailauthArc> {
  loaded ??= (async () => {
    const [{ DkimVerifier }, { writeToStream }, { arc }] = await Promise.all([
      import('mailauth/lib/dkim/dkim-verifier.js'),
      import('mailauth/lib/tools.js'),
      import('mailauth/lib/arc/index.js'),
    ]);
    class ArcSetsVerifier extends DkimVerifier {
      constructor(
        options: { resolver: never },
        private readonly body: Buffer,
      ) {
        super(options);
      }

      override async messageHeaders(headers: MessageHeaders): Promise<void> {
        // The DKIM-Signature fields are ours to verify: hidden while mailauth reads the header section (it would
        // parse each and set up its body hash), back in place for the AMS, whose h= may name them.
        const all = headers.parsed;
        headers.parsed = all.filter((h) => h.key !== 'dkim-signature');
        try {
          await super.messageHeaders(headers);
        } finally {
          headers.parsed = all;
        }
        // mailauth 4.13.3 console.log()s when an l= does not match the bytes hashed, onto our stdout (NDJSON).
        for (const s of this.signatureHeaders)
          if (typeof s.maxBodyLength === 'number') s.maxBodyLength = String(s.maxBodyLength);
        // Its body hasher buffers a line whole and re-copies it for every 64 KB that arrives: a 24 MB body on one
        // line took it 5 minutes. The ARC body hashes (RFC 8617 §4.1.2: as DKIM's) come from BodyHashes instead,
        // one pass for all of them, handed over as finished hashers; mailauth never sees the body.
        const keys = [...this.bodyHashes.keys()];
        const requests = keys.map(bodyHashRequest);
        const hashes = new BodyHashes(this.body, requests);
        keys.forEach((key, i) => this.bodyHashes.set(key, finishedHasher(hashes.get(requests[i]!).digest)));
      }
    }
    return { ArcSetsVerifier, writeToStream, arc };
  })();
  return loaded;
}
