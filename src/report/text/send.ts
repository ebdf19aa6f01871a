// A sent message's story: what was sent (size, DKIM), where each domain's mail went (MX route), each SMTP
// session with its transcript, and per recipient what became of it (RFC 5321 §4.2 replies). Pure.
import { escapeControl } from '../../core/text.js';
import type { SendResult, SendSession } from '../../send/types.js';
import { heading, renderStep, reportTail } from '../steps.js';
import { fitTable } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';
import { renderTranscript } from './probe.js';
import { endpointLabel } from '../../smtp/peer.js';
const OUTCOME: Record<SendSession['outcome'], string> = {
  data: 'message sent',
  'no-recipients': 'every recipient refused',
  unreachable: 'unreachable',
  refused: 'refused',
  'tls-required': 'no TLS: not sent',
  'tls-unverified': 'certificate not verified: not sent',
  'auth-failed': 'login refused: not sent',
  'auth-unavailable': 'no login possible: not sent',
  unsuitable: 'cannot take this message',
  lost: 'connection lost',
};

export function renderSend(r: SendResult, t: Theme, opts: { steps?: boolean; transcript?: boolean } = {}): string {
  const out: string[] = [];
  const e = escapeControl;
  out.push(heading(t, `Message ${r.messageId ?? '(no Message-ID)'}`));
  out.push(`  ${t.dim('from   ')} ${e(r.from)}`);
  out.push(`  ${t.dim('to     ')} ${r.to.map((x) => e(x)).join(', ')}`);
  out.push(`  ${t.dim('size   ')} ${r.size} bytes`);
  out.push(
    `  ${t.dim('DKIM   ')} ${r.dkim.signed ? `${t.ok('✓ signed')} d=${e(r.dkim.domain ?? '')} s=${e(r.dkim.selector ?? '')} ${t.dim(`${r.dkim.algorithm ?? ''}${r.dkim.keyBits ? ` ${r.dkim.keyBits}-bit` : ''}, relaxed/relaxed`)}` : t.dim('not signed (give --dkim-key and --dkim-selector)')}`,
  );
  // Where TLS was demanded, say whether the servers were also authenticated (opportunistic TLS does not ask).
  let verdict = '';
  if (r.tls.encrypted && r.tls.verified !== null && ['require', 'verify', 'implicit'].includes(r.tls.mode))
    verdict = r.tls.verified ? t.ok(', certificate verified') : t.warn(', certificate not verified');
  // tls describes the messages sent (verified is null when none was): a session that stopped at a certificate
  // under --tls verify was encrypted, but nothing went over it.
  let outcome = '';
  if (r.sessions.length && r.tls.verified === null && !r.tls.encrypted) outcome = ` → ${t.dim('nothing sent')}`;
  else if (r.sessions.length)
    outcome = ` → ${r.tls.encrypted ? t.ok(`encrypted${r.tls.protocol ? ` (${r.tls.protocol})` : ''}`) : t.warn('not encrypted')}${verdict}`;
  out.push(`  ${t.dim('TLS    ')} ${r.tls.mode}${outcome}`);

  if (r.auth) {
    const how = r.auth.mechanism ? ` ${t.dim(`(${r.auth.mechanism})`)}` : '';
    const state = r.auth.authenticated ? t.ok('✓ authenticated') : t.fail('✗ not authenticated');
    out.push(`  ${t.dim('AUTH   ')} ${e(r.auth.user)}${how} ${state}`);
  }

  out.push('', heading(t, 'Route'));
  for (const route of r.routes) {
    const who = route.recipients.map((x) => e(x)).join(', ');
    if (route.problem) {
      out.push(`  ${t.fail('✗')} ${e(route.domain)} ${t.dim(`(${who})`)} → ${t.fail(e(route.problem))}`);
      continue;
    }
    if (route.hosts[0]?.preference === null) {
      const h = route.hosts[0];
      out.push(
        `  ${t.dim('›')} ${who} → ${t.dim('--server')} ${e(h.exchange)}${h.addresses[0] !== h.exchange ? t.dim(` [${h.addresses.join(', ')}]`) : ''}:${route.port}`,
      );
      continue;
    }
    const hosts = route.hosts.map((h) => `${h.preference} ${e(h.exchange)}${t.dim(` [${h.addresses.join(', ')}]`)}`);
    out.push(
      `  ${t.dim('?')} ${e(route.domain)} ${t.dim(`(${who})`)} → ${t.dim(route.implicit ? 'implicit MX' : 'MX')} ${hosts.join(t.dim(', '))}${route.port !== 25 ? t.dim(` port ${route.port}`) : ''}`,
    );
    if (route.refused?.length)
      out.push(
        `    ${t.warn('! not tried')} ${route.refused.map((x) => `${e(x.exchange)} [${x.address}] ${x.range}`).join(', ')} ${t.dim('(non-public address; --allow-private)')}`,
      );
  }
  if (opts.steps) for (const s of r.steps.filter((s) => s.kind === 'dns')) out.push(renderStep(s, t, '    '));

  const strictTls = ['require', 'verify', 'implicit'].includes(r.tls.mode);
  if (r.sessions.length) {
    out.push('', heading(t, 'SMTP sessions'));
    for (const s of r.sessions) {
      const ok = s.outcome === 'data' && /^2/.test(s.reply);
      const at = endpointLabel(s.exchange, s.address, s.port);
      const tls = s.tls ? t.ok(s.tls.protocol ?? 'TLS') : t.dim('plaintext');
      out.push(
        `  ${ok ? t.ok('✓') : t.fail('✗')} ${e(at)}  ${tls}  ${ok ? e(s.reply) : t.fail(`${OUTCOME[s.outcome]}: ${e(s.reply)}`)} ${t.dim(`${s.ms} ms`)}`,
      );
      if (s.tlsFallback) out.push(`    ${t.warn(`! STARTTLS failed (${e(s.tlsFallback)}); retried in plaintext`)}`);
      // Where TLS was demanded, the certificate as probe judges it: who it is for, who issued it, the verdict.
      if (s.certificate && strictTls) {
        const c = s.certificate;
        const verdict = s.tls?.verified
          ? t.ok(`✓ verified for ${e(c.checkedName ?? '')}`)
          : t.warn(`! not verified: ${e((s.certificateProblems ?? []).join('; '))}`);
        out.push(
          `    ${t.dim('certificate')} ${e(c.subject)} ${t.dim(`from ${e(c.issuer)}, until ${c.validTo.slice(0, 10)}`)}  ${verdict}`,
        );
      }
    }
    if (opts.transcript !== false) {
      for (const s of r.sessions) if (s.transcript.length) out.push('', ...renderTranscript(s, t));
    }
  }

  out.push('', heading(t, 'Recipients'));
  const rows = [
    ...r.delivered.map((d) => [
      t.ok('✓ delivered'),
      e(d.recipient),
      e(d.exchange),
      e(d.response) + (d.queueId ? t.dim(`  (queue id ${e(d.queueId)})`) : ''),
    ]),
    ...r.rejected.map((x) => [
      x.temporary ? t.warn(`✗ ${x.reason}`) : t.fail(`✗ ${x.reason}`),
      e(x.recipient),
      e(x.exchange ?? '–'),
      e(x.response),
    ]),
  ];
  // The reply wraps to fit the terminal.
  out.push(
    fitTable([['', 'recipient', 'server', 'reply'].map((h) => t.dim(h)), ...rows], {
      width: t.width,
      wrap: 3,
      minWrap: 16,
    }),
  );

  out.push(...reportTail(r, t));
  return fitLines(out.join('\n'), t.width) + '\n';
}
