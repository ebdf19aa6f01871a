// A small world for the sender-requirement tests: bulk.test (SPF for 192.0.2.10, DMARC p=none, an ed25519 DKIM
// key), nodmarc.test (no DMARC), ignored.test (a DMARC record receivers ignore), forwarder.test (an ARC sealing
// key), the reverse zone of 192.0.2.0/24, and messages signed by mailauth (an implementation other than ours) over
// the header fields a test asks for.
import { dkimSign } from 'mailauth';
import { layered, offlineResolver } from '../../../../src/dns/layered.js';
import { parseZone } from '../../../../src/dns/zone/parse.js';
import { keyRecord, makeKey } from '../keys.js';

export const bulkKey = makeKey('ed25519');
export const forwarderKey = makeKey('rsa');
const SOA = '@ IN SOA ns1 hostmaster 1 3600 600 604800 300';

export const zones = [
  parseZone(`$ORIGIN bulk.test.
$TTL 300
${SOA}
@              IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc         IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@bulk.test"
s1._domainkey  IN TXT ${keyRecord(bulkKey)}
mail           IN A   192.0.2.10
mail           IN AAAA 2001:db8::10
other          IN A   192.0.2.99
`),
  parseZone(`$ORIGIN nodmarc.test.
$TTL 300
${SOA}
@              IN TXT "v=spf1 ip4:192.0.2.10 -all"
`),
  parseZone(`$ORIGIN ignored.test.
$TTL 300
${SOA}
@              IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc         IN TXT "v=DMARC1; p=bogus"
`),
  parseZone(`$ORIGIN forwarder.test.
$TTL 300
${SOA}
arc._domainkey IN TXT ${keyRecord(forwarderKey)}
`),
  parseZone(`$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
${SOA}
10 IN PTR mail.bulk.test.
11 IN PTR gone.bulk.test.
`),
];
export const resolver = layered(zones, offlineResolver());
export const ctx = { resolver, now: () => new Date('2025-11-29T10:00:05Z') };

export const SIGNED_FIELDS = ['from', 'to', 'subject', 'date', 'message-id'];

export function message(o: { from?: string; extra?: string[]; body?: string } = {}): string {
  return [
    `From: ${o.from ?? 'News <news@bulk.test>'}`,
    'To: bob@example.net',
    'Subject: This week',
    'Date: Sat, 29 Nov 2025 10:00:00 +0000',
    'Message-ID: <week48@bulk.test>',
    ...(o.extra ?? []),
    '',
    o.body ?? 'Hello.',
    '',
  ].join('\r\n');
}

/** DKIM-signs with bulk.test's key over `fields` (mailauth; signTime given, see src/verify/README.md). */
export async function signed(msg: string, fields = SIGNED_FIELDS, domain = 'bulk.test'): Promise<Buffer> {
  const r = await dkimSign(Buffer.from(msg), {
    signTime: new Date('2025-11-29T10:00:00Z'),
    headerList: fields.join(':'), // a string: mailauth ignores an array and signs its default list
    signatureData: [
      { signingDomain: domain, selector: 's1', privateKey: bulkKey.privatePem, algorithm: 'ed25519-sha256' },
    ],
  } as never);
  return Buffer.concat([Buffer.from(r.signatures), Buffer.from(msg)]);
}

export const ONE_CLICK = [
  'List-Unsubscribe: <mailto:unsub@bulk.test?subject=u>, <https://bulk.test/u/opaque-7f3a>',
  'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
];
