// The demo's story as text: the stage, then each message's journey — sender's DNS questions, the TCP and TLS
// connection, the SMTP conversation, the receiver's DNS questions and verdicts with their reasons. Pure.
import { escapeControl } from '../../core/text.js';
import type { DemoAct, DemoResult, DemoStep } from '../../demo/types.js';
import type { TranscriptLine } from '../../smtp/session.js';
import { heading, renderFindings } from '../steps.js';
import { replyTone } from './probe.js';
import type { Theme } from '../theme.js';
import { wrapText as wrap } from '../wrap.js';

export interface RenderDemoOptions {
  /** Also the full SMTP transcript (DATA included) and every zone record. */
  verbose?: boolean;
}

const KIND: Record<DemoStep['kind'], string> = {
  keygen: 'KEY',
  dns: 'DNS',
  listen: 'UP',
  tcp: 'TCP',
  tls: 'TLS',
  smtp: 'SMTP',
  spf: 'SPF',
  dkim: 'DKIM',
  dmarc: 'DMARC',
  arc: 'ARC',
  store: 'STORE',
};

export function renderDemo(r: DemoResult, t: Theme, o: RenderDemoOptions = {}): string {
  const width = Math.max(60, t.width);
  const out: string[] = [];
  out.push(heading(t, `mailcheck demo: the journey of an email, on loopback (${r.domain})`), '');
  out.push(heading(t, 'Setting the stage'));
  for (const s of r.steps.filter((x) => x.act === 'setup')) out.push(...stepLines(s, null, t, width, o.verbose));
  out.push(`  ${t.dim('What the DNS server publishes:')}`);
  for (const [name, type, data] of zoneRecords(r, o.verbose)) {
    const lead = `    ${name.padEnd(NAME_WIDTH)} ${type.padEnd(5)} `;
    const lines = wrap(data, width, lead, ' '.repeat(lead.length));
    out.push(
      `    ${name.padEnd(NAME_WIDTH)} ${t.bold(type.padEnd(5))} ${t.dim(lines[0]!.slice(lead.length))}`,
      ...lines.slice(1).map((l) => t.dim(l)),
    );
  }

  let n = 0;
  r.acts.forEach((act, i) => {
    out.push('', ...wrap(`Act ${i + 1} — ${act.title}`, width, '', '  ').map((l) => heading(t, l)));
    let actor: DemoStep['actor'] | null = null;
    for (const s of r.steps.filter((x) => x.act === act.name)) {
      if (s.actor !== actor) {
        actor = s.actor;
        out.push(
          `  ${t.accent(actor === 'sender' ? 'The sender' : 'The receiver')}${t.dim(actor === 'sender' ? ` (mailcheck send, from ${act.clientAddress})` : ' (mailcheck receive)')}`,
        );
      }
      out.push(...stepLines(s, ++n, t, width, o.verbose));
      if (s.kind === 'smtp' && hasTranscript(s.detail)) {
        // The first conversation in full; later ones from MAIL FROM on, where they differ.
        const lines = s.detail.transcript;
        const from =
          i === 0 || o.verbose
            ? 0
            : Math.max(
                0,
                lines.findIndex((l) => /^MAIL FROM:/i.test(l.line)),
              );
        if (from > 0) out.push(t.dim(`         (greeting, EHLO and STARTTLS as in act 1)`));
        out.push(...transcriptLines(lines.slice(from), t, width, o.verbose));
      }
      if (s.kind === 'store' && hasAuthResults(s.detail)) {
        out.push(...authResultsLines(s.detail.authenticationResults, width).map((l) => t.dim(l)));
      }
    }
    out.push(actVerdict(act, t, width));
  });

  out.push('');
  const seconds = (r.ms / 1000).toFixed(1);
  if (r.ok) {
    out.push(
      ...wrap(
        `✓ Every step behaved as expected (${seconds} s): the genuine message passed, the forgery was caught.`,
        width,
        '',
        '  ',
      ).map((l) => t.ok(l)),
    );
  } else {
    out.push(t.fail(`✗ Some steps did not behave as expected (${seconds} s):`));
    out.push(
      renderFindings(
        r.findings.filter((f) => f.severity !== 'ok'),
        t,
      ).trimEnd(),
    );
  }
  return out.join('\n') + '\n';
}

/** The header the receiver prepended, one method per line. */
function authResultsLines(value: string, width: number): string[] {
  const unfolded = escapeControl(value.replace(/\r?\n[\t ]+/g, ' ').replace(/^Authentication-Results:\s*/i, ''));
  const [authserv, ...methods] = unfolded.split(/;\s*/);
  return [
    ...wrap(`Authentication-Results: ${authserv};`, width, '         ', '           '),
    ...methods.flatMap((m, i) =>
      wrap(`${m}${i < methods.length - 1 ? ';' : ''}`, width, '           ', '             '),
    ),
  ];
}

/** What to do with a kept sandbox: the other commands, pointed at it. */
export function renderKeep(r: DemoResult, t: Theme): string {
  const width = t.width;
  const res = `--resolver ${r.dns.host}:${r.dns.port}`;
  const lines = [
    '',
    heading(t, 'The sandbox keeps running (Ctrl-C stops it). Point the other commands at it:'),
    `  mailcheck mx ${r.domain} ${res}`,
    `  mailcheck check ${r.domain} --selector ${r.selector} --allow-private ${res}`,
    `  mailcheck spf ${r.domain} --ip 127.0.0.2 ${res}`,
    `  mailcheck probe ${r.domain} --port ${r.smtp.port} ${res}`,
    `  mailcheck send --from you@${r.domain} --to bob@${r.domain} --port ${r.smtp.port} --allow-private \\`,
    `      --dkim-key ${r.keyFile} --dkim-selector ${r.selector} ${res}`,
    `  mailcheck verify ${r.maildir} ${res}`,
    `  ${t.dim(`Offline, from the zone files: mailcheck check ${r.domain} --offline ${r.zoneFiles.map((f) => `--zone ${f}`).join(' ')}`)}`,
    `  ${t.dim(`dig @${r.dns.host} -p ${r.dns.port} ${r.domain} MX   works too.`)}`,
    ...wrap(
      'check will flag the loopback MX address and the unreachable MTA-STS policy host: on the internet both would be real problems.',
      width,
      '  ',
      '  ',
    ).map((l) => t.dim(l)),
  ];
  if (!r.kept) {
    const dir = r.maildir.replace(/\/inbox$/, '');
    const gone = `The files in ${dir} go when the sandbox stops (--dir keeps them).`;
    lines.push(...wrap(gone, width, '  ', '  ').map((l) => t.dim(l)));
  }
  lines.push('');
  return lines.join('\n') + '\n';
}

function stepLines(s: DemoStep, n: number | null, t: Theme, width: number, verbose?: boolean): string[] {
  const num = n === null ? '' : `${String(n).padStart(2)} `;
  const lead = `  ${num}`;
  const kind = KIND[s.kind].padEnd(5);
  const head = `${lead}X ${kind} `;
  const time = s.ms >= 1 && TIMED.has(s.kind) ? ` (${s.ms} ms)` : '';
  const text = (verbose ? escapeControl(s.summary) : shortenKey(escapeControl(s.summary))) + time;
  const lines = wrap(text, width, ' '.repeat(head.length), ' '.repeat(head.length));
  const mark = s.ok ? t.ok('✓') : t.fail('✗');
  const first = `${lead}${mark} ${t.bold(kind)} ${tone(s, lines[0]!.trimStart(), t)}`;
  const rest = lines.slice(1).map((l) => tone(s, l, t));
  const out = [first, ...rest];
  if (s.why && s.actual !== 'pass')
    out.push(
      ...wrap(`why: ${escapeControl(s.why)}`, width, ' '.repeat(head.length), ' '.repeat(head.length + 5)).map((l) =>
        t.dim(l),
      ),
    );
  if (s.expected && !s.ok) out.push(t.fail(`${' '.repeat(head.length)}expected ${s.expected}, got ${s.actual}`));
  return out;
}

/** Verdicts are coloured by what they say about the message; a forged message failing is red, and expected. */
function tone(s: DemoStep, text: string, t: Theme): string {
  if (s.actual === undefined) return text;
  const word = verdictColour(s.actual, t);
  return text.replace(new RegExp(`\\b${s.actual}\\b`), (m) => word(m));
}

function verdictColour(actual: string, t: Theme): (s: string) => string {
  if (actual === 'pass') return t.ok;
  return ['fail', 'permerror'].includes(actual) ? t.fail : t.warn;
}

function actVerdict(a: DemoAct, t: Theme, width: number): string {
  const dm = a.dmarc;
  if (!dm) return t.fail('  ✗ the message was not received');
  const verdict = `SPF ${a.spf ?? '–'} · DKIM ${a.dkim.join(', ') || '–'} · DMARC ${dm.result}${dm.result !== 'pass' && dm.policy ? ` → p=${dm.policy}` : ''}`;
  const meaning = actMeaning(a.name, dm);
  const colour = a.ok ? t.ok : t.fail;
  return wrap(`${a.ok ? '✓' : '✗'} ${verdict}: ${meaning}`, width, '  ', '    ')
    .map((l) => colour(l))
    .join('\n');
}

/** What the act's DMARC result means: the legitimate message should pass, the forged one fail. */
function actMeaning(act: DemoAct['name'], dm: { result: string; policy: string | null }): string {
  if (act === 'legitimate') return dm.result === 'pass' ? 'authentic, goes to the inbox' : 'should have passed';
  if (dm.result !== 'fail') return 'should have failed';
  return `caught: a DMARC-honouring receiver ${policyVerb(dm.policy)} it`;
}

function policyVerb(policy: string | null): string {
  if (policy === 'reject') return 'rejects';
  return policy === 'quarantine' ? 'quarantines' : 'reports';
}

const TIMED = new Set<DemoStep['kind']>(['keygen', 'listen', 'dns', 'smtp']);

/** A 2048-bit key is 400 characters of base64: its first few say enough unless asked for everything. */
function shortenKey(text: string): string {
  return text.replace(/p=([A-Za-z0-9+/=]{24})[A-Za-z0-9+/=" ]*[A-Za-z0-9+/=]/, 'p=$1…');
}

const NAME_WIDTH = 28;

/** [owner, type, data] of each published record (SOA and NS only when verbose). */
function zoneRecords(r: DemoResult, verbose?: boolean): [string, string, string][] {
  const setup = r.steps.find((s) => s.kind === 'listen' && Array.isArray((s.detail as { records?: unknown })?.records));
  const records =
    (setup?.detail as { records: { name: string; type: string; data: string }[] } | undefined)?.records ?? [];
  return records
    .filter((x) => verbose || (x.type !== 'SOA' && x.type !== 'NS' && !x.name.startsWith('ns.')))
    .map((x) => [escapeControl(x.name), x.type, escapeControl(verbose ? x.data : shortenKey(x.data))]);
}

function hasTranscript(d: unknown): d is { transcript: TranscriptLine[] } {
  return !!d && Array.isArray((d as { transcript?: unknown }).transcript);
}

function hasAuthResults(d: unknown): d is { authenticationResults: string } {
  return !!d && typeof (d as { authenticationResults?: unknown }).authenticationResults === 'string';
}

/** The conversation; the message itself is reduced to its key header fields unless verbose. */
function transcriptLines(lines: TranscriptLine[], t: Theme, width: number, verbose?: boolean): string[] {
  const out: string[] = [];
  const indent = '         ';
  const room = width - indent.length - 3;
  const say = (dir: 'C' | 'S', text: string, colour: (s: string) => string = (x) => x) =>
    out.push(`${indent}${dir === 'C' ? t.accent('C:') : t.dim('S:')} ${colour(clip(escapeControl(text), room))}`);
  let inData = false;
  let inBody = false;
  let bodyLines = 0;
  for (const l of lines) {
    if (inData && l.dir === 'C' && l.line !== '.') {
      if (verbose) say('C', l.line);
      else if (inBody || l.line === '') {
        inBody = true;
        if (l.line !== '') bodyLines++;
      } else if (/^(from|to|subject|dkim-signature):/i.test(l.line)) say('C', l.line, t.dim);
      continue;
    }
    if (inData && l.line === '.') {
      if (!verbose) say('C', `[… ${bodyLines} body line${bodyLines === 1 ? '' : 's'} …]`, t.dim);
      inData = inBody = false;
    }
    if (l.dir === 'S' && /^354/.test(l.line)) inData = true;
    const code = Number(l.line.slice(0, 3));
    say(l.dir, l.line, l.dir === 'C' ? undefined : (text) => replyTone(Number.isFinite(code) ? code : 0, text, t));
  }
  return out;
}

/** Cut at the width with an ellipsis (transcripts are evidence; --verbose has them whole). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
