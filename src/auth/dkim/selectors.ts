// Where selectors come from when the user names none: a list of common ones, and provider-specific
// guesses from the domain's MX and SPF records. DKIM has no way to list selectors (RFC 6376 §3.1).

/** Selectors seen in the wild, most common first. */
export const COMMON_SELECTORS: readonly string[] = [
  'default',
  'dkim',
  'mail',
  'selector1',
  'selector2',
  'google',
  's1',
  's2',
  'k1',
  'k2',
  'k3',
  'key1',
  'key2',
  'dk',
  'smtp',
  'mx',
  'email',
  'sig1',
  'mandrill',
  'mailjet',
  'zoho',
  'zmail',
  'fm1',
  'fm2',
  'fm3',
  'protonmail',
  'protonmail2',
  'protonmail3',
  'everlytickey1',
  'everlytickey2',
  'mxvault',
  'pm',
  'scph0122',
  's1024',
  's2048',
  'dkim1024',
  'ed25519',
];

export interface ProviderGuess {
  provider: string;
  /** What gave it away: "MX contoso-com.mail.protection.outlook.com". */
  evidence: string;
  selectors: string[];
}

interface Provider {
  name: string;
  mx?: RegExp;
  spf?: RegExp;
  selectors: (domain: string) => string[];
}

const PROVIDERS: readonly Provider[] = [
  {
    // Custom domains CNAME selector1/selector2 to the tenant; the tenant's own domain signs with
    // selector1-<domain-with-dashes>, which some setups publish under the custom domain too.
    name: 'Microsoft 365',
    mx: /\.mail\.protection\.outlook\.com$/,
    spf: /\binclude:spf\.protection\.outlook\.com\b/i,
    selectors: (d) => ['selector1', 'selector2', `selector1-${dashes(d)}`, `selector2-${dashes(d)}`],
  },
  {
    name: 'Google Workspace',
    mx: /(^|\.)(google|googlemail)\.com$/,
    spf: /\binclude:_spf\.google\.com\b/i,
    selectors: () => ['google', 'google2048'],
  },
  {
    name: 'Fastmail',
    mx: /\.messagingengine\.com$/,
    spf: /\binclude:spf\.messagingengine\.com\b/i,
    selectors: () => ['fm1', 'fm2', 'fm3', 'mesmtp'],
  },
  {
    name: 'Proton Mail',
    mx: /\.protonmail\.ch$/,
    spf: /\binclude:_spf\.protonmail\.ch\b/i,
    selectors: () => ['protonmail', 'protonmail2', 'protonmail3'],
  },
  {
    name: 'Zoho Mail',
    mx: /(^|\.)zoho(mail)?\.(com|eu|in|com\.au|jp)$/,
    spf: /\binclude:zoho(mail)?\.(com|eu|in)\b/i,
    selectors: () => ['zoho', 'zmail', 'zmail2'],
  },
  { name: 'iCloud Mail', mx: /\.mail\.icloud\.com$/, spf: /\binclude:icloud\.com\b/i, selectors: () => ['sig1'] },
  {
    name: 'Mailchimp / Mandrill',
    spf: /\binclude:(servers\.mcsv\.net|spf\.mandrillapp\.com)\b/i,
    selectors: () => ['k1', 'k2', 'k3', 'mandrill'],
  },
  { name: 'SendGrid', spf: /\binclude:sendgrid\.net\b/i, selectors: () => ['s1', 's2', 'smtpapi'] },
  {
    name: 'Mailgun',
    mx: /\.mailgun\.org$/,
    spf: /\binclude:mailgun\.org\b/i,
    selectors: () => ['mx', 'smtp', 'k1', 'krs', 'pic'],
  },
  {
    name: 'Brevo',
    spf: /\binclude:(spf\.brevo\.com|spf\.sendinblue\.com)\b/i,
    selectors: () => ['mail', 'brevo1', 'brevo2'],
  },
  {
    name: 'Yandex 360',
    mx: /(^|\.)yandex\.(net|ru)$/,
    spf: /\binclude:_spf\.yandex\.net\b/i,
    selectors: () => ['mail'],
  },
];

/** Provider guesses from the MX exchanges and SPF record of `domain`. */
export function providerGuesses(
  domain: string,
  evidence: { mx: readonly string[]; spf: string | null },
): ProviderGuess[] {
  const out: ProviderGuess[] = [];
  for (const p of PROVIDERS) {
    const mx = p.mx ? evidence.mx.find((h) => p.mx!.test(h.toLowerCase())) : undefined;
    const spf = p.spf && evidence.spf ? p.spf.exec(evidence.spf)?.[0] : undefined;
    if (mx || spf)
      out.push({ provider: p.name, evidence: mx ? `MX ${mx}` : `SPF ${spf}`, selectors: p.selectors(domain) });
  }
  return out;
}

function dashes(domain: string): string {
  return domain.replace(/\./g, '-');
}
