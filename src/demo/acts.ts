// The demo's two acts. A genuine message: DKIM-signed by the sandbox domain and sent from its own address
// through real MX resolution — SPF, DKIM and DMARC pass. A forged one: From: the same domain, sent from an
// address SPF does not list, with a signature copied onto a changed body — DMARC fails and p=reject applies.
import { basename } from 'node:path';
import type { Context } from '../core/context.js';
import { definedOnly } from '../core/object.js';
import type { Finding, Step } from '../core/result.js';
import { isTemporary, type LookupStatus } from '../dns/types.js';
import type { ReceivedMessage } from '../receive/server.js';
import { parseMailbox, type Mailbox } from '../send/address.js';
import { sendMessage } from '../send/check.js';
import type { SendResult } from '../send/types.js';
import { composeMessage } from '../send/compose.js';
import { dkimSignMessage, parseSigningKey } from '../send/dkim-sign.js';
import type { Stage } from './stage.js';
import type { DemoAct, DemoStep } from './types.js';

interface Script {
  name: DemoAct['name'];
  title: string;
  from: Mailbox;
  mailFrom: Mailbox;
  to: Mailbox;
  subject: string;
  body: string;
  /** Replaces the body after signing: what a forger who copied a signature does. */
  tamperedBody?: string;
  localAddress: string;
  helo: string;
  expect: { spf: string; dkim: string; dmarc: string };
}

export function scripts(stage: Stage): Script[] {
  const d = stage.domain;
  const to = parseMailbox(`Bob <bob@${d}>`, 'to');
  const ceo = parseMailbox(`The CEO <ceo@${d}>`, 'from');
  const forger = stage.forgerAddress;
  return [
    {
      name: 'legitimate',
      title: `alice@${d} writes to bob@${d}: signed, from the domain's own mail host`,
      from: parseMailbox(`Alice <alice@${d}>`, 'from'),
      mailFrom: parseMailbox(`alice@${d}`, 'from'),
      to,
      subject: 'Lunch on Friday?',
      body: 'Hi Bob,\n\nLunch on Friday at noon?\n\nAlice\n',
      localAddress: '127.0.0.1',
      helo: stage.zones.names.outbound,
      expect: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
    },
    {
      name: 'forged',
      title: forger
        ? `a forger at ${forger} sends as ceo@${d}, with a signature copied onto a changed body`
        : `a forger sends as ceo@${d} with envelope sender mallory@${stage.lookalike}, a signature copied onto a changed body`,
      from: ceo,
      mailFrom: forger ? parseMailbox(`ceo@${d}`, 'from') : parseMailbox(`mallory@${stage.lookalike}`, 'from'),
      to,
      subject: 'Urgent: pay invoice 4471 today',
      body: 'Bob,\n\nPlease pay invoice 4471 today.\n\nThe CEO\n',
      tamperedBody: 'Bob,\n\nPlease wire 48,000 EUR to IBAN XX00 1234 5678 today. Keep this confidential.\n\nThe CEO\n',
      localAddress: forger ?? '127.0.0.1',
      helo: stage.zones.names.outbound,
      // Without a second loopback address the forger passes SPF for its own look-alike domain, which does not align.
      expect: { spf: forger ? 'fail' : 'pass', dkim: 'fail', dmarc: 'fail' },
    },
  ];
}

export async function playAct(stage: Stage, s: Script, ctx: Context): Promise<{ act: DemoAct; steps: DemoStep[] }> {
  const steps: DemoStep[] = [];
  const add = (
    actor: DemoStep['actor'],
    kind: DemoStep['kind'],
    summary: string,
    ok: boolean,
    ms: number,
    extra: Partial<DemoStep> = {},
  ) => steps.push({ act: s.name, actor, kind, summary, ok, ms, ...extra });

  let t = performance.now();
  const composed = composeMessage(
    { from: s.from, to: [s.to], subject: s.subject, body: s.body },
    { now: ctx.now(), random: () => Math.random().toString(36).slice(2, 10) },
  );
  const key = parseSigningKey(stage.key.privateKeyPem, stage.keyFile);
  const signed = await dkimSignMessage(composed.message, {
    key,
    domain: stage.domain,
    selector: stage.selector,
    now: ctx.now(),
  });
  let message = signed.message;
  if (s.tamperedBody !== undefined) {
    const head = message.subarray(0, message.indexOf('\r\n\r\n') + 4);
    message = Buffer.concat([head, Buffer.from(s.tamperedBody.replace(/\n/g, '\r\n'))]);
    add(
      'sender',
      'dkim',
      `Signed as d=${stage.domain} s=${stage.selector}, then the body was changed: the signature's body hash no longer matches`,
      true,
      ms(t),
      { detail: { signedHeaders: signed.signedHeaders } },
    );
  } else {
    add(
      'sender',
      'dkim',
      `Signed with DKIM: d=${stage.domain} s=${stage.selector} ${signed.algorithm}, covering ${signed.signedHeaders.join(', ')}`,
      true,
      ms(t),
      { detail: { signedHeaders: signed.signedHeaders } },
    );
  }

  const mark = stage.receiverDns.steps.length;
  t = performance.now();
  const sent = await sendMessage({ from: s.mailFrom, to: [s.to], eml: message }, ctx, {
    port: stage.receiver.port,
    tls: 'starttls',
    helo: s.helo,
    ca: [stage.cert],
    localAddress: s.localAddress,
    // The sandbox's MX is on loopback by design: the one place where that is right.
    allowPrivate: true,
  });
  for (const st of sent.steps.filter((x) => x.kind === 'dns'))
    add('sender', 'dns', st.summary, !temporary(st), st.ms, { detail: st.detail });
  sessionSteps(sent, s, add);
  const delivered = sent.delivered.length === 1;

  const got = delivered ? await stage.nextMessage(ctx.timeoutMs) : null;
  for (const st of stage.receiverDns.steps.slice(mark))
    add('receiver', 'dns', st.summary, !temporary(st), st.ms, { detail: st.detail });
  const m = got && got.event === 'message' ? got : null;
  if (!m) {
    add(
      'receiver',
      'store',
      got && got.event === 'rejected'
        ? `The receiver refused the message: ${got.code} ${got.reason}`
        : 'The receiver reported no message',
      false,
      ms(t),
    );
  } else {
    verdictSteps(m, s, add);
    add(
      'receiver',
      'store',
      `Stored as new/${basename(m.file)} (${m.size} bytes, with Received: and Authentication-Results: prepended)`,
      true,
      0,
      { detail: { file: m.file, authenticationResults: m.authenticationResults } },
    );
  }
  const dmarc = m
    ? {
        result: m.auth.dmarc.result,
        policy: m.auth.dmarc.policy,
        disposition: m.auth.dmarc.result === 'pass' ? 'none' : m.auth.dmarc.policy,
      }
    : null;
  const act: DemoAct = {
    name: s.name,
    title: s.title,
    mailFrom: s.mailFrom.address,
    from: s.from.address,
    to: s.to.address,
    clientAddress: s.localAddress,
    messageId: sent.messageId,
    spf: m?.auth.spf.result ?? null,
    dkim: m?.auth.dkim.map((x) => x.result) ?? [],
    dmarc,
    file: m?.file ?? null,
    authenticationResults: m?.authenticationResults ?? null,
    ok: steps.every((x) => x.ok),
  };
  return { act, steps };
}

type Add = (
  actor: DemoStep['actor'],
  kind: DemoStep['kind'],
  summary: string,
  ok: boolean,
  ms: number,
  extra?: Partial<DemoStep>,
) => void;

function sessionSteps(sent: SendResult, s: Script, add: Add): void {
  for (const session of sent.sessions) {
    const at = `${session.exchange} [${session.address}]:${session.port}`;
    const connected = session.outcome !== 'unreachable' || session.transcript.length > 0;
    add(
      'sender',
      'tcp',
      connected ? `TCP connection from ${s.localAddress} to ${at}` : `No TCP connection to ${at}: ${session.reply}`,
      connected,
      0,
    );
    if (!connected) continue;
    if (session.tls)
      add(
        'sender',
        'tls',
        `STARTTLS → ${session.tls.protocol ?? 'TLS'} ${session.tls.cipher ?? ''}, the receiver's certificate for ${session.exchange} verified`.trim(),
        true,
        0,
      );
    else
      add(
        'sender',
        'tls',
        `No TLS${session.tlsFallback ? ` (STARTTLS failed: ${session.tlsFallback})` : ''}`,
        false,
        0,
      );
    const ok = session.outcome === 'data' && /^2/.test(session.reply);
    add(
      'sender',
      'smtp',
      `EHLO ${s.helo}, MAIL FROM:<${s.mailFrom.address}>, RCPT TO:<${s.to.address}>, DATA → ${session.reply}`,
      ok,
      session.ms,
      { detail: { transcript: session.transcript } },
    );
  }
  if (!sent.sessions.length) add('sender', 'smtp', `Not sent: ${sent.rejected[0]?.response ?? 'no route'}`, false, 0);
}

function verdictSteps(m: ReceivedMessage, s: Script, add: Add): void {
  const why = (prefix: string) => m.findings.find((f: Finding) => f.id.startsWith(prefix))?.message || undefined;
  const spf = m.auth.spf;
  const helo = spf.helo ? `; HELO ${spf.helo.domain}: ${spf.helo.result}` : '';
  add(
    'receiver',
    'spf',
    `SPF ${spf.result} for ${m.remoteAddress} sending as ${s.mailFrom.address}${helo}`,
    spf.result === s.expect.spf,
    0,
    definedOnly({ expected: s.expect.spf, actual: spf.result, why: why('verify.spf.') }),
  );
  const sigs = m.auth.dkim.length
    ? m.auth.dkim
    : [{ result: 'none', domain: null, selector: null, algorithm: null, aligned: false }];
  for (const d of sigs) {
    add(
      'receiver',
      'dkim',
      `DKIM ${d.result}${d.domain ? ` for d=${d.domain} s=${d.selector}` : ''}${dkimAlignment(d)}`,
      d.result === s.expect.dkim,
      0,
      definedOnly({ expected: s.expect.dkim, actual: d.result, why: why('verify.dkim.') }),
    );
  }
  const dm = m.auth.dmarc;
  const aligned =
    [dm.aligned.dkim ? 'DKIM' : '', dm.aligned.spf ? 'SPF' : ''].filter(Boolean).join(' and ') ||
    'neither SPF nor DKIM';
  const consequence =
    dm.result === 'pass'
      ? `${aligned} aligned with From: ${s.from.domain}`
      : `${aligned} passed in alignment with From: ${s.from.domain}; the domain asks for p=${dm.policy ?? 'none'}: ${policyConsequence(dm.policy)}`;
  add(
    'receiver',
    'dmarc',
    `DMARC ${dm.result}: ${consequence}`,
    dm.result === s.expect.dmarc,
    0,
    definedOnly({ expected: s.expect.dmarc, actual: dm.result, why: why('verify.dmarc.') }),
  );
  if (m.auth.arc.result !== 'none')
    add('receiver', 'arc', `ARC ${m.auth.arc.result}`, true, 0, { actual: m.auth.arc.result });
}

/** What a message failing DMARC meets under the domain's policy. */
function policyConsequence(policy: string | null): string {
  if (policy === 'reject')
    return 'a receiver that honours DMARC refuses this message (550 5.7.1); mailcheck receive keeps it so you can look';
  if (policy === 'quarantine') return 'a receiver puts it in spam';
  return 'a receiver only reports it';
}

/** Alignment is only worth saying of a passing signature. */
function dkimAlignment(d: { result: string; aligned: boolean }): string {
  if (d.result !== 'pass') return '';
  return d.aligned ? ', aligned with From:' : ', not aligned with From:';
}

/** A DNS step whose answer was no verdict (timeout, SERVFAIL…): NXDOMAIN and NODATA are answers, and fine. */
function temporary(st: Step): boolean {
  const status = (st.detail as { status?: LookupStatus } | undefined)?.status;
  return status !== undefined && isTemporary({ status });
}

function ms(start: number): number {
  return Math.round(performance.now() - start);
}
