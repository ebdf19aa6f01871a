// The receiver's face: where it listens and with which limits, then one live line per message with its
// SPF/DKIM/DMARC/ARC results in colour, and a closing count.
import { escapeControl } from '../../core/text.js';
import type { ReceivedMessage, RejectedMessage } from '../../receive/server.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';
import { requirementsWord } from './requirements.js';
import { tone } from './verify-line.js';

export interface ListeningInfo {
  host: string;
  port: number;
  maildir: string;
  hostname: string;
  tls: 'none' | 'starttls' | 'implicit';
  certificate: 'self-signed' | 'given' | null;
  maxSize: number;
  maxRecipients: number;
  maxConnections: number;
  maxConnectionsPerClient?: number;
  commandTimeoutMs: number;
  dataTimeoutMs: number;
  count?: number;
}

export function renderListening(i: ListeningInfo, t: Theme): string {
  const addr = i.host.includes(':') ? `[${i.host}]:${i.port}` : `${i.host}:${i.port}`;
  let tls = 'no TLS';
  if (i.tls === 'implicit') tls = `implicit TLS, ${i.certificate} certificate`;
  else if (i.tls === 'starttls') tls = `STARTTLS offered, ${i.certificate} certificate`;
  const perClient =
    i.maxConnectionsPerClient && i.maxConnectionsPerClient < i.maxConnections
      ? ` (${i.maxConnectionsPerClient} per client)`
      : '';
  return fitLines(
    [
      `${t.bold('mailcheck receive')} listening on ${t.accent(`smtp://${addr}`)} as ${escapeControl(i.hostname)} ${t.dim(`(${tls})`)}`,
      `  ${t.dim('storing in')} ${escapeControl(i.maildir)}${t.dim('/new (Maildir: fsynced before each 250)')}`,
      `  ${t.dim('limits:')} ${formatBytes(i.maxSize)} per message, ${i.maxRecipients} recipients, ${i.maxConnections} connections${perClient}; ${i.commandTimeoutMs / 1000} s per command, ${i.dataTimeoutMs / 1000} s for DATA`,
      `  ${t.dim(i.count ? `stops after ${i.count} message${i.count === 1 ? '' : 's'} (or Ctrl-C)` : 'stop with Ctrl-C')}`,
      '',
    ].join('\n') + '\n',
    t.width,
  );
}

/** "✓ 10:00:01 #1 alice@mail.test → bob@example.net  2.1 KB TLSv1.3  spf=pass dkim=pass(mail.test) dmarc=pass" */
export function renderReceived(m: ReceivedMessage, t: Theme, n: number): string {
  // A temporary finding (no verdict) is not a failure: '?', as in every verdict line.
  let mark = t.ok('✓');
  if (m.findings.some((f) => f.temporary)) mark = t.warn('?');
  if (m.findings.some((f) => f.severity === 'fail' && !f.temporary)) mark = t.fail('✗');
  const time = m.receivedAt.slice(11, 19);
  const rcpt =
    m.rcptTo.length > 2
      ? `${escapeControl(m.rcptTo[0]!)} +${m.rcptTo.length - 1}`
      : m.rcptTo.map((r) => escapeControl(r)).join(', ');
  const tls = m.tls ? t.ok(m.tlsProtocol ?? 'TLS') : t.dim('plain');
  const dkim = m.auth.dkim
    .map((d) => `${tone(t, d.result, `dkim=${d.result}`)}${d.domain ? t.dim(`(${escapeControl(d.domain)})`) : ''}`)
    .join(' ');
  const auth = [
    tone(t, m.auth.spf.result, `spf=${m.auth.spf.result}`),
    dkim,
    tone(t, m.auth.dmarc.result, `dmarc=${m.auth.dmarc.result}`),
    m.auth.arc.result !== 'none' ? tone(t, m.auth.arc.result, `arc=${m.auth.arc.result}`) : '',
    requirementsWord(m.requirementsVerdict, t),
  ]
    .filter(Boolean)
    .join(' ');
  const from = escapeControl(m.mailFrom || '<>');
  const header = m.from && m.from !== m.mailFrom ? t.dim(` (From: ${escapeControl(m.from)})`) : '';
  const file = m.file.slice(m.file.lastIndexOf('/new/') + 1);
  // One message, one entry: it wraps under itself at the terminal's width rather than at its edge.
  return fitLines(
    `${mark} ${t.dim(time)} ${t.bold(`#${n}`)} ${from}${header} → ${rcpt}  ${formatBytes(m.size)} ${tls}  ${auth}  ${t.dim(escapeControl(file))}\n`,
    t.lineWidth,
  );
}

export function renderRejected(r: RejectedMessage, t: Theme): string {
  return fitLines(
    `${t.fail('✗')} ${t.dim(new Date().toISOString().slice(11, 19))} ${t.fail(`${r.code} refused`)} ${escapeControl(r.mailFrom || '<>')} → ${r.rcptTo.map((x) => escapeControl(x)).join(', ')}: ${escapeControl(r.reason)}\n`,
    t.lineWidth,
  );
}

export function renderReceiveSummary(stored: number, failed: number, rejected: number, t: Theme): string {
  const parts = [`${stored} message${stored === 1 ? '' : 's'} stored`];
  if (stored) parts.push(failed ? t.fail(`${failed} not authenticated`) : t.ok('all authenticated'));
  if (rejected) parts.push(t.warn(`${rejected} refused`));
  return `\n${t.bold('receiver stopped:')} ${parts.join(', ')}\n`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}
