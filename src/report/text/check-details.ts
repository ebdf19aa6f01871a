// The details part of `mailcheck check`: per check, the facts that decided (records, policies, hosts) and its
// findings. Pure: result and theme in, lines out. Network text always goes through escapeControl.
import type { DaneResult } from '../../auth/dane/types.js';
import type { MtaStsResult } from '../../auth/mta-sts/types.js';
import { escapeControl } from '../../core/text.js';
import type { CheckName, PostureChecks } from '../../posture/types.js';
import type { Theme } from '../theme.js';

const q = (s: string | null | undefined) => (s === null || s === undefined ? '—' : `"${escapeControl(s)}"`);
const e = (s: string) => escapeControl(s);

type Facts = { [K in CheckName]?: (r: NonNullable<PostureChecks[K]>, t: Theme) => string[] };

/** Each check's facts (a check without an entry here shows its findings only). */
const FACTS: Facts = {
  mx: (r, t) => {
    if (r.nullMx && !r.mx.length) return ['null MX (0 .): accepts no mail'];
    if (r.implicit) return [`no MX: implicit MX ${r.mx[0]?.addresses.map((a) => a.address).join(', ') ?? ''}`];
    const checked = r.mx.filter((h) => h.status !== 'unchecked');
    const lines = checked.map(
      (h) =>
        `${String(h.preference).padStart(3)} ${e(h.exchange)} ${t.dim('→')} ${h.addresses.length ? h.addresses.map((a) => `${a.address}${a.fcrdns ? '' : t.warn(' (no FCrDNS)')}`).join(', ') : t.fail(h.status)}`,
    );
    if (checked.length < r.mx.length)
      lines.push(t.warn(`… ${r.mx.length - checked.length} more MX records, not checked`));
    return lines;
  },
  spf: (r, t) => {
    // Several records: none is "the" record (null in JSON), but each is shown, never as "—".
    if (r.tree?.status === 'multiple') {
      const records = r.tree.records ?? [];
      return [
        t.fail(`${records.length} SPF records (permerror: there must be one)`),
        ...records.map((x) => `record ${q(x)}`),
      ];
    }
    return [`record ${q(r.record)}`, `${r.lookups}/10 DNS lookups, ${r.voidLookups}/2 void lookups`];
  },
  dkim: (r, t) => {
    const found = r.selectors.filter((s) => s.found);
    const lines = found.map(
      (s) =>
        `${e(s.selector)}: ${s.revoked ? t.fail('revoked') : `${s.keyType ?? '?'}${s.keyBits ? ` ${s.keyBits} bits` : ''}`}${s.testing ? t.warn(' (testing)') : ''}`,
    );
    if (!found.length)
      lines.push(
        `no key among ${r.selectors.length} selector${r.selectors.length === 1 ? '' : 's'} ${r.guessed ? '(common names tried)' : `(${r.selectors.map((s) => e(s.selector)).join(', ')})`}`,
      );
    return lines;
  },
  dmarc: (r) => {
    if (!r.record) return ['no record'];
    return [
      `record at _dmarc.${e(r.recordDomain ?? r.domain)} ${q(r.record)}`,
      `policy ${r.appliedPolicy ?? '—'}${r.subdomainPolicy ? `, subdomains ${r.subdomainPolicy}` : ''}, pct ${r.pct}, alignment adkim=${r.adkim} aspf=${r.aspf}, reports ${r.rua.length ? r.rua.map(e).join(', ') : 'none'}`,
    ];
  },
  mtaSts: mtaStsFacts,
  tlsRpt: (r) => [`record ${q(r.record)}`],
  bimi: (r, t) => {
    const lines = [`record ${r.recordName ? `at ${e(r.recordName)} ` : ''}${q(r.record)}`];
    if (r.logo)
      lines.push(
        `logo ${e(r.logo.url)} → ${r.logo.error ? t.fail(e(r.logo.error.message)) : `HTTP ${r.logo.status}, ${r.logo.bytes} bytes${r.logo.svg ? `, ${r.logo.svg.tinyPs ? 'SVG Tiny PS' : 'SVG'}` : ''}`}`,
      );
    if (r.vmc)
      lines.push(
        `mark certificate ${e(r.vmc.url)} → ${r.vmc.error ? t.fail(e(r.vmc.error.message)) : `HTTP ${r.vmc.status}${r.vmc.vmc?.subject ? `, ${e(r.vmc.vmc.subject)}, until ${r.vmc.vmc.validTo?.slice(0, 10)}` : ''}`}`,
      );
    return lines;
  },
  dnssec: (r, t) => {
    const ds = r.ds.length
      ? r.ds
          .map(
            (d) =>
              `DS ${d.keyTag} ${d.algorithmName} ${d.digestName}${d.matched === false ? t.fail(' (no matching key)') : ''}`,
          )
          .join(', ')
      : 'no DS';
    const answers = r.answers ? `, ${r.answers.authenticated}/${r.answers.total} answers with AD` : '';
    return [`${e(r.zone)}: ${ds}; ${r.dnskeys.length} DNSKEY; source ${r.source}${answers}`];
  },
  dane: daneFacts,
  smtp: (r, t) => {
    return r.hosts.map((h) => {
      const head = `${e(h.exchange)} [${h.address}]:${h.port}`;
      if (!h.connected) return `${head} ${t.warn(`no connection (${h.error?.kind ?? 'failed'})`)}`;
      let tls = t.warn('no STARTTLS');
      if (h.tls?.ok)
        tls = `${h.tls.protocol}, certificate ${e(h.tls.certificate?.subject ?? '—')}${h.tls.certificate?.trusted ? '' : t.warn(' (untrusted)')}`;
      else if (h.tls?.offered) tls = t.fail('TLS failed');
      return `${head} ${t.dim(e(h.banner?.split('\n')[0] ?? ''))} · ${tls}`;
    });
  },
  dnsbl: (r, t) => {
    const listed = r.listings.filter((l) => l.listed);
    return [
      `${new Set(r.listings.map((l) => l.address)).size} address(es) × ${r.zones.length} list(s): ${listed.length ? t.fail(`${listed.length} listing(s)`) : 'no listing'}`,
    ];
  },
};

/** Facts worth a line each, for one check (empty when the check did not finish). */
export function checkFacts(name: CheckName, c: PostureChecks, t: Theme): string[] {
  const r = (c as Record<string, unknown>)[name];
  const facts = (FACTS as Record<string, ((r: unknown, t: Theme) => string[]) | undefined>)[name];
  return r && facts ? facts(r, t) : [];
}

function mtaStsFacts(r: MtaStsResult, t: Theme): string[] {
  if (!r.records.length) return ['no _mta-sts record'];
  const lines = [`record ${q(r.record)}`];
  if (r.fetch) {
    lines.push(
      `policy ${e(r.policyUrl)} → ${r.fetch.error ? t.fail(`${r.fetch.error.stage}: ${e(r.fetch.error.message)}`) : `HTTP ${r.fetch.status}${r.fetch.contentType ? `, ${e(r.fetch.contentType)}` : ''}`}`,
    );
  }
  if (r.policy) {
    lines.push(
      `mode ${r.policy.mode ?? '—'}, max_age ${r.policy.maxAge ?? '—'}, mx ${r.policy.mx.map(e).join(', ') || '—'}`,
    );
    for (const m of r.mx)
      lines.push(`  ${e(m.exchange)} ${m.pattern ? t.ok(`✓ ${e(m.pattern)}`) : t.fail('✗ not covered')}`);
  }
  return lines;
}

function daneFacts(r: DaneResult, t: Theme): string[] {
  if (!r.applicable) return [r.mxLookup === 'ok' ? 'MX not DNSSEC-validated: DANE does not apply' : 'no MX'];
  return r.hosts.map((h) => {
    const records = h.records.length
      ? h.records.map((x) => (x.usable ? x.text : t.fail(`${x.text} (unusable)`))).join('; ')
      : 'no TLSA';
    let match = '';
    if (h.match?.checked)
      match = h.match.matched
        ? t.ok(' ✓ matches the served certificate')
        : t.fail(' ✗ does not match the served certificate');
    return `${e(h.name)}: ${records}${match}`;
  });
}
