// Domains of the big consumer mailbox providers. Gmail asks senders not to impersonate Gmail From: headers, and
// gmail.com, yahoo.com, aol.com and outlook.com publish DMARC p=reject or quarantine: a From: in one of them that
// fails DMARC is refused or sent to spam. The list is ours (no registry of "mailbox providers" exists); the
// country variants are the ones these providers hand out addresses in.
const PROVIDERS = new Set([
  // Google
  'gmail.com',
  'googlemail.com',
  // Yahoo (and AOL, run by Yahoo Mail)
  'yahoo.com',
  'ymail.com',
  'rocketmail.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'yahoo.it',
  'yahoo.es',
  'yahoo.ca',
  'yahoo.com.au',
  'yahoo.com.br',
  'yahoo.co.in',
  'yahoo.co.jp',
  'aol.com',
  'aim.com',
  // Microsoft
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'hotmail.de',
  'hotmail.it',
  'hotmail.es',
  'outlook.fr',
  'outlook.de',
  'live.co.uk',
  'live.fr',
  // Apple
  'icloud.com',
  'me.com',
  'mac.com',
  // Others with many consumer mailboxes
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'yandex.ru',
  'yandex.com',
  'mail.ru',
  'proton.me',
  'protonmail.com',
  'zoho.com',
  'fastmail.com',
  'qq.com',
  '163.com',
  'naver.com',
]);

/** The provider domain `domain` is, or is under; null when it is none of theirs. */
export function mailboxProvider(domain: string): string | null {
  const d = domain.toLowerCase().replace(/\.$/, '');
  // Every provider domain has two or three labels: try the last two, then the last three (no split and join:
  // verify runs this once a message).
  let dot = d.lastIndexOf('.');
  for (let labels = 2; labels <= 3 && dot > 0; labels++) {
    dot = d.lastIndexOf('.', dot - 1);
    const suffix = dot === -1 ? d : d.slice(dot + 1);
    if (PROVIDERS.has(suffix)) return suffix;
    if (dot === -1) break;
  }
  return null;
}
