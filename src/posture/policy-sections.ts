// Each check's section of the CI gate's policy file: its keys (validated by policy.ts) and its judge, which compares
// the requirements with the check's result as findings `policy.<check>.<key>` (fail when unmet, ok when met). The
// registry (registry.ts) gives each section to its check; policy-eval.ts runs them. Pure.
import type { BimiResult } from '../auth/bimi/types.js';
import type { DaneResult } from '../auth/dane/types.js';
import type { DkimResult } from '../auth/dkim/types.js';
import { WEAKER_POLICY, type DmarcPolicy } from '../auth/dmarc/record.js';
import type { DmarcResult } from '../auth/dmarc/types.js';
import type { DnssecResult } from '../auth/dnssec/types.js';
import type { MtaStsResult } from '../auth/mta-sts/types.js';
import type { SpfResult, SpfTree } from '../auth/spf/types.js';
import type { TlsRptResult } from '../auth/tls-rpt/types.js';
import type { MxResult } from '../mx/types.js';
import { bool, presence, type AtLeast, type PolicySection } from './policy-rules.js';

export { SMTP_POLICY, type SmtpPolicy } from './policy-tls.js';

export type DmarcPolicyName = 'none' | 'quarantine' | 'reject';
export type MtaStsModeName = 'none' | 'testing' | 'enforce';

const DMARC_ORDER = ['none', 'quarantine', 'reject'] as const;
const STS_ORDER = ['none', 'testing', 'enforce'] as const;

export interface MxPolicy {
  required?: boolean;
  minHosts?: number;
}

export const MX_POLICY: PolicySection<MxResult, MxPolicy> = {
  rules: { required: bool, minHosts: { kind: 'int', min: 1, max: 50 } },
  judge(r, mx, emit) {
    const reachable = mx.mx.filter((h) => h.addresses.length).length;
    if (r.required)
      emit(
        'required',
        reachable > 0 && !mx.implicit && !mx.nullMx,
        `MX records are required; ${mxState(mx.nullMx, mx.implicit, reachable)}.`,
      );
    if (r.minHosts !== undefined)
      emit(
        'min-hosts',
        reachable >= r.minHosts,
        `at least ${r.minHosts} reachable MX host(s) required; found ${reachable}.`,
      );
  },
};

export interface SpfPolicy {
  required?: boolean;
  maxLookups?: number;
  maxVoidLookups?: number;
  all?: string[];
}

export const SPF_POLICY: PolicySection<SpfResult, SpfPolicy> = {
  rules: {
    required: bool,
    maxLookups: { kind: 'int', min: 0, max: 10 },
    maxVoidLookups: { kind: 'int', min: 0, max: 2 },
    all: { kind: 'list', values: ['-all', '~all', '?all', '+all'], what: 'an all qualifier' },
  },
  judge(r, spf, emit) {
    // Several v=spf1 records leave `record` null, but they are not "none": every check gives permerror, and no
    // one record's lookups or all can be judged (RFC 7208 §4.5).
    const several = spf.tree?.status === 'multiple' ? (spf.tree.records?.length ?? 2) : 0;
    if (several) {
      if (r.required)
        emit(
          'required',
          false,
          `an SPF record is required; ${several} are published, and more than one is a permerror (RFC 7208 §4.5).`,
        );
      return;
    }
    if (r.required)
      emit(
        'required',
        spf.record !== null,
        spf.record ? 'an SPF record is required; one is published.' : 'an SPF record is required; none is published.',
      );
    if (r.maxLookups !== undefined)
      emit(
        'max-lookups',
        spf.lookups <= r.maxLookups,
        `at most ${r.maxLookups} DNS-querying terms allowed; the record needs ${spf.lookups}.`,
      );
    if (r.maxVoidLookups !== undefined)
      emit(
        'max-void-lookups',
        spf.voidLookups <= r.maxVoidLookups,
        `at most ${r.maxVoidLookups} void lookups allowed; the record has ${spf.voidLookups}.`,
      );
    if (r.all && spf.record !== null) {
      const all = allQualifier(spf.tree);
      emit(
        'all',
        all !== null && r.all.includes(all),
        `the record must end in ${r.all.join(' or ')}; it ${all ? `ends in ${all}` : 'has no all mechanism (default neutral)'}.`,
      );
    }
  },
};

export interface DkimPolicy {
  required?: boolean;
  selectors?: string[];
  minBits?: number;
}

export const DKIM_POLICY: PolicySection<DkimResult, DkimPolicy> = {
  rules: {
    required: bool,
    selectors: { kind: 'list', pattern: /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i, what: 'a selector name' },
    minBits: { kind: 'int', min: 512, max: 16384 },
  },
  judge(r, dkim, emit) {
    const found = dkim.selectors.filter((s) => s.found && !s.revoked);
    if (r.required)
      emit(
        'required',
        found.length > 0,
        found.length
          ? `a DKIM key is required; found at ${found.map((s) => s.selector).join(', ')}.`
          : 'a DKIM key is required; none was found.',
      );
    for (const sel of r.selectors ?? []) {
      const s = dkim.selectors.find((x) => x.selector === sel.toLowerCase());
      emit(
        'selector',
        Boolean(s?.found && !s.revoked),
        `selector ${sel} must publish a usable key; ${selectorState(s)}.`,
      );
    }
    if (r.minBits !== undefined) {
      for (const s of found.filter((x) => x.keyType === 'rsa' && x.keyBits !== null)) {
        emit(
          'min-bits',
          s.keyBits! >= r.minBits,
          `RSA keys must have at least ${r.minBits} bits; selector ${s.selector} has ${s.keyBits}.`,
        );
      }
    }
  },
};

export interface DmarcPolicyRules {
  required?: boolean;
  policy?: AtLeast<DmarcPolicyName>;
  subdomainPolicy?: AtLeast<DmarcPolicyName>;
  pct?: number;
  rua?: boolean;
  ruf?: boolean;
  adkim?: 'r' | 's';
  aspf?: 'r' | 's';
}

export const DMARC_POLICY: PolicySection<DmarcResult, DmarcPolicyRules> = {
  rules: {
    required: bool,
    policy: { kind: 'ordered', values: DMARC_ORDER },
    subdomainPolicy: { kind: 'ordered', values: DMARC_ORDER },
    pct: { kind: 'int', min: 0, max: 100 },
    rua: presence,
    ruf: presence,
    adkim: { kind: 'enum', values: ['r', 's'] },
    aspf: { kind: 'enum', values: ['r', 's'] },
  },
  judge(r, d, emit) {
    // A record receivers ignore (an invalid p=, sp= or np= and no valid rua=, RFC 9989 §4.10.1) is no record.
    const ignored = d.record !== null && d.appliedPolicy === null;
    if (r.required) {
      let why = 'none applies';
      if (ignored)
        why = `receivers ignore the one at _dmarc.${d.recordDomain} (an invalid p=, sp= or np= and no valid rua=)`;
      else if (d.record)
        why = d.recordDomain === d.domain ? 'one is published' : `the one of ${d.recordDomain} applies`;
      emit('required', d.record !== null && !ignored, `a DMARC record is required; ${why}.`);
    }
    // What receivers apply: with t=y, RFC 9989 receivers apply the policy one level weaker (§4.7).
    const applied = (v: DmarcPolicy | null, tag: string): { value: DmarcPolicy | null; text: string } => {
      if (v === null) return { value: null, text: 'absent' };
      if (!d.testing || v === 'none') return { value: v, text: `${tag}=${v}` };
      return { value: WEAKER_POLICY[v], text: `${tag}=${v} with t=y, so receivers apply ${WEAKER_POLICY[v]}` };
    };
    if (r.policy) {
      const p = applied(d.appliedPolicy, 'p');
      emit(
        'policy',
        meets(p.value, r.policy, DMARC_ORDER),
        `the DMARC policy must be ${describe(r.policy, DMARC_ORDER)}; it is ${p.text}.`,
      );
    }
    if (r.subdomainPolicy) {
      const sp = applied(d.subdomainPolicy, 'sp');
      emit(
        'subdomain-policy',
        meets(sp.value, r.subdomainPolicy, DMARC_ORDER),
        `the subdomain policy must be ${describe(r.subdomainPolicy, DMARC_ORDER)}; it is ${sp.text}.`,
      );
    }
    if (r.pct !== undefined && d.record) emit('pct', d.pct >= r.pct, `pct must be at least ${r.pct}; it is ${d.pct}.`);
    // Only URIs that are URIs: receivers send nothing to "rua=bogus" (dmarc.uri.invalid, dmarc.rua.missing).
    const destinations = (list: readonly { raw: string; error?: string }[] | undefined): [boolean, string] => {
      const ok = (list ?? []).filter((u) => !u.error).map((u) => u.raw);
      if (ok.length) return [true, `they go to ${ok.join(', ')}`];
      return [
        false,
        list?.length ? `none of ${list.map((u) => u.raw).join(', ')} is a valid URI` : 'none are requested',
      ];
    };
    if (r.rua) {
      const [met, text] = destinations(d.parsed?.rua);
      emit('rua', met, `aggregate reports (rua=) are required; ${text}.`);
    }
    if (r.ruf) {
      const [met, text] = destinations(d.parsed?.ruf);
      emit('ruf', met, `failure reports (ruf=) are required; ${text}.`);
    }
    if (r.adkim && d.record)
      emit(
        'adkim',
        d.adkim === r.adkim,
        `DKIM alignment must be ${r.adkim === 's' ? 'strict' : 'relaxed'} (adkim=${r.adkim}); it is adkim=${d.adkim}.`,
      );
    if (r.aspf && d.record)
      emit(
        'aspf',
        d.aspf === r.aspf,
        `SPF alignment must be ${r.aspf === 's' ? 'strict' : 'relaxed'} (aspf=${r.aspf}); it is aspf=${d.aspf}.`,
      );
  },
};

export interface MtaStsPolicy {
  required?: boolean;
  mode?: AtLeast<MtaStsModeName>;
  minMaxAge?: number;
}

export const MTA_STS_POLICY: PolicySection<MtaStsResult, MtaStsPolicy> = {
  rules: {
    required: bool,
    mode: { kind: 'ordered', values: STS_ORDER },
    minMaxAge: { kind: 'int', min: 0, max: 31_557_600 },
  },
  judge(r, m, emit) {
    if (r.required)
      emit(
        'required',
        m.mode !== null,
        m.mode
          ? `an MTA-STS policy is required; mode ${m.mode} is published.`
          : 'an MTA-STS policy is required; there is no valid one.',
      );
    if (r.mode)
      emit(
        'mode',
        meets(m.mode, r.mode, STS_ORDER),
        `the MTA-STS mode must be ${describe(r.mode, STS_ORDER)}; it is ${m.mode ?? 'absent (no valid policy)'}.`,
      );
    if (r.minMaxAge !== undefined)
      emit(
        'min-max-age',
        (m.policy?.maxAge ?? -1) >= r.minMaxAge,
        `max_age must be at least ${r.minMaxAge} s; it is ${m.policy?.maxAge ?? 'absent'}.`,
      );
  },
};

export const TLS_RPT_POLICY: PolicySection<TlsRptResult, { required?: boolean }> = {
  rules: { required: bool },
  judge(r, t, emit) {
    if (!r.required) return;
    emit(
      'required',
      t.records.length === 1 && !t.findings.some((f) => f.severity === 'fail'),
      t.records.length ? 'a valid TLS-RPT record is required.' : 'a TLS-RPT record is required; none is published.',
    );
  },
};

export const BIMI_POLICY: PolicySection<BimiResult, { required?: boolean; authority?: boolean }> = {
  rules: { required: bool, authority: presence },
  judge(r, b, emit) {
    if (r.required)
      emit('required', b.records.length === 1 && !b.declined, bimiState(b.records.length > 0, b.declined));
    if (r.authority)
      emit(
        'authority',
        b.authority !== null,
        `a mark certificate (a=) is required; ${b.authority ? 'one is named' : 'none is named'}.`,
      );
  },
};

export const DNSSEC_POLICY: PolicySection<DnssecResult, { signed?: boolean; validated?: boolean }> = {
  rules: { signed: bool, validated: bool },
  judge(r, d, emit) {
    // A zone file is judged by its own keys: the DS lives in the parent, which the file cannot show.
    const signed = d.source === 'zone' ? d.dnskeys.length > 0 : d.signed === true;
    if (r.signed)
      emit(
        'signed',
        signed,
        d.source === 'zone'
          ? `the zone must be signed; the zone file has ${d.dnskeys.length} DNSKEY record(s).`
          : `the zone must be signed; ${signed ? 'a DS is published' : 'no DS is published at the parent'}.`,
      );
    if (r.validated)
      emit('validated', d.validated, `answers must be DNSSEC-validated (AD); they ${d.validated ? 'are' : 'are not'}.`);
  },
};

export const DANE_POLICY: PolicySection<DaneResult, { required?: boolean }> = {
  rules: { required: bool },
  judge(r, dane, emit) {
    if (!r.required) return;
    const withTlsa = dane.hosts.filter((h) => h.records.some((t) => t.usable)).length;
    emit(
      'required',
      withTlsa > 0 && withTlsa === dane.hosts.length,
      `usable TLSA records are required at every MX host; ${withTlsa} of ${dane.hosts.length} have them${dane.applicable ? '' : ' (DANE does not apply: the MX records are not DNSSEC-validated)'}.`,
    );
  },
};

function mxState(nullMx: boolean, implicit: boolean, reachable: number): string {
  if (nullMx) return 'the domain publishes a null MX';
  if (implicit) return 'the domain relies on an implicit MX';
  return `${reachable} reachable exchange(s)`;
}

function selectorState(s: { found: boolean; revoked?: boolean } | undefined): string {
  if (!s) return 'it was not checked';
  if (!s.found) return 'none is published';
  if (s.revoked) return 'its key is revoked (empty p=)';
  return 'it does';
}

function bimiState(published: boolean, declined: boolean): string {
  if (!published) return 'a BIMI record is required; none is published.';
  if (declined) return 'a BIMI logo is required; the record declines one.';
  return 'a BIMI record is required; one is published.';
}

/** The `all` qualifier that ends evaluation: the top record's, else the redirect target's (RFC 7208 §6.1). */
export function allQualifier(tree: SpfTree | null): string | null {
  for (let t = tree, depth = 0; t && depth < 10; depth++) {
    const all = t.terms.find((x) => x.kind === 'mechanism' && x.name === 'all');
    if (all) return `${all.qualifier ?? '+'}all`;
    const redirect = t.terms.find((x) => x.kind === 'modifier' && x.name === 'redirect');
    t = redirect?.child ?? null;
  }
  return null;
}

function meets<T extends string>(value: T | null, rule: AtLeast<T>, order: readonly T[]): boolean {
  if (value === null) return false;
  return 'atLeast' in rule ? order.indexOf(value) >= order.indexOf(rule.atLeast) : rule.oneOf.includes(value);
}

function describe<T extends string>(rule: AtLeast<T>, order: readonly T[]): string {
  if (!('atLeast' in rule)) return `one of ${rule.oneOf.join(', ')}`;
  return rule.atLeast === order[order.length - 1] ? rule.atLeast : `${rule.atLeast} or stronger`;
}
