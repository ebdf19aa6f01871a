// What `mailcheck dkim keygen` did and what to publish (RFC 6376 §3.6.1, RFC 8463 §4.2): the key file,
// the TXT record as ≤255-byte strings, the zone-file line, and how to check it once published. The prose
// wraps at the terminal's width; the strings and the zone-file line never do (they are there to be copied).
import type { DkimKeygenResult } from '../../auth/dkim/keygen.js';
import { escapeControl } from '../../core/text.js';
import { heading } from '../steps.js';
import type { Theme } from '../theme.js';
import { fitLines } from '../wrap.js';

export function renderDkimKeygen(r: DkimKeygenResult, t: Theme): string {
  const file = escapeControl(r.keyFile);
  const kind = r.type === 'rsa' ? `${r.bits}-bit RSA` : 'Ed25519';
  const out: string[] = [heading(t, `DKIM key for ${r.domain}, selector ${r.selector}`)];
  const prose = (line: string) => fitLines(line, t.width);
  out.push(
    prose(
      `  ${t.ok('✓')} wrote the ${kind} private key to ${t.bold(file)} ${t.dim('(mode 0600; keep it secret, give it only to your signer)')}`,
    ),
  );
  out.push('', heading(t, 'Publish this TXT record'));
  out.push(`  ${t.dim('name ')} ${r.name}`);
  out.push(
    `  ${t.dim('value')} ${r.strings.length > 1 ? t.dim(`${r.strings.length} strings of at most 255 bytes; DNS joins them without spaces`) : ''}`,
  );
  for (const s of r.strings) out.push(`    "${s}"`);
  out.push('', heading(t, 'Zone-file line'), r.zoneLine);
  out.push('', heading(t, 'Then'));
  out.push(
    prose(
      `  1. publish the record; many DNS panels want only the name ${t.dim(`(${r.selector}._domainkey)`)} and the value ${t.dim('(without quotes)')}`,
    ),
  );
  out.push(prose(`  2. configure your signer with ${file}, selector ${r.selector}, domain ${r.domain}`));
  out.push(`  3. check it: ${t.accent(`mailcheck dkim ${r.domain} --selector ${r.selector} --key ${file}`)}`);
  if (r.type === 'ed25519')
    out.push(
      prose(`  ${t.warn('!')} ${t.dim('many receivers verify only RSA: sign with an RSA key too (RFC 8463 §6)')}`),
    );
  return out.join('\n') + '\n';
}
