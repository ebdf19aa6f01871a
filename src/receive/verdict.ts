// A received message's verdict: verify's checks (DKIM, DMARC, ARC) with the SPF result computed at MAIL FROM
// time, and the compact `auth` object of the receive contract. A message too broken to parse is still stored
// (a receiver does not judge well-formedness), with a verdict that says so.
import type { Context } from '../core/context.js';
import { finding } from '../core/result.js';
import { formatAuthenticationResults } from '../verify/auth-results.js';
import { MessageFormatError, type ParsedMessage } from '../verify/message.js';
import { lookupConnection, type ConnectionLookups } from '../verify/requirements/connection.js';
import { judgeRequirements } from '../verify/requirements/judge.js';
import type { ConnectionFacts } from '../verify/requirements/types.js';
import type { SpfVerdict } from '../verify/spf.js';
import type { MessageVerdict } from '../verify/types.js';
import { verifyMessage } from '../verify/verdict.js';

export interface ReceiveAuth {
  spf: { result: string; domain: string; helo?: { result: string; domain: string } };
  dkim: {
    result: string;
    domain: string | null;
    selector: string | null;
    algorithm: string | null;
    aligned: boolean;
  }[];
  dmarc: { result: string; policy: string | null; aligned: { spf: boolean; dkim: boolean } };
  arc: { result: string };
}

export interface ReceiveVerdictInput {
  raw: Buffer;
  /** `raw` parsed already (verify-threads.ts does, to see whether it is signed). */
  parsed?: ParsedMessage;
  authservId: string;
  spf: SpfVerdict;
  heloSpf?: SpfVerdict;
  /** What this session saw (IP, HELO, TLS, the client's name): never the message's own Received: fields. */
  connection: ConnectionFacts;
  /** Judge the sender requirements by the bulk-sender rules (receive --bulk). */
  bulk?: boolean;
  /** The connection's DNS facts (FCrDNS, HELO), looked up once per session; otherwise looked up here. */
  lookups?: ConnectionLookups;
}

export async function receivedVerdict(
  input: ReceiveVerdictInput,
  ctx: Pick<Context, 'resolver' | 'now'>,
): Promise<MessageVerdict> {
  try {
    return await verifyMessage(
      input.parsed ?? input.raw,
      {
        arrived: input.raw,
        authservId: input.authservId,
        ip: input.spf.ip,
        spf: input.spf,
        connection: input.connection,
        bulk: !!input.bulk,
        lookups: input.lookups,
      },
      ctx,
    );
  } catch (e) {
    if (!(e instanceof MessageFormatError)) throw e;
    const base = {
      from: null,
      dkim: [
        {
          result: 'none' as const,
          domain: null,
          selector: null,
          algorithm: null,
          aligned: false,
          reason: 'message could not be parsed',
        },
      ],
      spf: input.spf,
      dmarc: {
        result: 'permerror' as const,
        policy: null,
        aligned: { spf: false, dkim: false },
        domain: null,
        recordDomain: null,
        record: null,
        adkim: 'r' as const,
        aspf: 'r' as const,
        pct: 100,
        disposition: 'none' as const,
        reason: `not an RFC 5322 message: ${e.message}`,
      },
      arc: { result: 'none' as const },
    };
    const judged = judgeRequirements({
      msg: null,
      raw: input.raw,
      parseError: e.message,
      ...base,
      connection: input.connection,
      lookups: input.lookups ?? (await lookupConnection(input.connection, ctx.resolver)),
      bulk: !!input.bulk,
    });
    return {
      ...base,
      connection: input.connection,
      ...judged,
      authenticationResults: formatAuthenticationResults({ authservId: input.authservId, ...base }),
      findings: [
        finding('receive.message.malformed', 'warn', `the message is not RFC 5322: ${e.message}`, {
          ref: 'RFC 5322 §2.2',
        }),
      ],
    };
  }
}

export function toReceiveAuth(v: MessageVerdict, heloSpf?: SpfVerdict): ReceiveAuth {
  // Built directly, once a message: no copy for absent keys, no closure per signature.
  const spf: ReceiveAuth['spf'] = { result: v.spf?.result ?? 'none', domain: v.spf?.domain ?? '' };
  if (heloSpf) spf.helo = { result: heloSpf.result, domain: heloSpf.domain };
  const dkim: ReceiveAuth['dkim'] = [];
  for (let k = 0; k < v.dkim.length; k++) {
    const d = v.dkim[k]!;
    dkim.push({ result: d.result, domain: d.domain, selector: d.selector, algorithm: d.algorithm, aligned: d.aligned });
  }
  return {
    spf,
    dkim,
    dmarc: { result: v.dmarc.result, policy: v.dmarc.policy, aligned: v.dmarc.aligned },
    arc: { result: v.arc.result },
  };
}
