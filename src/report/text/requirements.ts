// The bulk-sender verdict in words: a title per requirement id and the summary word of receive's and verify's
// one-line-per-message output ("req=pass", "bulk=fail(tls,fcrdns)"). No table here: receive loads this.
import type { Requirement, RequirementsVerdict } from '../../verify/requirements/types.js';
import type { Theme } from '../theme.js';

export const REQUIREMENT_TITLES: Record<string, { title: string; short: string }> = {
  'auth.spf-or-dkim': { title: 'SPF or DKIM', short: 'auth' },
  'auth.spf-and-dkim': { title: 'SPF and DKIM', short: 'spf+dkim' },
  'dmarc.record': { title: 'DMARC record', short: 'dmarc-record' },
  'dmarc.alignment': { title: 'DMARC alignment', short: 'alignment' },
  'dns.fcrdns': { title: 'reverse DNS', short: 'fcrdns' },
  'dns.helo': { title: 'HELO resolves', short: 'helo' },
  'transport.tls': { title: 'TLS', short: 'tls' },
  'format.rfc5322': { title: 'RFC 5322 format', short: 'format' },
  'unsubscribe.one-click': { title: 'one-click unsubscribe', short: 'one-click' },
  'arc.forwarded': { title: 'ARC if forwarded', short: 'arc' },
  'from.impersonation': { title: 'no impersonation', short: 'impersonation' },
};

export function requirementTitle(r: Requirement): string {
  return REQUIREMENT_TITLES[r.id]?.title ?? r.id;
}

/** "req=pass", "req=fail(tls,fcrdns)", "bulk=temperror(helo)": which rules, and which of them failed. */
export function requirementsWord(v: RequirementsVerdict, t: Theme): string {
  const name = v.profile === 'bulk' ? 'bulk' : 'req';
  const which = v.failed.map((id) => REQUIREMENT_TITLES[id]?.short ?? id).join(',');
  const text = `${name}=${v.result}${which ? `(${which})` : ''}`;
  if (v.result === 'pass') return t.ok(text);
  return v.result === 'fail' ? t.fail(text) : t.warn(text);
}
