// Verdicts on BIMI (draft-brand-indicators-for-message-identification): the assertion record, and with --fetch
// the logo (SVG Tiny PS) and the evidence certificate (VMC). Pure.
import { finding, type Finding } from '../../core/result.js';
import type { BimiAsset, BimiResult } from './types.js';
import { SVG_MAX_BYTES } from './svg.js';

const REF = 'BIMI draft §4';

export function bimiFindings(r: Omit<BimiResult, 'findings' | 'steps'>): Finding[] {
  const name = `${r.selector}._bimi.${r.domain}`;
  if (r.lookup !== 'ok' && r.lookup !== 'nxdomain' && r.lookup !== 'nodata') {
    return [
      finding(
        'bimi.lookup.temporary',
        'fail',
        `The TXT lookup for ${r.recordName ?? name} failed (${r.lookup.toUpperCase()}): no verdict on BIMI.`,
        { temporary: true },
      ),
    ];
  }
  if (!r.records.length) {
    if (r.discarded.some((t) => /^\s*v\s*=\s*bimi/i.test(t))) {
      return [
        finding(
          'bimi.record.discarded',
          'fail',
          `${r.recordName ?? name} has a TXT record that looks like BIMI but does not start with "v=BIMI1", so it is ignored.`,
          { ref: REF },
        ),
      ];
    }
    return [
      finding('bimi.none', 'info', `${r.domain} publishes no BIMI record: mailbox providers show no brand logo.`, {
        ref: REF,
      }),
    ];
  }
  if (r.records.length > 1) {
    return [
      finding(
        'bimi.record.multiple',
        'fail',
        `${r.recordName} has ${r.records.length} BIMI records; receivers then use none.`,
        { ref: REF },
      ),
    ];
  }
  const p = r.parsed!;
  const out: Finding[] = [];
  if (r.recordDomain !== r.domain) {
    out.push(
      finding(
        'bimi.record.inherited',
        'info',
        `${r.domain} has no BIMI record of its own; the one of its organizational domain ${r.recordDomain} applies.`,
        { ref: REF },
      ),
    );
  }
  if (p.errors.length)
    out.push(
      finding('bimi.record.invalid', 'fail', `The BIMI record at ${r.recordName} is invalid: ${p.errors.join('; ')}.`, {
        ref: REF,
      }),
    );
  if (p.declined) {
    out.push(
      finding('bimi.declined', 'info', `${r.recordDomain} explicitly declines to show a BIMI logo (empty l= and a=).`, {
        ref: REF,
      }),
    );
    return out;
  }
  if (p.location !== null) {
    if (!/^https:\/\//i.test(p.location))
      out.push(
        finding(
          'bimi.location.not-https',
          'fail',
          `The logo location "${p.location}" is not an https: URL; receivers only fetch logos over HTTPS.`,
          { ref: REF },
        ),
      );
    else if (!/\.svg(\?|#|$)/i.test(p.location))
      out.push(
        finding(
          'bimi.location.not-svg',
          'warn',
          `The logo location "${p.location}" does not end in .svg; the logo must be an SVG Tiny PS document.`,
          { ref: REF },
        ),
      );
  }
  if (p.authority === null) {
    out.push(
      finding(
        'bimi.authority.missing',
        'warn',
        'The record names no evidence document (a= is empty): Gmail, Apple Mail and Yahoo show logos only with a Verified or Common Mark Certificate.',
        {
          ref: REF,
          advice: 'Obtain a VMC or CMC and publish its https URL in a=.',
        },
      ),
    );
  } else if (!/^https:\/\//i.test(p.authority)) {
    out.push(
      finding('bimi.authority.not-https', 'fail', `The evidence location "${p.authority}" is not an https: URL.`, {
        ref: REF,
      }),
    );
  }
  if (r.logo) out.push(...logoFindings(r.logo));
  if (r.vmc) out.push(...vmcFindings(r, r.vmc));
  if (!out.some((f) => f.severity === 'fail' || f.severity === 'warn' || f.temporary)) {
    out.push(
      finding(
        'bimi.ok',
        'ok',
        `BIMI record published${r.logo ? ', logo checked' : ''}${r.vmc ? ', mark certificate checked' : ''}.`,
      ),
    );
  }
  return out;
}

function fetchFailure(a: BimiAsset, what: 'logo' | 'vmc'): Finding | null {
  const label = what === 'logo' ? 'The BIMI logo' : 'The mark certificate';
  if (a.error) {
    return a.error.temporary
      ? finding(
          `bimi.${what}.unreachable`,
          'fail',
          `${label} at ${a.url} could not be fetched (${a.error.message}): no verdict on it.`,
          { temporary: true },
        )
      : finding(`bimi.${what}.fetch-failed`, 'fail', `${label} at ${a.url} could not be fetched: ${a.error.message}.`, {
          ref: REF,
        });
  }
  if (a.status !== 200)
    return finding(`bimi.${what}.http-status`, 'fail', `${label} at ${a.url} answers HTTP ${a.status}, not 200.`, {
      ref: REF,
    });
  return null;
}

function logoFindings(a: BimiAsset): Finding[] {
  const failed = fetchFailure(a, 'logo');
  if (failed) return [failed];
  const svg = a.svg!;
  const out: Finding[] = [];
  if (!svg.isSvg) return [finding('bimi.logo.not-svg', 'fail', `${a.url} is not an SVG document.`, { ref: REF })];
  if (!svg.tinyPs)
    out.push(
      finding(
        'bimi.logo.not-tiny-ps',
        'warn',
        'The logo is not declared as SVG Tiny PS (baseProfile="tiny-ps" on <svg>); providers reject other SVG profiles.',
        { ref: REF },
      ),
    );
  if (!svg.title)
    out.push(
      finding('bimi.logo.no-title', 'warn', 'The logo has no <title>, which SVG Tiny PS requires.', { ref: REF }),
    );
  if (svg.forbidden.length)
    out.push(
      finding(
        'bimi.logo.forbidden-content',
        'fail',
        `The logo contains what SVG Tiny PS forbids: ${svg.forbidden.join(', ')}.`,
        { ref: REF },
      ),
    );
  if (svg.bytes > SVG_MAX_BYTES || a.truncated)
    out.push(
      finding(
        'bimi.logo.too-large',
        'warn',
        `The logo is ${a.truncated ? 'more than ' : ''}${svg.bytes} bytes; keep it under ${SVG_MAX_BYTES} bytes.`,
        { ref: REF },
      ),
    );
  return out;
}

function vmcFindings(r: Omit<BimiResult, 'findings' | 'steps'>, a: BimiAsset): Finding[] {
  const failed = fetchFailure(a, 'vmc');
  if (failed) return [failed];
  const v = a.vmc!;
  if (v.error)
    return [
      finding('bimi.vmc.invalid', 'fail', `The mark certificate at ${a.url} is unusable: ${v.error}.`, { ref: REF }),
    ];
  const out: Finding[] = [];
  if (v.expired)
    out.push(finding('bimi.vmc.expired', 'fail', `The mark certificate expired on ${v.validTo}.`, { ref: REF }));
  if (v.notYetValid)
    out.push(
      finding('bimi.vmc.not-yet-valid', 'fail', `The mark certificate is valid only from ${v.validFrom}.`, {
        ref: REF,
      }),
    );
  if (!v.coversDomain)
    out.push(
      finding(
        'bimi.vmc.domain-mismatch',
        'fail',
        `The mark certificate names ${v.altNames.join(', ') || 'no domain'}, not ${r.domain}${r.orgDomain !== r.domain ? ` or ${r.orgDomain}` : ''}.`,
        { ref: REF },
      ),
    );
  if (!v.bimiEku)
    out.push(
      finding(
        'bimi.vmc.not-mark-certificate',
        'warn',
        'The certificate lacks the BIMI extended key usage (1.3.6.1.5.5.7.3.31): it is not a mark certificate.',
        { ref: REF },
      ),
    );
  return out;
}
