// The MX chain as the chain it is: the question asked, the answer, the next question. Brief (the default): the
// verdict first, the answers without the questions, the findings to act on.
import { escapeControl } from '../../core/text.js';
import type { MxHost, MxResult } from '../../mx/types.js';
import { reportHead, reportTail, verdictLine } from '../steps.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';

export function renderMx(r: MxResult, t: Theme, opts: { steps?: boolean } = {}): string {
  const out: string[] = [];
  const full = t.detail === 'full';
  out.push(reportHead(t, `MX chain for ${r.domain}`, verdictLine(r.findings, t)));
  if (full) out.push(`  ${t.dim('?')} MX ${r.domain}  ${t.dim('(which hosts accept mail for this domain?)')}`);
  if (r.nullMx && !r.mx.length) {
    out.push(`  ${t.info('└─ 0 .')}  ${t.dim('null MX: this domain accepts no mail (RFC 7505)')}`);
  } else if (r.lookup === 'nxdomain') {
    out.push(`  ${t.fail('└─ NXDOMAIN')}  ${t.dim('the domain does not exist')}`);
  } else if (r.lookup === 'nodata' && !r.mx.length) {
    out.push(`  ${t.fail('└─ no MX, no A/AAAA')}`);
  } else if (!['ok', 'nodata'].includes(r.lookup)) {
    out.push(`  ${t.warn(`└─ ${r.lookup.toUpperCase()}`)}  ${t.dim('no answer: try again or another --resolver')}`);
  }
  if (r.implicit)
    out.push(`  ${t.warn('└─ no MX records')} ${t.dim("→ implicit MX: the domain's own address (RFC 5321 §5.1)")}`);
  // Exchanges beyond the check's limit (mx/check.ts) were not looked up: one line says how many.
  const checked = r.mx.filter((h) => h.status !== 'unchecked');
  const unchecked = r.mx.length - checked.length;
  checked.forEach((host, i) => out.push(...renderHost(host, i === checked.length - 1 && !unchecked, t)));
  if (unchecked) out.push(`  └─ ${t.warn(`… ${unchecked} more MX records, not checked`)}`);
  out.push(...reportTail(r, t, { ...opts, omitted: r.mx.length ? ['the DNS questions'] : [] }));
  return fitLines(out.join('\n'), t.width) + '\n';
}

function renderHost(h: MxHost, last: boolean, t: Theme): string[] {
  const branch = last ? '└─' : '├─';
  const pad = last ? '   ' : '│  ';
  const name = escapeControl(h.exchange);
  const lines: string[] = [];
  // An alias shows where it leads: "10 alias.example.test (CNAME → mx1.example.test)".
  const alias = h.cnames.length ? t.warn(` (CNAME → ${h.cnames.map((s) => escapeControl(s)).join(' → ')})`) : '';
  lines.push(`  ${branch} ${t.dim(String(h.preference).padStart(3))} ${t.bold(name)}${alias}`);
  if (h.status === 'ip-literal') {
    lines.push(`  ${pad}   ${t.fail('✗ an IP literal, not a host name')}`);
    return lines;
  }
  if (t.detail === 'full') lines.push(`  ${pad}   ${t.dim(`? A/AAAA ${name}`)}`);
  if (!h.addresses.length) {
    lines.push(
      `  ${pad}   └─ ${h.status === 'temporary' ? t.warn('? lookup failed (temporary)') : t.fail(`✗ no address${h.status === 'nxdomain' ? ' (NXDOMAIN)' : ''}`)}`,
    );
  }
  const width = Math.max(...h.addresses.map((a) => a.address.length), 0);
  h.addresses.forEach((a, i) => {
    const b = i === h.addresses.length - 1 && !h.addressesUnchecked ? '└─' : '├─';
    const type = a.family === 4 ? 'A   ' : 'AAAA';
    let ptr = 'no PTR';
    if (a.ptr.length) ptr = `PTR ${a.ptr.map((s) => escapeControl(s)).join(', ')}`;
    else if (a.ptrStatus) ptr = `PTR ${a.ptrStatus}`;
    const fc = a.fcrdns ? t.ok('✓ FCrDNS') : t.warn(a.ptr.length ? '! PTR does not point back' : '! no reverse DNS');
    lines.push(`  ${pad}   ${b} ${t.dim(type)} ${a.address.padEnd(width)} ${t.dim('←')} ${ptr}  ${fc}`);
  });
  if (h.addressesUnchecked)
    lines.push(`  ${pad}   └─ ${t.dim(`… ${h.addressesUnchecked} more addresses, not checked`)}`);
  return lines;
}
