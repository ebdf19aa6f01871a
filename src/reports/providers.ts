// Well-known sending services and forwarders, recognised by the forward-confirmed reverse name of a source: the SPF
// include each service documents, so a fix can name it. Matching is by DNS suffix on a confirmed name only (a PTR
// alone is whatever the address owner wrote).

export interface Provider {
  name: string;
  /** The include the service documents for customers' SPF records. */
  spf: string;
}

const PROVIDERS: [suffix: string, p: Provider][] = [
  ['google.com', { name: 'Google Workspace', spf: 'include:_spf.google.com' }],
  ['outbound.protection.outlook.com', { name: 'Microsoft 365', spf: 'include:spf.protection.outlook.com' }],
  ['amazonses.com', { name: 'Amazon SES', spf: 'include:amazonses.com' }],
  ['sendgrid.net', { name: 'SendGrid', spf: 'include:sendgrid.net' }],
  ['mailgun.net', { name: 'Mailgun', spf: 'include:mailgun.org' }],
  ['mcsv.net', { name: 'Mailchimp', spf: 'include:servers.mcsv.net' }],
  ['mcdlv.net', { name: 'Mailchimp', spf: 'include:servers.mcsv.net' }],
  ['rsgsv.net', { name: 'Mailchimp', spf: 'include:servers.mcsv.net' }],
  ['sparkpostmail.com', { name: 'SparkPost', spf: 'include:sparkpostmail.com' }],
  ['mtasv.net', { name: 'Postmark', spf: 'include:spf.mtasv.net' }],
  ['mailjet.com', { name: 'Mailjet', spf: 'include:spf.mailjet.com' }],
  ['zoho.com', { name: 'Zoho Mail', spf: 'include:zoho.com' }],
  ['exacttarget.com', { name: 'Salesforce Marketing Cloud', spf: 'include:cust-spf.exacttarget.com' }],
];

/** Reverse names of list servers and forwarding services: their mail is someone else's, passed on. */
const FORWARDER_NAMES = /(^|\.)(lists?|mailman|listserv|sympa)\.|(^|\.)(googlegroups\.com|groups\.io|freelists\.org)$/;

export function providerOf(name: string | null): Provider | undefined {
  if (!name) return undefined;
  for (const [suffix, p] of PROVIDERS) if (name === suffix || name.endsWith(`.${suffix}`)) return p;
  return undefined;
}

export function isForwarderName(name: string | null): boolean {
  return !!name && FORWARDER_NAMES.test(name);
}
