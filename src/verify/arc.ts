// ARC chain validation (RFC 8617 §5.2) through mailauth, with our resolver. Only run when the message
// carries ARC sets: the common unsigned case costs nothing. The tag lists are checked first with our own parser
// (arc-syntax.ts): mailauth's is lenient.
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
  const [{ dkimVerify }, { arc }] = await Promise.all([
    import('mailauth/lib/dkim/verify.js'),
    import('mailauth/lib/arc/index.js'),
  ]);
  const r = toMailauthResolver(resolver) as never;
  try {
    const dk = await dkimVerify(msg.bytes, { resolver: r });
    const res = await arc((dk as unknown as { arc: never }).arc, { resolver: r });
    const status = res.status as { result?: string; comment?: string };
    const result = status.result === 'pass' ? 'pass' : status.result === 'none' ? 'none' : 'fail';
    return {
      result,
      ...(typeof res.i === 'number' ? { instance: res.i } : {}),
      ...(result !== 'pass' && status.comment ? { reason: status.comment } : {}),
    };
  } catch (e) {
    return { result: 'fail', reason: `ARC chain could not be validated: ${(e as Error).message}` };
  }
}
