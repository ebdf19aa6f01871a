// The SMTP probe as the conversation it was: each step with its answer and time, the certificate, the
// transcript (RFC 5321, RFC 3207); with several hosts, one table row per address. Brief (the default): the verdict
// first, the steps and the certificate, what to fix; the transcript only when asked (--transcript). Pure.
import type { Finding } from '../../core/result.js';
import { escapeControl } from '../../core/text.js';
import type { ProbeHost, ProbeResult } from '../../probe/types.js';
import type { CertificateInfo } from '../../smtp/certificate.js';
import type { TranscriptLine } from '../../smtp/session.js';
import { renderStep, reportHead, reportTail, verdictLine } from '../steps.js';
import { fitTable } from '../table.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';
import { renderTlsAudit } from './tls-audit.js';
const MODE = { starttls: 'STARTTLS', implicit: 'implicit TLS', none: 'no TLS' } as const;

export function renderProbe(r: ProbeResult, t: Theme, opts: { steps?: boolean; transcript?: boolean } = {}): string {
  const out: string[] = [];
  out.push(
    reportHead(t, `SMTP probe of ${r.target}`, verdictLine(r.findings, t)) + t.dim(`  port ${r.port}, ${MODE[r.tls]}`),
  );
  if (opts.steps) for (const s of r.steps.filter((s) => s.kind === 'dns')) out.push(renderStep(s, t));
  if (r.all && r.hosts.length > 1) {
    // Eight columns: on a narrow terminal the greeting wraps, then goes (each host's transcript shows it).
    out.push(
      '',
      fitTable(
        [
          ['', 'MX', 'address', 'greeting', 'ESMTP', 'TLS', 'certificate', 'greeting in'].map((h) => t.dim(h)),
          ...r.hosts.map((h) => hostRow(h, t)),
        ],
        { width: t.width, wrap: 3, minWrap: 16, drop: [3] },
      ),
    );
    for (const h of r.hosts) if (h.tlsAudit) out.push('', ...renderTlsAudit(h, t));
    for (const h of r.hosts)
      if (opts.transcript !== false && h.transcript.length) out.push('', ...renderTranscript(h, t));
  } else {
    for (const h of r.hosts) {
      out.push('', ...renderHost(h, t));
      if (h.tlsAudit) out.push('', ...renderTlsAudit(h, t));
      if (opts.transcript !== false && h.transcript.length) out.push('', ...renderTranscript(h, t));
    }
  }
  const transcripts = opts.transcript !== false && r.hosts.some((h) => h.transcript.length);
  // probe's --all means every MX host: its full report is -v (the conversation live) or --transcript.
  out.push(
    ...reportTail(r, t, {
      omitted: transcripts ? [] : ['the SMTP transcript'],
      how: '--transcript adds the conversation, -v shows every step as it happens',
    }),
  );
  return fitLines(out.join('\n'), t.width) + '\n';
}

/** One step per line: mark, name, what the server said, how long it took. */
function renderHost(h: ProbeHost, t: Theme): string[] {
  const lines = [t.bold(`${hostLabel(h)}`)];
  const step = (ok: boolean | null, name: string, text: string, ms: number | null) =>
    lines.push(`  ${stepMark(ok, t)} ${name.padEnd(11)} ${text}${ms !== null ? ` ${t.dim(`${ms} ms`)}` : ''}`);
  step(
    h.connected,
    'connect',
    h.connected ? t.dim('TCP') : t.fail(escapeControl(h.error?.message ?? 'failed')),
    h.timings.connectMs,
  );
  if (!h.connected) return lines;
  if (h.tls && h.tls.attempted && h.timings.bannerMs === null && !h.tls.ok) {
    step(false, 'TLS', t.fail(escapeControl(h.tls.error ?? 'failed')), h.timings.tlsMs);
    return lines;
  }
  if (h.banner !== null) {
    step(
      h.bannerCode === 220,
      'greeting',
      replyTone(h.bannerCode ?? 0, escapeControl(h.banner.replace(/\n/g, ' / ')), t),
      h.timings.bannerMs,
    );
  } else if (h.error?.stage === 'banner') {
    step(false, 'greeting', t.fail(escapeControl(h.error.message)), h.timings.bannerMs);
    return lines;
  }
  if (h.timings.ehloMs !== null) {
    let ehloText = t.warn('EHLO refused; HELO accepted (no ESMTP)');
    if (h.error?.stage === 'ehlo') ehloText = t.fail(escapeControl(h.error.message));
    else if (h.esmtp) ehloText = extensionsText(h.ehlo.extensions, t);
    step(h.error?.stage !== 'ehlo', h.esmtp ? 'EHLO' : 'HELO', ehloText, h.timings.ehloMs);
  }
  if (h.auth) {
    const a = h.auth;
    let verdict = t.warn('no verdict');
    if (a.accepted === true) verdict = t.fail(`takes AUTH ${a.tried} in the clear`);
    else if (a.accepted === false) verdict = t.ok('demands STARTTLS first');
    step(
      a.accepted === null ? null : !a.accepted,
      'AUTH test',
      `${verdict} ${t.dim(`(${escapeControl(a.reply)})`)}`,
      null,
    );
  }
  if (h.tls) {
    if (!h.tls.attempted) {
      step(
        null,
        'STARTTLS',
        h.tls.offered ? t.dim('offered, not tried (--tls none)') : t.fail('not offered: mail travels in plaintext'),
        null,
      );
    } else if (!h.tls.ok) {
      step(false, 'TLS', t.fail(escapeControl(h.tls.error ?? 'failed')), h.timings.tlsMs);
    } else {
      const old = /^(SSLv3|TLSv1|TLSv1\.1)$/.test(h.tls.protocol ?? '');
      step(
        !old,
        'TLS',
        `${old ? t.fail(h.tls.protocol ?? '') : t.ok(h.tls.protocol ?? '')} ${t.dim(h.tls.cipher ?? '')}`,
        h.timings.tlsMs,
      );
      if (h.tls.certificate) lines.push(...renderCertificate(h.tls.certificate, h.tls.chain ?? [], t));
      if (h.ehloTls) step(true, 'EHLO (TLS)', extensionsText(h.ehloTls.extensions, t), null);
      else if (h.error?.stage === 'ehlo-tls') step(false, 'EHLO (TLS)', t.fail(escapeControl(h.error.message)), null);
    }
  }
  if (h.relay) {
    const r = h.relay;
    let verdict = t.warn('no verdict');
    let good: boolean | null = null;
    if (r.sink) {
      // Accepted, and says it is an accept-all sink: by its own account not a relay (the probe cannot see more).
      verdict = t.warn('accepted: an accept-all sink by its greeting (stores, never relays)');
    } else if (r.accepted === true) {
      verdict = t.fail('OPEN RELAY: accepted');
      good = false;
    } else if (r.accepted === false) {
      verdict = t.ok('refused');
      good = true;
    }
    step(
      good,
      'relay test',
      `${verdict} ${t.dim(`RCPT TO:<${escapeControl(r.rcptTo)}> → ${escapeControl(r.reply)}`)}`,
      null,
    );
  }
  return lines;
}

function renderCertificate(c: CertificateInfo, chain: { subject: string; issuer: string }[], t: Theme): string[] {
  const pad = '                ';
  let days = t.ok(`${c.daysLeft} days left`);
  if (c.expired) days = t.fail(`expired ${-c.daysLeft} days ago`);
  else if (c.notYetValid) days = t.fail('not yet valid');
  else if (c.daysLeft < 14) days = t.warn(`${c.daysLeft} days left`);
  let name = t.dim('no name to check');
  if (c.hostnameMatch === true) name = t.ok(`✓ covers ${escapeControl(c.checkedName ?? '')}`);
  else if (c.hostnameMatch === false) name = t.fail(`✗ does not cover ${escapeControl(c.checkedName ?? '')}`);
  let trust = t.warn(`! untrusted${c.trustError ? ` (${escapeControl(c.trustError)})` : ''}`);
  if (c.trusted) trust = t.ok('✓ trusted chain');
  else if (c.selfSigned) trust = t.warn('! self-signed');
  return [
    `${pad}${t.dim('subject ')} ${escapeControl(c.subject)}`,
    `${pad}${t.dim('issuer  ')} ${escapeControl(c.issuer)}${chain.length > 1 ? t.dim(`  (${chain.length} certificates sent)`) : ''}`,
    `${pad}${t.dim('valid   ')} ${c.validFrom.slice(0, 10)} → ${c.validTo.slice(0, 10)}  ${days}`,
    `${pad}${t.dim('names   ')} ${c.altNames.length ? escapeControl(c.altNames.join(', ')) : t.dim('(no subjectAltName)')}`,
    `${pad}${t.dim('key     ')} ${c.keyType ?? '?'}${c.keyBits ? ` ${c.keyBits}-bit` : ''}   ${name}   ${trust}`,
  ];
}

/**
 * The conversation, one `C:` or `S:` line per line on the wire (a folded header's continuation keeps its own
 * `C:` and its leading whitespace), coloured by reply class; network text escaped. A wire line wider than the
 * report is cut, not word-wrapped, and goes on under `↪`, so no piece can pass for a line of its own (an empty
 * `C:` would read as the blank line that ends the header).
 */
export function renderTranscript(
  h: { exchange: string; address: string; port: number; transcript: TranscriptLine[] },
  t: Theme,
): string[] {
  const lines = [
    t.dim(
      `Transcript ${escapeControl(h.exchange === h.address ? h.address : `${h.exchange} [${h.address}]`)}:${h.port}`,
    ),
  ];
  // "  C: " and "  ↪  " take the same five columns, so the wire text lines up.
  const room = Math.max(t.width - 5, 20);
  const add = (head: string, text: string, style: (s: string) => string) => {
    if (text.length <= room) {
      lines.push(`${head} ${style(text)}`);
      return;
    }
    for (let i = 0; i < text.length; i += room)
      lines.push(`${i === 0 ? head : `  ${t.dim('↪')} `} ${style(text.slice(i, i + room))}`);
  };
  for (const l of h.transcript) {
    if (l.dir === 'C') {
      add(`  ${t.accent('C:')}`, escapeControl(l.line), (x) => x);
    } else {
      const code = Number(l.line.slice(0, 3));
      add(`  ${t.dim('S:')}`, escapeControl(l.line), (x) => replyTone(Number.isFinite(code) ? code : 0, x, t));
    }
  }
  return lines;
}

function hostRow(h: ProbeHost, t: Theme): string[] {
  const worst = worstMark(h.findings, t);
  let greeting = t.fail(h.error?.kind ?? 'no connection');
  if (h.connected && h.bannerCode !== null)
    greeting = replyTone(h.bannerCode, escapeControl(truncate(h.banner ?? '', 36)), t);
  else if (h.connected) greeting = t.fail(h.error?.kind ?? '?');
  let esmtp = t.dim('–');
  if (h.connected && h.timings.ehloMs !== null) esmtp = h.esmtp ? t.ok('yes') : t.warn('HELO only');
  return [
    worst,
    escapeControl(h.preference !== undefined ? `${h.preference} ${h.exchange}` : h.exchange),
    h.address,
    greeting,
    esmtp,
    tlsCell(h.tls, t),
    certificateCell(h.tls?.certificate, t),
    h.timings.bannerMs !== null ? `${h.timings.bannerMs} ms` : t.dim('–'),
  ];
}

function tlsCell(tls: ProbeHost['tls'], t: Theme): string {
  if (!tls) return t.dim('–');
  if (tls.ok) return t.ok(tls.protocol ?? 'yes');
  if (tls.attempted) return t.fail('failed');
  return tls.offered ? t.dim('not tried') : t.fail('none');
}

/** The worst thing about the certificate, in the order a reader must act on it. */
function certificateCell(c: CertificateInfo | null | undefined, t: Theme): string {
  if (!c) return t.dim('–');
  if (c.expired) return t.fail('expired');
  if (c.notYetValid) return t.fail('not yet valid');
  if (c.hostnameMatch === false) return t.warn('wrong name');
  if (c.selfSigned) return t.warn('self-signed');
  if (!c.trusted) return t.warn('untrusted');
  if (c.daysLeft < 14) return t.warn(`${c.daysLeft} days left`);
  return t.ok(`ok, ${c.daysLeft} d`);
}

function stepMark(ok: boolean | null, t: Theme): string {
  if (ok === null) return t.dim('·');
  return ok ? t.ok('✓') : t.fail('✗');
}

function worstMark(f: readonly Finding[], t: Theme): string {
  if (f.some((x) => x.severity === 'fail' && !x.temporary)) return t.mark('fail');
  if (f.some((x) => x.temporary)) return t.warn('?');
  if (f.some((x) => x.severity === 'warn')) return t.mark('warn');
  return t.mark('ok');
}

/** A reply's text in its class's colour: 5xx (and no reply, 0) red, 4xx yellow, the rest plain. */
export function replyTone(code: number, text: string, t: Theme): string {
  if (code >= 500 || code === 0) return t.fail(text);
  if (code >= 400) return t.warn(text);
  return text;
}

function extensionsText(ext: string[], t: Theme): string {
  if (!ext.length) return t.dim('(no extensions)');
  return ext.map((e) => extensionText(e, t)).join(t.dim(' · '));
}

/** STARTTLS in green, AUTH in yellow (offered before TLS it is a finding), the rest plain. */
function extensionText(e: string, t: Theme): string {
  if (/^STARTTLS$/i.test(e)) return t.ok(e);
  if (/^AUTH\b/i.test(e)) return t.warn(escapeControl(e));
  return escapeControl(e);
}

function hostLabel(h: ProbeHost): string {
  const name = h.exchange === h.address ? h.address : `${h.exchange} [${h.address}]`;
  return `${escapeControl(name)}:${h.port}${h.preference !== undefined && h.exchange !== h.address ? ` (MX ${h.preference})` : ''}`;
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\n/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
