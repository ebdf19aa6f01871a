// One message's verdict: DKIM (every signature), SPF (when the client IP is known), DMARC with alignment,
// ARC, and the Authentication-Results header. Shared by `verify` and `receive`. I/O only through the resolver.
import type { Context } from '../core/context.js';
import type { Finding } from '../core/result.js';
import { addressDomain, decodeHeaderText, parseAddressList } from './address.js';
import { checkArc, type ArcVerdict } from './arc.js';
import { formatAuthenticationResults } from './auth-results.js';
import { refuseBareCr } from './bare-cr.js';
import { verifyDkimSignatures, type DkimSignatureResult } from './dkim/verify.js';
import { evaluateDmarc, isAligned, type DmarcVerdict } from './dmarc.js';
import { verdictFindings } from './findings.js';
import { headerValues, parseMessage, type ParsedMessage } from './message.js';
import { checkSpf, type SpfVerdict } from './spf.js';

export interface VerifyOptions {
  /** The connecting client's IP: SPF is evaluated only when it is known. */
  ip?: string;
  helo?: string;
  /** MAIL FROM; defaults to the message's Return-Path: when an IP is given. */
  sender?: string;
  /** authserv-id of the Authentication-Results header (RFC 8601 §2.5). */
  authservId: string;
  /** A precomputed SPF verdict (receive checks SPF at MAIL FROM time). */
  spf?: SpfVerdict | null;
}

export interface DkimVerdict extends DkimSignatureResult {
  /** d= aligns with the From: domain under the DMARC record's adkim (relaxed without a record). */
  aligned: boolean;
}

export interface MessageVerdict {
  /** The From: address (the first one when there are several), or null. */
  from: string | null;
  subject?: string;
  messageId?: string;
  dkim: DkimVerdict[];
  spf: SpfVerdict | null;
  dmarc: DmarcVerdict;
  arc: ArcVerdict;
  /** DKIM-Signature fields past the per-message cap (MAX_SIGNATURES), not verified; absent when none. */
  dkimNotVerified?: number;
  /** Header fields holding a bare CR (RFC 5322 §2.2); absent when none. DMARC is permerror then. */
  bareCr?: string[];
  authenticationResults: string;
  findings: Finding[];
}

export async function verifyMessage(
  input: Buffer | ParsedMessage,
  opts: VerifyOptions,
  ctx: Pick<Context, 'resolver' | 'now'>,
): Promise<MessageVerdict> {
  const msg = Buffer.isBuffer(input) ? parseMessage(input) : input;
  const fromValues = headerValues(msg, 'from');
  const fromAddresses = fromValues.flatMap((v) => parseAddressList(decodeHeaderText(v))).filter(Boolean);
  const from = fromAddresses[0] ?? null;
  const fromDomain = from ? addressDomain(from) : '';
  const sender = opts.sender ?? (opts.ip ? returnPath(msg) : undefined);
  const [dkimRun, spf, arc] = await Promise.all([
    verifyDkimSignatures(msg, ctx.resolver, ctx.now()),
    opts.spf !== undefined
      ? Promise.resolve(opts.spf)
      : opts.ip
        ? checkSpf({ ip: opts.ip, sender, helo: opts.helo }, ctx.resolver, opts.authservId)
        : Promise.resolve(null),
    checkArc(msg, ctx.resolver),
  ]);
  const dmarc = refuseBareCr(
    await evaluateDmarc(
      { fromAddresses, fromFieldCount: fromValues.length, fromDomain, spf, dkim: dkimRun.results },
      ctx.resolver,
    ),
    msg,
  );
  const aligned = await Promise.all(
    dkimRun.results.map(
      async (d) => !!d.domain && !!fromDomain && (await isAligned(fromDomain, d.domain, dmarc.adkim)),
    ),
  );
  // RFC 6376 §6.1 puts the key before the body hash: where DMARC fails and an aligned signature's body hash did not
  // verify, its key (looked up now, within the per-message cap) decides between fail, permerror and temperror.
  const dkim = dkimRun.bodyHashFailed
    ? await dkimRun.keyFirst((_, i) => dmarc.result === 'fail' && aligned[i]!)
    : dkimRun.results;
  const withAlignment: DkimVerdict[] = dkim.map((d, i) => ({ ...d, aligned: aligned[i]! }));
  const subject = headerValues(msg, 'subject')[0];
  const messageId = headerValues(msg, 'message-id')[0];
  const base: Omit<MessageVerdict, 'authenticationResults' | 'findings'> = {
    from: from ?? (fromValues[0] !== undefined ? decodeHeaderText(fromValues[0]) || null : null),
    ...(subject !== undefined ? { subject: decodeHeaderText(subject) } : {}),
    ...(messageId !== undefined ? { messageId } : {}),
    dkim: withAlignment,
    spf,
    dmarc,
    arc,
  };
  if (dkimRun.notVerified) base.dkimNotVerified = dkimRun.notVerified;
  if (msg.bareCr.length) base.bareCr = msg.bareCr;
  return {
    ...base,
    authenticationResults: formatAuthenticationResults({ authservId: opts.authservId, dkim, spf, dmarc, arc }),
    findings: verdictFindings(base),
  };
}

/** The MAIL FROM a delivering MTA recorded (RFC 5321 §4.4): the topmost Return-Path:. */
function returnPath(msg: ParsedMessage): string | undefined {
  const v = headerValues(msg, 'return-path')[0];
  if (v === undefined) return undefined;
  return v.replace(/^<|>$/g, '').trim();
}
