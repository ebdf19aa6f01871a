// Synthetic zones for bench/batch.mjs: N mail domains d00000.bench … (up to 100,000; d100000 would need six digits) each with 2 MX (A, AAAA and PTR), SPF with an
// include, DMARC with an external rua (and its RFC 7489 §7.1 authorization), a DKIM key, MTA-STS and TLS-RPT TXT.
// One forward zone (bench.) and two reverse zones, as master files knot loads.
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY = createPublicKey(readFileSync(new URL('../fixtures/keys/rsa-2048.pem', import.meta.url)))
  .export({ type: 'spki', format: 'der' })
  .toString('base64');

export const domainName = (i) => `d${String(i).padStart(5, '0')}.bench`;

/** Writes bench.zone, 10.in-addr.arpa.zone and d.f.ip6.arpa.zone into dir; returns the file paths and the domain list file. */
export function writeBenchZones(dir, n) {
  const fwd = [
    '$ORIGIN bench.',
    '$TTL 3600',
    '@ SOA ns1.bench. hostmaster.bench. 1 3600 600 1209600 300',
    '@ NS ns1',
    'ns1 A 10.255.255.53',
    '_spf.provider TXT "v=spf1 ip4:10.0.0.0/8 ip6:fd00::/8 -all"',
    'reports MX 10 mx1.d00000.bench.',
  ];
  const v4 = [
    '$ORIGIN 10.in-addr.arpa.',
    '$TTL 3600',
    '@ SOA ns1.bench. hostmaster.bench. 1 3600 600 1209600 300',
    '@ NS ns1.bench.',
  ];
  const v6 = [
    '$ORIGIN d.f.ip6.arpa.',
    '$TTL 3600',
    '@ SOA ns1.bench. hostmaster.bench. 1 3600 600 1209600 300',
    '@ NS ns1.bench.',
  ];
  const domains = [];
  for (let i = 0; i < n; i++) {
    const d = `d${String(i).padStart(5, '0')}`;
    domains.push(`${d}.bench`);
    const a = (i >> 8) & 255;
    const b = i & 255;
    fwd.push(
      `${d} MX 10 mx1.${d}`,
      `${d} MX 20 mx2.${d}`,
      `${d} TXT "v=spf1 mx include:_spf.provider.bench -all"`,
      `s1._domainkey.${d} TXT "v=DKIM1; k=rsa; p=${KEY.slice(0, 200)}" "${KEY.slice(200)}"`,
      `_dmarc.${d} TXT "v=DMARC1; p=reject; rua=mailto:dmarc@reports.bench"`,
      `${d}.bench._report._dmarc.reports TXT "v=DMARC1"`,
      `_mta-sts.${d} TXT "v=STSv1; id=20261129T000000"`,
      `_smtp._tls.${d} TXT "v=TLSRPTv1; rua=mailto:tls@reports.bench"`,
    );
    for (const host of [1, 2]) {
      // Every 65,536 domains the second octet moves on (3 and 4, then 5 and 6…), so addresses and PTRs stay unique.
      const h = host + 2 * (i >> 16);
      const six = `fd00::${h}:${a.toString(16)}:${b.toString(16)}`;
      fwd.push(`mx${host}.${d} A 10.${h}.${a}.${b}`, `mx${host}.${d} AAAA ${six}`);
      v4.push(`${b}.${a}.${h} PTR mx${host}.${d}.bench.`);
      v6.push(`${nibbles(six).slice(0, -4)} PTR mx${host}.${d}.bench.`);
    }
  }
  const files = {
    fwd: join(dir, 'bench.zone'),
    v4: join(dir, '10.in-addr.arpa.zone'),
    v6: join(dir, 'd.f.ip6.arpa.zone'),
    list: join(dir, 'domains.txt'),
  };
  writeFileSync(files.fwd, fwd.join('\n') + '\n');
  writeFileSync(files.v4, v4.join('\n') + '\n');
  writeFileSync(files.v6, v6.join('\n') + '\n');
  writeFileSync(files.list, domains.join('\n') + '\n');
  return files;
}

/** fd00::1:0:5 → "5.0.0.0.0.0.0.0.1.0.0.0…0.0.d.f" (without .ip6.arpa). */
function nibbles(ip) {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => g.padStart(4, '0'));
  return groups.join('').split('').reverse().join('.');
}
