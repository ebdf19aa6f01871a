// The bulk-sender verdict: a message judged as Gmail and Yahoo say they judge mail since February 2024.
// Sources: Google, "Email sender guidelines" (https://support.google.com/a/answer/81126: requirements for all
// senders, and for those sending 5,000 or more messages a day to Gmail), and Yahoo, "Sender Best Practices"
// (https://senders.yahooinc.com/best-practices/: all senders, and bulk senders). Only what one message and its
// connection can show is judged; spam rates, honouring unsubscribes and a visible unsubscribe link are not.
import type { ArcVerdict } from '../arc.js';
import type { DkimSignatureResult } from '../dkim/verify.js';
import { alignedWith, type DmarcVerdict } from '../dmarc.js';
import type { ParsedMessage } from '../message.js';
import type { SpfVerdict } from '../spf.js';
import type { ConnectionLookups } from './connection.js';
import { formatProblems } from './format.js';
import { mailboxProvider } from './providers.js';
import type { ConnectionFacts, Requirement, RequirementScope, RequirementsVerdict } from './types.js';
import { judgeOneClick } from './unsubscribe.js';

export interface RequirementsInput {
  /** null when the message could not be parsed at all (receive stores it anyway). */
  msg: ParsedMessage | null;
  /** The message as it arrived, before line ends were normalised. */
  raw: Buffer;
  parseError?: string;
  dkim: readonly DkimSignatureResult[];
  spf: SpfVerdict | null;
  dmarc: DmarcVerdict;
  arc: ArcVerdict;
  connection: ConnectionFacts | null;
  lookups: ConnectionLookups;
  /** Judge by the bulk-sender rules (--bulk); otherwise they are advice. */
  bulk: boolean;
}

export interface RequirementsOutcome {
  requirements: Requirement[];
  requirementsVerdict: RequirementsVerdict;
}

const ALL = 'Gmail, Yahoo: all senders';
const BULK = 'Gmail, Yahoo: bulk senders';

/** What a rule's judge says; the id, scope and source are the rule's own (RULES). */
type Judged = Omit<Requirement, 'id' | 'scope' | 'advisory' | 'ref'>;

interface Rule {
  id: string;
  scope: RequirementScope;
  ref: string;
  judge: (i: RequirementsInput, f: AuthFacts) => Judged;
}

/** What several rules ask of the same results, worked out once a message. */
interface AuthFacts {
  dkimPass: boolean;
  dkimTemp: boolean;
  spfPass: boolean;
  spfTemp: boolean;
  dkim: string;
  spf: string;
  /** The connection's rules: FCrDNS, HELO, TLS (connectionJudged). */
  connection: readonly Judged[];
}

function authFacts(i: RequirementsInput): AuthFacts {
  let passed = '';
  let dkimTemp = false;
  for (let k = 0; k < i.dkim.length; k++) {
    const d = i.dkim[k]!;
    if (d.result === 'pass') passed += passed ? `, d=${d.domain}` : `d=${d.domain}`;
    else if (d.result === 'temperror') dkimTemp = true;
  }
  let dkim: string;
  if (passed) dkim = `DKIM pass (${passed})`;
  else if (i.dkim.length === 1 && i.dkim[0]!.result === 'none') dkim = 'no DKIM signature';
  else dkim = `DKIM ${[...new Set(i.dkim.map((d) => d.result))].join('/')}`;
  let spf = 'SPF not checked (client IP unknown)';
  if (i.spf) spf = `SPF ${i.spf.result}${i.spf.domain ? ` for ${i.spf.domain}` : ''}`;
  return {
    dkimPass: passed !== '',
    dkimTemp,
    spfPass: i.spf?.result === 'pass',
    spfTemp: i.spf?.result === 'temperror',
    dkim,
    spf,
    connection: connectionJudged(i),
  };
}

/** The facts the connection's rules read, and what they judged from them. */
interface ConnectionJudged {
  ip: string | undefined;
  tls: boolean | null | undefined;
  tlsProtocol: string | undefined;
  cipher: string | undefined;
  source: ConnectionFacts['source'] | undefined;
  by: string | undefined;
  helo: ConnectionLookups['helo'];
  judged: readonly Judged[];
}

/**
 * Per client-name lookup (receive makes one a connection): a client that sends many messages over one connection
 * gets the same three verdicts, judged once — if every fact they read is the same. Judged objects are shared, so
 * they are never changed after they are made (the loop copies them into each message's Requirement).
 */
const connectionVerdicts = new WeakMap<object, ConnectionJudged>();

function connectionJudged(i: RequirementsInput): readonly Judged[] {
  const client = i.lookups.client;
  const c = i.connection;
  const known = client ? connectionVerdicts.get(client) : undefined;
  if (
    known &&
    known.helo === i.lookups.helo &&
    known.ip === c?.ip &&
    known.tls === c?.tls &&
    known.tlsProtocol === c?.tlsProtocol &&
    known.cipher === c?.cipher &&
    known.source === c?.source &&
    known.by === c?.by
  )
    return known.judged;
  const judged = [fcrdnsOf(i), heloOf(i), tlsOf(i)];
  if (client)
    connectionVerdicts.set(client, {
      ip: c?.ip,
      tls: c?.tls,
      tlsProtocol: c?.tlsProtocol,
      cipher: c?.cipher,
      source: c?.source,
      by: c?.by,
      helo: i.lookups.helo,
      judged,
    });
  return judged;
}

// Objects and an indexed loop, not tuples destructured: short verify runs go without V8's optimizing compiler
// (src/verify/pool.ts), where each array destructuring walks the iterator protocol (measured: ~25 µs a message).
const RULES: readonly Rule[] = [
  { id: 'auth.spf-or-dkim', scope: 'all', ref: `${ALL}; RFC 7208, RFC 6376`, judge: spfOrDkim },
  { id: 'auth.spf-and-dkim', scope: 'bulk', ref: `${BULK}; RFC 7208, RFC 6376`, judge: spfAndDkim },
  { id: 'dmarc.record', scope: 'bulk', ref: `${BULK}; RFC 7489 §6.3`, judge: dmarcRecord },
  { id: 'dmarc.alignment', scope: 'bulk', ref: `${BULK}; RFC 7489 §3.1`, judge: dmarcAlignment },
  { id: 'dns.fcrdns', scope: 'all', ref: `${ALL}; RFC 8601 §3 (iprev)`, judge: fcrdns },
  { id: 'dns.helo', scope: 'all', ref: `${ALL}; RFC 5321 §4.1.1.1`, judge: helo },
  { id: 'transport.tls', scope: 'all', ref: 'Gmail: all senders; RFC 3207', judge: tls },
  { id: 'format.rfc5322', scope: 'all', ref: `${ALL}; RFC 5322`, judge: format },
  { id: 'unsubscribe.one-click', scope: 'bulk', ref: `${BULK}; RFC 8058`, judge: oneClick },
  { id: 'arc.forwarded', scope: 'all', ref: 'Gmail: all senders who forward; RFC 8617', judge: arc },
  { id: 'from.impersonation', scope: 'all', ref: 'Gmail: all senders; RFC 7489', judge: impersonation },
];

const RULE_BY_ID = new Map(RULES.map((r) => [r.id, r]));

/** A requirement's scope and source, which are its rule's (for results that travel without them). */
export function ruleOf(id: string): { scope: RequirementScope; ref: string } | undefined {
  return RULE_BY_ID.get(id);
}

export function judgeRequirements(input: RequirementsInput): RequirementsOutcome {
  const requirements: Requirement[] = [];
  const facts = authFacts(input);
  for (let k = 0; k < RULES.length; k++) {
    const rule = RULES[k]!;
    const j = rule.judge(input, facts);
    // One literal of the final shape (adding properties to the judged object later costs a shape change each).
    const r: Requirement = {
      id: rule.id,
      result: j.result,
      reason: j.reason,
      scope: rule.scope,
      advisory: rule.scope === 'bulk' && !input.bulk,
      ref: rule.ref,
    };
    if (j.temporary) r.temporary = true;
    if (j.problems) r.problems = j.problems;
    requirements.push(r);
  }
  return { requirements, requirementsVerdict: summarize(requirements, input.bulk) };
}

export function summarize(requirements: readonly Requirement[], bulk: boolean): RequirementsVerdict {
  const failed: string[] = [];
  const advice: string[] = [];
  let definite = false;
  for (let k = 0; k < requirements.length; k++) {
    const r = requirements[k]!;
    if (r.result !== 'fail') continue;
    if (r.advisory) advice.push(r.id);
    else {
      failed.push(r.id);
      if (!r.temporary) definite = true;
    }
  }
  let result: RequirementsVerdict['result'] = 'pass';
  if (definite) result = 'fail';
  else if (failed.length) result = 'temperror';
  return { profile: bulk ? 'bulk' : 'all', result, failed, advice };
}

const pass = (reason: string): Judged => ({ result: 'pass', reason });
function fail(reason: string, temporary = false): Judged {
  const j: Judged = { result: 'fail', reason };
  if (temporary) j.temporary = true;
  return j;
}
const na = (reason: string): Judged => ({ result: 'not-applicable', reason });

function spfOrDkim(i: RequirementsInput, f: AuthFacts): Judged {
  if (f.spfPass && f.dkimPass) return pass(`${f.spf}, ${f.dkim}`);
  if (f.spfPass) return pass(f.spf);
  if (f.dkimPass) return pass(f.dkim);
  if (f.spfTemp || f.dkimTemp) return fail(`no verdict: ${f.spf}, ${f.dkim}`, true);
  if (!i.spf) return na(`${f.dkim}; SPF not checked (client IP unknown)`);
  return fail(`neither passed: ${f.spf}, ${f.dkim}`);
}

function spfAndDkim(i: RequirementsInput, f: AuthFacts): Judged {
  if (f.dkimPass && f.spfPass) return pass(`${f.spf}, ${f.dkim}`);
  const dkimTemp = !f.dkimPass && f.dkimTemp;
  // A definite failure of one is a verdict whatever the other would say.
  if ((!f.dkimPass && !dkimTemp) || (i.spf && !f.spfPass && !f.spfTemp))
    return fail(`both must pass: ${f.spf}, ${f.dkim}`);
  if (dkimTemp || f.spfTemp) return fail(`no verdict: ${f.spf}, ${f.dkim}`, true);
  return na(`${f.dkim}; SPF not checked (client IP unknown)`);
}

function dmarcRecord(i: RequirementsInput): Judged {
  const dm = i.dmarc;
  // A record that receivers act on: one they ignore (an invalid p=, sp= or np= and no valid rua=, RFC 9989
  // §4.10.1) is as good as none, whatever it looks like.
  if (dm.record && dm.policy === null && dm.result === 'none')
    return fail(dm.reason ?? `receivers ignore the record at _dmarc.${dm.recordDomain}`);
  if (dm.record) return pass(`p=${dm.policy ?? 'none'} published at _dmarc.${dm.recordDomain}`);
  if (dm.result === 'temperror') return fail(`no verdict: ${dm.reason ?? 'the DMARC lookup failed'}`, true);
  if (!dm.domain) return fail(`no single From: domain to look the record up for (${dm.reason ?? 'no From:'})`);
  return fail(dm.reason ?? `${dm.domain} publishes no DMARC record (p=none at least is asked)`);
}

function dmarcAlignment(i: RequirementsInput, f: AuthFacts): Judged {
  const dm = i.dmarc;
  if (dm.aligned.dkim || dm.aligned.spf) return pass(`From: ${dm.domain} aligned with ${alignedWith(dm.aligned)}`);
  // Gmail: alignment is asked of direct mail; forwarded mail shows who forwarded it with ARC instead.
  if (i.arc.result === 'pass') return na('forwarded mail with a valid ARC chain: alignment is asked of direct mail');
  if (dm.result === 'temperror') return fail(`no verdict: ${dm.reason ?? 'a DNS lookup failed'}`, true);
  if (!dm.domain) return fail(`no single From: domain to align with (${dm.reason ?? 'no From:'})`);
  if (f.dkimTemp || f.spfTemp) return fail(`no verdict for ${dm.domain}: a DKIM or SPF lookup failed`, true);
  if (!i.spf) return na(`no aligned DKIM signature; SPF not checked (client IP unknown)`);
  return fail(`nothing aligned with From: ${dm.domain}: ${f.spf}, ${f.dkim}`);
}

function fcrdns(_: RequirementsInput, f: AuthFacts): Judged {
  return f.connection[0]!;
}

function helo(_: RequirementsInput, f: AuthFacts): Judged {
  return f.connection[1]!;
}

function tls(_: RequirementsInput, f: AuthFacts): Judged {
  return f.connection[2]!;
}

function fcrdnsOf(i: RequirementsInput): Judged {
  const ip = i.connection?.ip;
  const c = i.lookups.client;
  if (!ip || !c) return na('client IP unknown');
  if (c.iprev === 'pass') return pass(`${ip} → ${c.name} → ${ip}`);
  if (c.iprev === 'temperror') return fail(`no verdict: the PTR or address lookup for ${ip} failed`, true);
  if (!c.ptr.length) return fail(`${ip} has no PTR record`);
  return fail(
    `${ip} → ${c.ptr.slice(0, 3).join(', ')}, but ${c.ptr.length > 1 ? 'none resolves' : 'it does not resolve'} back to ${ip}`,
  );
}

function heloOf(i: RequirementsInput): Judged {
  const h = i.lookups.helo;
  if (!h) return na('HELO name unknown');
  switch (h.status) {
    case 'resolves': {
      const ip = i.connection?.ip;
      const matches = ip && h.addresses.includes(ip) ? `, the client's own address` : '';
      return pass(`${h.name} resolves (${h.addresses.slice(0, 3).join(', ')}${matches})`);
    }
    case 'literal':
      return fail(`HELO ${h.name} is an address literal, not a name that resolves`);
    case 'invalid':
      return fail(`HELO ${h.name} is not a fully qualified host name`);
    case 'temperror':
      return fail(`no verdict: the address lookup for ${h.name} failed`, true);
    default:
      return fail(`HELO ${h.name} has no A or AAAA record`);
  }
}

function tlsOf(i: RequirementsInput): Judged {
  const c = i.connection;
  if (!c || c.tls === null) return na('not known: no Received: field of ours');
  const via = c.source === 'received' ? ` (our Received: by ${c.by})` : '';
  if (c.tls) return pass(`delivered over ${c.tlsProtocol ?? 'TLS'}${c.cipher ? ` with ${c.cipher}` : ''}${via}`);
  return fail(`delivered in clear, without STARTTLS${via}`);
}

function format(i: RequirementsInput): Judged {
  if (!i.msg) {
    const j = fail(`not an RFC 5322 message: ${i.parseError ?? 'unparseable'}`);
    j.problems = [{ id: 'format.unparseable', message: i.parseError ?? 'the message could not be parsed' }];
    return j;
  }
  const problems = formatProblems(i.msg, i.raw);
  if (!problems.length) return pass('From:, Date:, Message-ID:, lines and addresses as RFC 5322 asks');
  const shown = problems
    .slice(0, 2)
    .map((p) => p.message)
    .join('; ');
  const more = problems.length > 2 ? `; and ${problems.length - 2} more` : '';
  const j = fail(`${shown}${more}`);
  j.problems = problems;
  return j;
}

function oneClick(i: RequirementsInput): Judged {
  if (!i.msg) return fail('the message could not be parsed');
  const j = judgeOneClick(i.msg, i.dkim);
  return j.ok ? pass(j.reason) : fail(j.reason, !!j.temporary);
}

function arc(i: RequirementsInput): Judged {
  const sealed = i.msg?.headers.some((h) => h.key === 'arc-seal' || h.key === 'arc-message-signature');
  if (!sealed) return na('not forwarded (no ARC sets)');
  if (i.arc.result === 'pass')
    return pass(`forwarded with a valid ARC chain${i.arc.instance ? ` (i=${i.arc.instance})` : ''}`);
  return fail(
    `ARC headers present but the chain ${i.arc.result === 'none' ? 'is incomplete' : 'fails'}${i.arc.reason ? `: ${i.arc.reason}` : ''}`,
  );
}

function impersonation(i: RequirementsInput): Judged {
  const domain = i.dmarc.domain;
  if (!domain) return na('no single From: domain');
  const provider = mailboxProvider(domain);
  if (!provider) return na(`${domain} is no mailbox provider's`);
  if (i.dmarc.result === 'pass') return pass(`From: ${domain} (${provider}) passes DMARC`);
  if (i.dmarc.result === 'temperror')
    return fail(`no verdict: From: ${domain} (${provider}) and the DMARC lookup failed`, true);
  return fail(
    `From: claims ${domain}, a mailbox provider's domain (${provider}), and it does not pass DMARC (${i.dmarc.result}): send from your own domain`,
  );
}
