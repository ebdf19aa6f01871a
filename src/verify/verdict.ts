// One message's verdict: DKIM (every signature), SPF (when the client IP is known), DMARC with alignment,
// ARC, and the Authentication-Results header. Shared by `verify` and `receive`. I/O only through the resolver.
import type { Context } from '../core/context.js';
import type { Every } from '../core/object.js';
import { decodeHeaderText, fromAuthors } from './address.js';
import { checkArc } from './arc.js';
import { formatAuthenticationResults } from './auth-results.js';
import { refuseBareCr } from './bare-cr.js';
import { verifyDkimSignatures } from './dkim/verify.js';
import { evaluateDmarc } from './dmarc.js';
import { verdictFindings } from './findings.js';
import { fieldValue, headerValues, parseMessage, type ParsedMessage } from './message.js';
import { readOwnReceived } from './received-trace.js';
import { lookupConnection, type ConnectionLookups } from './requirements/connection.js';
import { judgeRequirements } from './requirements/judge.js';
import type { ConnectionFacts } from './requirements/types.js';
import { checkSpf, type SpfVerdict } from './spf.js';
import type { DkimVerdict, MessageVerdict } from './types.js';

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
  /** What the receiver saw of the connection. Without it, our own topmost Received: says (src/verify/received-trace.ts). */
  connection?: ConnectionFacts;
  /** Judge the sender requirements by the bulk-sender rules (otherwise those are advice). */
  bulk?: boolean;
  /** The connection's DNS facts when the caller has them already (receive: once per session, not per message). */
  lookups?: ConnectionLookups;
  /** The bytes as they arrived, when the message is given parsed (the format rule judges their line ends). */
  arrived?: Buffer;
}

const NO_LOOKUPS = { client: null, helo: null } as const;

export async function verifyMessage(
  input: Buffer | ParsedMessage,
  opts: VerifyOptions,
  ctx: Pick<Context, 'resolver' | 'now'>,
): Promise<MessageVerdict> {
  const msg = Buffer.isBuffer(input) ? parseMessage(input) : input;
  // From:, Subject: and Message-ID: in one walk over the fields (the first Subject: and Message-ID:).
  const fromValues: string[] = [];
  let subject: string | undefined;
  let messageId: string | undefined;
  for (let k = 0; k < msg.headers.length; k++) {
    const h = msg.headers[k]!;
    if (h.key === 'from') fromValues.push(fieldValue(h));
    else if (h.key === 'subject') subject ??= fieldValue(h);
    else if (h.key === 'message-id') messageId ??= fieldValue(h);
  }
  const authors = fromAuthors(fromValues);
  const fromAddresses = authors.addresses;
  const from = fromAddresses[0] ?? null;
  const connection = opts.connection ?? connectionOf(msg, opts);
  const ip = connection?.ip;
  const sender = opts.sender ?? (ip ? returnPath(msg) : undefined);
  // The connection's DNS facts (FCrDNS, HELO) are looked up while DKIM and SPF run; no connection, nothing to wait for.
  const lookups = opts.lookups ?? (connection ? lookupConnection(connection, ctx.resolver) : undefined);
  // SPF as receive computed it at MAIL FROM, or for the client IP when it is known, or not at all.
  let spfVerdict: Promise<SpfVerdict | null> = Promise.resolve(opts.spf ?? null);
  if (opts.spf === undefined && ip)
    spfVerdict = checkSpf({ ip, sender, helo: connection.helo }, ctx.resolver, opts.authservId);
  const [dkimRun, spf, arc] = await Promise.all([
    verifyDkimSignatures(msg, ctx.resolver, ctx.now()),
    spfVerdict,
    checkArc(msg, ctx.resolver),
  ]);
  const evaluated = await evaluateDmarc(
    { fromAddresses, fromDomains: authors.domains, fromFieldCount: fromValues.length, spf, dkim: dkimRun.results },
    ctx.resolver,
  );
  const dmarc = refuseBareCr(evaluated.verdict, msg);
  const aligned = evaluated.dkimAligned;
  // RFC 6376 §6.1 puts the key before the body hash: where DMARC fails and an aligned signature's body hash did not
  // verify, its key (looked up now, within the per-message cap) decides between fail, permerror and temperror.
  const dkim = dkimRun.bodyHashFailed
    ? await dkimRun.keyFirst((_, i) => dmarc.result === 'fail' && aligned[i]!)
    : dkimRun.results;
  // Each result gets its alignment in place (they are this message's own objects): a copy per signature with a
  // spread cost ~5 µs a message in V8's interpreter.
  const withAlignment = dkim as DkimVerdict[];
  for (let i = 0; i < withAlignment.length; i++) withAlignment[i]!.aligned = aligned[i]!;
  const raw = Buffer.isBuffer(input) ? input : (opts.arrived ?? msg.bytes);
  const judged = judgeRequirements({
    msg,
    raw,
    dkim,
    spf,
    dmarc,
    arc,
    connection,
    lookups: lookups ? await lookups : NO_LOOKUPS,
    bulk: !!opts.bulk,
  });
  // One literal with every key, in the order JSON shows them, none spread in: one shape for every verdict, which
  // V8's interpreter (where short verify runs stay) builds, reads and copies cheaply — spreads into a literal cost
  // a runtime call a key (~6 µs a message). Keys left undefined are absent from JSON.
  const verdict: Every<MessageVerdict> = {
    from: from ?? (fromValues[0] !== undefined ? decodeHeaderText(fromValues[0]) || null : null),
    subject: subject === undefined ? undefined : decodeHeaderText(subject),
    messageId,
    dkim: withAlignment,
    spf,
    dmarc,
    arc,
    dkimNotVerified: dkimRun.notVerified || undefined,
    bareCr: msg.bareCr.length ? msg.bareCr : undefined,
    authenticationResults: formatAuthenticationResults({ authservId: opts.authservId, dkim, spf, dmarc, arc }),
    findings: [],
    connection,
    requirements: judged.requirements,
    requirementsVerdict: judged.requirementsVerdict,
  };
  verdict.findings = verdictFindings(verdict);
  return verdict;
}

/**
 * verify's view of the connection: --ip/--helo when given; otherwise our own topmost Received: field (written by
 * `mailcheck receive` under the name we answer as). TLS is only ever known from that field.
 */
function connectionOf(msg: ParsedMessage, opts: VerifyOptions): ConnectionFacts | null {
  const trace = readOwnReceived(msg, opts.authservId);
  let c: ConnectionFacts;
  if (opts.ip) {
    c = { source: 'options', ip: opts.ip, tls: null };
    if (opts.helo) c.helo = opts.helo;
  } else if (trace) {
    c = { source: 'received', ip: trace.ip, tls: null, by: trace.by };
    if (trace.helo) c.helo = trace.helo;
  } else {
    return null;
  }
  if (trace) {
    c.tls = trace.tls;
    if (trace.tlsProtocol) {
      c.tlsProtocol = trace.tlsProtocol;
      c.cipher = trace.cipher;
    }
  }
  return c;
}

/** The MAIL FROM a delivering MTA recorded (RFC 5321 §4.4): the topmost Return-Path:. */
function returnPath(msg: ParsedMessage): string | undefined {
  const v = headerValues(msg, 'return-path')[0];
  if (v === undefined) return undefined;
  return v.replace(/^<|>$/g, '').trim();
}
